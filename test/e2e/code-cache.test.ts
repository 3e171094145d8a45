import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keys, spawn } from '../helpers/pty.js';
import { tempDir } from '../helpers/temp.js';

/** Start the console on an empty store with this cache folder; quit once its first frame is drawn. */
async function session(cacheHome: string) {
  const s = spawn(['--store', join(tempDir(), 'store.json')], { env: { XDG_CACHE_HOME: cacheHome } });
  await s.waitFor('Enter open');
  await keys(s, 'q');
  expect(await s.exit).toBe(0);
}

const cacheFiles = (home: string) => {
  try {
    return readdirSync(join(home, 'posture')).filter((n) => n.startsWith('code-'));
  } catch {
    return [];
  }
};

describe("the built program's code cache", () => {
  it('is written by the first session, taken by the next, and made again when damaged', async () => {
    const home = tempDir();
    await session(home);
    const [name] = cacheFiles(home);
    expect(name).toMatch(new RegExp(`^code-[0-9a-f]{16}-${process.version.replaceAll('.', '\\.')}-`));
    const file = join(home, 'posture', name!);
    const written = statSync(file).mtimeMs;

    await session(home);
    expect(statSync(file).mtimeMs).toBe(written); // taken, not written again

    const damaged = readFileSync(file);
    damaged[damaged.length - 200]! ^= 0xff;
    writeFileSync(file, damaged);
    await session(home); // runs as without a cache, and writes a good one
    expect(readFileSync(file).equals(damaged)).toBe(false);
    expect(cacheFiles(home)).toEqual([name]);
  });

  it('costs nothing but the cache when its folder cannot be made', async () => {
    const home = join(tempDir(), 'a-file');
    writeFileSync(home, '');
    await session(home);
  });
});
