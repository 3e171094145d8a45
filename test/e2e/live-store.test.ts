import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { FileStore } from '../../source/store/store.js';
import { instance } from '../helpers/fixtures.js';
import { keys, spawn } from '../helpers/pty.js';
import { tempDir } from '../helpers/temp.js';

describe('a console beside another posture that writes the store', () => {
  it("shows the other process's commit without a key pressed, read-only as it is", async () => {
    const file = join(tempDir(), 'store.json');
    const writer = await FileStore.open(file); // holds the lock: the console opens read-only
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

describe('two consoles on one store', () => {
  it("shows the first console's change in the second, read-only one, within a second or two", async () => {
    const file = join(tempDir(), 'store.json');
    const seed = await FileStore.open(file);
    await seed.update((d) => {
      d.instances.push(instance('eu', { name: 'Okta Contoso EU', recommendations: false }));
    });
    await seed.close();
    const first = spawn(['--store', file]);
    await first.waitFor(/Okta\s+1 \(0 on\)/);
    const second = spawn(['--store', file]); // the first holds the lock
    await second.waitFor(/Okta\s+1 \(0 on\)/);
    expect(second.screen()).toContain('read-only');
    await keys(first, '\r'); // the Okta drawer
    await first.waitFor('Okta · instances');
    await keys(first, ' ');
    await first.waitFor(/Okta Contoso EU .* On/);
    await second.waitFor(/Okta\s+1 \(1 on\)/, 3000);
    await keys(second, 'q');
    await keys(first, 'q');
    expect(await second.exit).toBe(0);
    expect(await first.exit).toBe(0);
  }, 30_000);
});
