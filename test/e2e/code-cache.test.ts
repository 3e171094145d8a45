import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { BIN, keys, spawn } from '../helpers/pty.js';
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

  it("is written by a command too, and the console's own replaces a command's", async () => {
    const home = tempDir();
    const status = () =>
      execFileSync(process.execPath, [BIN, 'status', '--demo'], {
        env: { ...process.env, XDG_CACHE_HOME: home },
      });
    const maker = () => readFileSync(join(home, 'posture', cacheFiles(home)[0]!), 'latin1').split('\n')[2];
    status();
    expect(cacheFiles(home)).toHaveLength(1);
    expect(maker()).toBe('command');
    const file = join(home, 'posture', cacheFiles(home)[0]!);
    const byCommand = statSync(file).mtimeMs;
    status();
    expect(statSync(file).mtimeMs).toBe(byCommand); // taken, not written again
    await session(home);
    expect(maker()).toBe('console'); // the functions that draw the first frame in it
    const byConsole = readFileSync(file);
    status();
    expect(readFileSync(file).equals(byConsole)).toBe(true); // a command takes the console's
  });

  it('costs nothing but the cache when its folder cannot be made', async () => {
    const home = join(tempDir(), 'a-file');
    writeFileSync(home, '');
    await session(home);
  });
});
