import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import zlib from 'node:zlib';

/**
 * V8's code cache for the bundle, kept between launches: compiling the 1.2 MB bundle is most of
 * what start-up costs before the program runs. One file per bundle and Node: V8 rejects a cache
 * made by another V8 or for another source, and we never read a file made for another key.
 * Whatever goes wrong (no folder, a read-only one, a truncated or foreign file) costs only the
 * cache: the bundle is compiled as without one.
 */
export interface CacheFile {
  dir: string;
  path: string;
  key: string;
}

const MAGIC = 'posture-v8-cache 2';

/**
 * What made a cache: the console (after its first frame: the functions that draw it compiled) or a
 * command (at its exit). The console makes its own in place of a command's.
 */
export type Maker = 'console' | 'command';

export interface Cached {
  payload: Buffer;
  maker: Maker;
}
const PREFIX = 'code-';

/** $XDG_CACHE_HOME/posture, else ~/.cache/posture; the key names the bundle, Node and the CPU. */
export function cacheFile(env: NodeJS.ProcessEnv, bundleHash: string, node = process.version): CacheFile {
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const dir = join(base, 'posture');
  const key = `${bundleHash}-${node}-${process.arch}`.replace(/[^A-Za-z0-9._-]/g, '_');
  return { dir, path: join(dir, `${PREFIX}${key}.bin`), key };
}

// Node 20.15 has zlib.crc32; an earlier 20 hashes with crypto (loaded only then). Synchronous:
// the cache may be written in an exit handler.
function checksum(data: Uint8Array): string {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(data).toString(16);
  const crypto = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return crypto.createHash('sha1').update(data).digest('hex');
}

/**
 * A header V8 does not check for us (release builds of V8 keep no checksum of a code cache, and a
 * damaged one could crash): our magic, the key, the length and a checksum of the payload.
 */
export function encode(key: string, payload: Uint8Array, maker: Maker = 'console'): Buffer {
  const header = `${MAGIC}\n${key}\n${maker}\n${payload.length}\n${checksum(payload)}\n`;
  return Buffer.concat([Buffer.from(header, 'latin1'), payload]);
}

/** The payload of a cache file made for `key` and what made it, or undefined for anything else. */
export function decode(key: string, file: Buffer): Cached | undefined {
  // The header is five lines, well within the first 512 bytes.
  const head = file.subarray(0, 512).toString('latin1').split('\n');
  if (head.length < 6 || head[0] !== MAGIC || head[1] !== key) return undefined;
  const maker = head[2];
  if (maker !== 'console' && maker !== 'command') return undefined;
  const start = head.slice(0, 5).join('\n').length + 1;
  const payload = file.subarray(start);
  if (String(payload.length) !== head[3] || checksum(payload) !== head[4]) return undefined;
  return { payload, maker };
}

export function readCache(cache: CacheFile): Cached | undefined {
  let file: Buffer;
  try {
    file = readFileSync(cache.path);
  } catch {
    return undefined; // none yet, or unreadable: compile as without one
  }
  return decode(cache.key, file);
}

/**
 * Write the cache atomically (a reader never sees half a file), then remove the caches of other
 * bundles and Node versions. Returns whether it was written; an error is never the program's.
 */
export function writeCache(cache: CacheFile, payload: Uint8Array, maker: Maker = 'console'): boolean {
  const tmp = `${cache.path}.${process.pid}.tmp`;
  try {
    mkdirSync(cache.dir, { recursive: true, mode: 0o700 });
    writeFileSync(tmp, encode(cache.key, payload, maker), { mode: 0o600 });
    renameSync(tmp, cache.path);
  } catch {
    try {
      unlinkSync(tmp);
    } catch {}
    return false;
  }
  try {
    const mine = `${PREFIX}${cache.key}.bin`;
    for (const name of readdirSync(cache.dir))
      if (name.startsWith(PREFIX) && name !== mine && !name.endsWith('.tmp'))
        try {
          unlinkSync(join(cache.dir, name));
        } catch {}
  } catch {}
  return true;
}
