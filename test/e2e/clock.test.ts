import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { instance } from '../helpers/fixtures.js';
import { keys, spawn } from '../helpers/pty.js';
import { openStore } from '../helpers/store.js';
import { tempDir } from '../helpers/temp.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A store whose one instance was polled `agoMs` before now; not due again for an hour. */
async function storeFile(agoMs: number): Promise<string> {
  const file = join(tempDir(), 'store.json');
  const store = await openStore(file);
  await store.update((d) => {
    d.instances.push(
      instance('eu', {
        name: 'Okta Contoso EU',
        lastPoll: { at: new Date(Date.now() - agoMs).toISOString(), outcome: 'ok' },
      }),
    );
  });
  store.close();
  return file;
}

describe('relative times in the built program while it idles', () => {
  it('writes nothing for 3 s while the times it shows read in minutes', async () => {
    const s = spawn(['--store', await storeFile(5 * 60_000)]);
    await s.waitFor(/Okta .* 5m ago/);
    await sleep(300); // the first frames are drawn
    const before = s.raw().length;
    await sleep(3_000);
    expect(s.raw().length - before).toBe(0);
    await keys(s, 'q');
    expect(await s.exit).toBe(0);
  });

  it('keeps "5s ago" true: it reads later as the seconds pass, with no key pressed', async () => {
    const s = spawn(['--store', await storeFile(5_000)]);
    await s.waitFor(/Okta .* \ds ago/);
    const shown = Number(/Okta .* (\d+)s ago/.exec(s.screen())![1]);
    await s.waitFor(new RegExp(`Okta .* ${shown + 2}s ago`), 4_000);
    await keys(s, 'q');
    expect(await s.exit).toBe(0);
  });
});
