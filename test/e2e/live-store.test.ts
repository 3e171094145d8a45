import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Store } from '../../source/store/store.js';
import { instance } from '../helpers/fixtures.js';
import { keys, spawn } from '../helpers/pty.js';
import { tempDir } from '../helpers/temp.js';

describe('a console beside another posture that writes the store', () => {
  it("shows the other process's commit without a key pressed, read-only as it is", async () => {
    const file = join(tempDir(), 'store.json');
    const writer = await Store.open(file); // holds the lock: the console opens read-only
    await writer.update(() => {});
    const session = spawn(['--store', file]);
    await session.waitFor('no instances yet');
    expect(session.screen()).toContain('read-only');
    await writer.update((d) => {
      d.instances.push(instance('eu', { name: 'Okta Contoso EU' }));
    });
    await vi.waitFor(() => expect(session.screen()).not.toContain('no instances yet'), { timeout: 5000 });
    await keys(session, 'q');
    expect(await session.exit).toBe(0);
    await writer.close();
  }, 30_000);
});
