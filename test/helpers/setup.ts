import { afterAll, afterEach } from 'vitest';
import { disposeFileThings, disposeTestThings } from './cleanup.js';
import { removeTempDirs } from './temp.js';

// Ink renders only the last frame when it thinks it runs in CI; component tests need every frame.
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
delete process.env.NO_COLOR;

// What a test started ends with it; the temporary directories it made go with its file.
afterEach(disposeTestThings);
afterAll(async () => {
  await disposeFileThings();
  removeTempDirs();
});
