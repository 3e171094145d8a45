// Bundle the program into one file, dist/posture.mjs: fast to start, one file to copy to a jump host.
// It bundles the installed packages as they are: the changes to Ink and its text measurement are
// applied to node_modules at install time (patches/, see its README), so the tests run them too.
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const OUT = 'dist/posture.mjs';

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function stale() {
  try {
    const built = statSync(OUT).mtimeMs;
    return (
      Math.max(
        newest('source'),
        newest('data'),
        newest('patches'),
        statSync('package.json').mtimeMs,
        statSync('scripts/build.mjs').mtimeMs,
      ) > built
    );
  } catch {
    return true;
  }
}

/**
 * Leave out what the program never runs, so the file Node compiles at start-up is smaller:
 * zod's 40-odd message locales (we use English) and the WebSocket client of Ink's devtools.
 */
const leaveOut = {
  name: 'leave-out',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes('zod') ? { path: 'zod-locales', namespace: 'stub' } : undefined,
    );
    b.onResolve({ filter: /^ws$/ }, () => ({ path: 'ws', namespace: 'stub' }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, (args) => ({
      contents:
        args.path === 'zod-locales'
          ? "export { default as en } from 'zod/v4/locales/en.js';"
          : 'export default {}; export const WebSocket = undefined;',
      resolveDir: process.cwd(),
      loader: 'js',
    }));
  },
};

export async function bundle(entry = 'source/main.ts', outfile = OUT, external = [], minify = true) {
  mkdirSync('dist', { recursive: true });
  // Ink imports react-devtools-core only when DEV is set; stub it so the bundle has no such import.
  writeFileSync('dist/.devtools-stub.mjs', 'export default { initialize() {}, connectToDevTools() {} };\n');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    jsx: 'automatic',
    minify,
    legalComments: 'none',
    alias: { 'react-devtools-core': './dist/.devtools-stub.mjs' },
    define: { 'process.env.NODE_ENV': '"production"' },
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    external,
    plugins: [leaveOut],
    logLevel: 'warning',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--if-stale') && !stale()) process.exit(0);
  await bundle();
}
