import { join } from 'node:path';
import { build } from 'esbuild';
import { tempDir } from './temp.js';

/**
 * A test fixture bundled into one script that node runs as a process of its own, so that a test
 * can start it, race it against another, or SIGKILL it. CommonJS packages inside (pg, pg-boss)
 * require Node's modules: the bundle gets a `require` of its own.
 */
export async function bundleFixture(entry: string): Promise<string> {
  const script = join(tempDir(), `${entry.replace(/^.*[\\/]/, '').replace(/\.tsx?$/, '')}.mjs`);
  await build({
    entryPoints: [entry],
    outfile: script,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    external: ['pg-native'],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  return script;
}
