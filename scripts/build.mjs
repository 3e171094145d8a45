// Bundle the program into one file, dist/posture.mjs: fast to start, one file to copy to a jump host.
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
        statSync('package.json').mtimeMs,
        statSync('scripts/build.mjs').mtimeMs,
      ) > built
    );
  } catch {
    return true;
  }
}

/**
 * Ink 6.8's incremental renderer moves the cursor up one line too few when the previous frame
 * ended in a newline (every frame shorter than the terminal does), so each redraw lands one line
 * lower and the screen scrolls. Fixed here at bundle time; Ink 7+ (Node 22 only) rewrote it.
 */
const inkIncrementalFix = {
  name: 'ink-incremental-fix',
  setup(b) {
    b.onLoad({ filter: /ink[\\/]build[\\/]log-update\.js$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const src = await readFile(args.path, 'utf8');
      const bug = 'buffer.push(ansiEscapes.cursorUp(previousVisible - 1));';
      if (!src.includes(bug)) throw new Error('ink log-update changed: review the incremental-render fix');
      const fixed =
        "buffer.push(ansiEscapes.cursorUp(previousVisible - (previousOutput.endsWith('\\n') ? 0 : 1)));";
      return { contents: src.replace(bug, fixed), loader: 'js' };
    });
  },
};

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
    plugins: [inkIncrementalFix, leaveOut],
    logLevel: 'warning',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--if-stale') && !stale()) process.exit(0);
  await bundle();
}
