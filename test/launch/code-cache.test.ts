import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheFile, decode, encode, readCache, writeCache } from '../../source/launch/code-cache.js';
import { compile } from '../../source/launch/launch.js';
import { tempDir } from '../helpers/temp.js';

/** A program bundle as the build writes it: an async function of require, names and import.meta. */
function program(dir: string, text = 'globalThis.ran = (globalThis.ran ?? 0) + 1;'): string {
  const file = join(dir, 'posture.js');
  const helpers = Array.from({ length: 50 }, (_, i) => `function f${i}(x) { return x * ${i} + 1; }`).join(
    '\n',
  );
  writeFileSync(
    file,
    `(async function (require, __filename, __dirname, __postureMeta) { "use strict"; ${helpers}\n${text}\nf1(2);\n})`,
  );
  return file;
}

const env = (cache: string): NodeJS.ProcessEnv => ({ XDG_CACHE_HOME: cache, HOME: '/nonexistent' });

describe('the code cache file', () => {
  it('lives under $XDG_CACHE_HOME/posture, else ~/.cache/posture, keyed by bundle, Node and CPU', () => {
    const a = cacheFile({ XDG_CACHE_HOME: '/c' }, 'abc', 'v20.20.2');
    expect(a.dir).toBe('/c/posture');
    expect(a.path).toBe(`/c/posture/code-abc-v20.20.2-${process.arch}.bin`);
    expect(cacheFile({ HOME: '/h' }, 'abc').dir).toMatch(/[/\\]\.cache[/\\]posture$/);
    expect(cacheFile({}, 'abd', 'v20.20.2').path).not.toBe(cacheFile({}, 'abc', 'v20.20.2').path);
    expect(cacheFile({}, 'abc', 'v20.20.3').path).not.toBe(cacheFile({}, 'abc', 'v20.20.2').path);
  });

  it('gives back its payload only for its own key, whole and undamaged', () => {
    const payload = Buffer.from('0123456789'.repeat(100));
    const file = encode('k1', payload);
    expect(decode('k1', file)?.payload.equals(payload)).toBe(true);
    expect(decode('k1', file)?.maker).toBe('console');
    expect(decode('k1', encode('k1', payload, 'command'))?.maker).toBe('command');
    expect(decode('k2', file)).toBeUndefined(); // another bundle's or Node's
    expect(decode('k1', file.subarray(0, file.length - 1))).toBeUndefined(); // truncated
    const damaged = Buffer.from(file);
    damaged[damaged.length - 10]! ^= 0xff;
    expect(decode('k1', damaged)).toBeUndefined();
    expect(decode('k1', Buffer.from('not a cache at all'))).toBeUndefined();
    expect(decode('k1', Buffer.alloc(0))).toBeUndefined();
  });
});

describe('compiling the program with the cache', () => {
  it('compiles without one, writes it when asked, and takes it the next time', () => {
    const dir = tempDir();
    const cache = join(dir, 'cache');
    const file = program(dir);
    const first = compile(file, 'h1', env(cache));
    expect(first.cached).toBe(false);
    expect(existsSync(cacheFile(env(cache), 'h1').path)).toBe(false); // written only when asked
    void first.body(require, file, dir, { url: '', filename: file, dirname: dir });
    expect(first.save()).toBe(true);
    expect(first.save()).toBe(false); // once
    const second = compile(file, 'h1', env(cache));
    expect(second.cached).toBe(true);
    expect(second.save()).toBe(false); // a cache taken is not written again
  });

  it('runs the program the same with and without the cache', async () => {
    const dir = tempDir();
    const cache = join(dir, 'cache');
    const file = program(dir, 'globalThis.cacheProbe = __filename + " " + __postureMeta.url;');
    const g = globalThis as { cacheProbe?: string };
    const run = async () => {
      g.cacheProbe = undefined;
      const l = compile(file, 'h', env(cache));
      await l.body(require, file, dir, { url: 'file:///x', filename: file, dirname: dir });
      l.save();
      return [l.cached, g.cacheProbe];
    };
    expect(await run()).toEqual([false, `${file} file:///x`]);
    expect(await run()).toEqual([true, `${file} file:///x`]);
  });

  it('drops a damaged or foreign cache silently and writes a good one in its place', () => {
    const dir = tempDir();
    const cache = join(dir, 'cache');
    const file = program(dir);
    const where = cacheFile(env(cache), 'h2');
    const l = compile(file, 'h2', env(cache));
    l.save();
    const good = readFileSync(where.path);

    // Damaged: one byte of V8's data changed; our checksum catches what V8 would not.
    const damaged = Buffer.from(good);
    damaged[damaged.length - 100]! ^= 0xff;
    writeFileSync(where.path, damaged);
    const after = compile(file, 'h2', env(cache));
    expect(after.cached).toBe(false);
    expect(after.save()).toBe(true);
    expect(readCache(where)).toBeDefined();

    // Foreign: a file of garbage where the cache should be.
    writeFileSync(where.path, 'garbage');
    expect(compile(file, 'h2', env(cache)).cached).toBe(false);
  });

  it('drops a cache V8 rejects (made for another source under the same key) and writes its own', () => {
    const dir = tempDir();
    const cache = join(dir, 'cache');
    // Sources this process has not compiled yet: V8 would take a compiled one from memory instead.
    const other = program(tempDir(), `globalThis.other = ${Math.random().toFixed(8)};`);
    compile(other, 'h4', env(cache)).save();
    const file = program(dir, `globalThis.mine = ${Math.random().toFixed(8)} + 1;`);
    const rejected = compile(file, 'h4', env(cache));
    expect(rejected.cached).toBe(false);
    expect(rejected.save()).toBe(true);
    expect(readCache(cacheFile(env(cache), 'h4'))).toBeDefined();
  });

  it('keeps one cache: writing one removes those of other bundles and Node versions', () => {
    const dir = tempDir();
    const cache = join(dir, 'cache');
    const file = program(dir);
    compile(file, 'old', env(cache)).save();
    compile(file, 'new', env(cache)).save();
    expect(readdirSync(join(cache, 'posture'))).toEqual([cacheFile(env(cache), 'new').path.split('/').pop()]);
  });

  it('is harmless when the cache folder cannot be made or written', () => {
    const dir = tempDir();
    const file = program(dir);
    // $XDG_CACHE_HOME is a file: no folder can be made under it.
    const notADir = join(dir, 'file');
    writeFileSync(notADir, '');
    const a = compile(file, 'h3', env(notADir));
    expect(a.cached).toBe(false);
    expect(a.save()).toBe(false);
    // A read-only cache folder (root ignores permissions: the folder is then written, also fine).
    const ro = join(dir, 'ro');
    mkdirSync(join(ro, 'posture'), { recursive: true });
    chmodSync(join(ro, 'posture'), 0o500);
    const b = compile(file, 'h3', env(ro));
    expect(() => b.save()).not.toThrow();
    expect(readdirSync(join(ro, 'posture')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    chmodSync(join(ro, 'posture'), 0o700);
    // Missing: made when the cache is written.
    const missing = join(dir, 'not', 'yet');
    expect(compile(file, 'h3', env(missing)).save()).toBe(true);
    expect(writeCache(cacheFile(env(missing), 'h3'), Buffer.from('x'))).toBe(true);
  });
});
