import { afterAll } from 'vitest';
import { removeTempDirs } from './temp.js';

// Ink renders only the last frame when it thinks it runs in CI; component tests need every frame.
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
delete process.env.NO_COLOR;

// Every temporary directory a test made goes with its file.
afterAll(removeTempDirs);
