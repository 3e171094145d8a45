import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { type CacheFile, cacheFile, type Maker, readCache, writeCache } from './code-cache.js';
import { onFirstFrame } from './first-frame.js';

/** What the program's bundle is compiled from: an async function of what a module would have. */
export type ProgramBody = (
  require: NodeJS.Require,
  filename: string,
  dirname: string,
  meta: { url: string; filename: string; dirname: string },
) => Promise<void>;

export interface Launch {
  body: ProgramBody;
  /** Whether the cache was there and V8 took it. */
  cached: boolean;
  /**
   * Write the cache now, as made by `maker`, when it was missing or rejected, or (the console) made
   * by a command: after the console's first frame, or at a command's exit. Once a run.
   */
  save: (maker?: Maker) => boolean;
}

/**
 * Compile the bundle `file` (whose content hash is `hash`) with V8's code cache when there is a
 * good one. A cache that is missing, damaged or rejected by V8 is made again from this run.
 */
export function compile(file: string, hash: string, env: NodeJS.ProcessEnv): Launch {
  const source = readFileSync(file, 'utf8');
  const cache: CacheFile = cacheFile(env, hash);
  const found = readCache(cache);
  const cachedData = found?.payload;
  const script = new vm.Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const cached = cachedData !== undefined && script.cachedDataRejected !== true;
  let saved = false;
  const save = (maker: Maker = 'console') => {
    if (saved || (cached && (found!.maker === 'console' || maker === 'command'))) return false;
    saved = true;
    // After the first frame, the cache holds the functions compiled to draw it, not just the outline.
    return writeCache(cache, script.createCachedData(), maker);
  };
  return { body: script.runInThisContext() as ProgramBody, cached, save };
}

/**
 * Run the program's bundle; its cache is written once the console has drawn its first frame, or
 * when a command exits (a workspace scripted with `status` and `export` that never opens the console
 * compiled the whole bundle on every run: about 50 ms).
 */
export async function launch(file: string, hash: string): Promise<void> {
  const { body, save } = compile(file, hash, process.env);
  let drawn = false;
  const atExit = () => save(drawn ? 'console' : 'command');
  process.once('exit', atExit);
  onFirstFrame(() => {
    drawn = true;
    // Off the first keystrokes' path; at exit if the console is left before.
    setTimeout(() => save('console'), 500).unref();
  });
  const dir = dirname(file);
  await body(createRequire(file), file, dir, { url: pathToFileURL(file).href, filename: file, dirname: dir });
}
