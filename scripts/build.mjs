// Bundle the program: dist/posture.js, the program compiled as one script, and dist/posture.mjs,
// the launcher that runs it with V8's code cache (source/launch/). Fast to start; two files to copy
// to a jump host, side by side. It bundles the installed packages as they are: the changes to Ink
// and its text measurement are applied to node_modules at install time (patches/, see its README),
// so the tests run them too.
import { createHash } from 'node:crypto';
import { builtinModules } from 'node:module';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const OUT = 'dist/posture.mjs';
const PROGRAM = 'posture.js';

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
      ) > Math.min(built, statSync(join('dist', PROGRAM)).mtimeMs)
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

/**
 * What only the program's start-up needs, changed in the bundle (each change fails the build when
 * the text it changes is gone, so an upgrade cannot drop it silently):
 * - Yoga's WebAssembly is inlined as base64, but its loader first tries `fetch` on it: on Node that
 *   loads the whole fetch implementation (undici, ~15 ms) to decode a data: URL. Decode it directly.
 * - meow evaluates normalize-package-data (and its licence lists) when it is imported, for a
 *   package.json we hand it already: evaluate it when first called, which is never.
 * - string-width compiles `\p{RGI_Emoji}` (a set of thousands of sequences: about 40 ms) the first
 *   time it measures a line that is not plain (the help's "↑ k"), which put it on the first key's
 *   frame. A cluster with no Emoji character cannot be an RGI emoji: tested first, the big
 *   expression is compiled only for a line that holds one.
 */
const EDITS = [
  {
    file: /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/,
    from: 'typeof fetch',
    to: 'typeof undefined',
  },
  {
    file: /meow[\\/]build[\\/]dependencies\.js$/,
    from: 'var normalizeExports = requireNormalize();\nconst normalizePackageData = getDefaultExportFromCjs(normalizeExports);',
    to: 'const normalizePackageData = (...a) => getDefaultExportFromCjs(requireNormalize())(...a);',
  },
  {
    // The copies Ink, cli-truncate and widest-line use (string-width 8); 7 has no such test.
    file: /(ink|cli-truncate|widest-line)[\\/]node_modules[\\/]string-width[\\/]index\.js$/,
    from: "rgiEmojiRegex ??= new RegExp('^\\\\p{RGI_Emoji}$', 'v');\n\t\tif (rgiEmojiRegex.test(segment) ||",
    to: "if ((EMOJI_CHARACTER.test(segment) && (rgiEmojiRegex ??= new RegExp('^\\\\p{RGI_Emoji}$', 'v')).test(segment)) ||",
    also: {
      from: 'const segmenter = new Intl.Segmenter();',
      to: 'const segmenter = new Intl.Segmenter();\nconst EMOJI_CHARACTER = /\\p{Emoji}/u;',
    },
  },
  {
    // node-postgres asks whether it runs on Cloudflare Workers by looking at `Response`, which on
    // Node (its first use) loads the whole fetch implementation (undici, ~15 ms) before the first
    // connection. On Node it is not a Worker: asked first, `Response` is never looked at.
    file: /[\\/]pg[\\/]lib[\\/]stream\.js$/,
    from: "if (typeof Response === 'function') {",
    to: "if (!globalThis.process?.versions?.node && typeof Response === 'function') {",
  },
];
/** The text of the file at `path` as the program bundles it (unchanged where no edit names it). */
export function withStartupEdits(path, text) {
  let contents = text;
  for (const edit of EDITS.filter((e) => e.file.test(path)))
    for (const { from, to } of edit.also ? [edit, edit.also] : [edit]) {
      if (!contents.includes(from))
        throw new Error(
          `${path} no longer holds "${from.split('\n')[0]}": update EDITS in scripts/build.mjs`,
        );
      contents = contents.replaceAll(from, () => to);
    }
  return contents;
}

const startupEdits = {
  name: 'startup-edits',
  setup(b) {
    for (const edit of EDITS)
      b.onLoad({ filter: edit.file }, async (args) => {
        const { readFile } = await import('node:fs/promises');
        return { contents: withStartupEdits(args.path, await readFile(args.path, 'utf8')), loader: 'js' };
      });
  },
};

/** Node's own modules taken with the `require` the launcher hands the program: a script has no import. */
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(b) {
    const names = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    b.onResolve({ filter: /^[a-z:_/]+$/ }, (args) => {
      if (!names.has(args.path)) return undefined;
      // The stub's own require is Node's, at run time.
      if (args.namespace === 'builtin') return { path: args.path, external: true };
      return { path: args.path, namespace: 'builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/**
 * Packages the program loads only when first used, with the launcher's `require`: the job queue
 * (workers only), and the driver's optional parts the program never uses (the libpq binding, the
 * Cloudflare socket). The driver itself is bundled: evaluated only when a PostgreSQL store is
 * opened, and compiled from the code cache like the rest (loaded from node_modules it cost the
 * console's first frame 30-45 ms of module resolution and compiling).
 */
const LOADED_WHEN_USED = new Set(['pg-boss', 'pg-native', 'pg-cloudflare']);
const byRequireWhenUsed = {
  name: 'by-require-when-used',
  setup(b) {
    b.onResolve({ filter: /^[a-z@][a-z0-9@/._-]*$/ }, (args) => {
      if (!LOADED_WHEN_USED.has(args.path)) return undefined;
      if (args.namespace === 'when-used') return { path: args.path, external: true };
      return { path: args.path, namespace: 'when-used' };
    });
    b.onLoad({ filter: /.*/, namespace: 'when-used' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/**
 * The shipped catalog checked against the schema and posture's rules (source/catalog/validate.ts),
 * so that the program can trust it at run time. Throws the catalog's one-line error.
 */
export async function checkCatalog(sources) {
  const out = await build({
    stdin: {
      contents:
        "export { validateCatalog } from './source/catalog/validate.ts'; export { CATALOG_SOURCES } from './source/catalog/index.ts';",
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    write: false,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [leaveOut],
    logLevel: 'warning',
  });
  const url = `data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`;
  const { validateCatalog, CATALOG_SOURCES } = await import(url);
  validateCatalog(sources ?? CATALOG_SOURCES);
}

/**
 * The first `Intl.Segmenter` a process makes loads ICU's break rules: about 10 ms (20 on a loaded
 * machine), paid by the string-width copies, Ink's tokenizer and source/text/cells.ts as their
 * modules are evaluated, before the first frame, which segments nothing (its lines are narrow
 * characters: see patches/). Each is made when it first segments. They are used only through
 * `segment` (and `resolvedOptions`); fails the build if the bundle makes none any more.
 */
export const LAZY_SEGMENTER =
  'class __LazySegmenter { #args; #real; constructor(...args) { this.#args = args; } ' +
  'get #made() { return (this.#real ??= new Intl.Segmenter(...this.#args)); } ' +
  'segment(text) { return this.#made.segment(text); } resolvedOptions() { return this.#made.resolvedOptions(); } }';
export function lazySegmenters(body) {
  const made = body.match(/\bnew Intl\.Segmenter\b/g)?.length ?? 0;
  if (made === 0)
    throw new Error('the bundle makes no Intl.Segmenter: update LAZY_SEGMENTER in scripts/build.mjs');
  if (/\bIntl\.Segmenter\b/g.test(body.replace(/\bnew Intl\.Segmenter\b/g, '')))
    throw new Error(
      'the bundle uses Intl.Segmenter other than by `new`: check LAZY_SEGMENTER in scripts/build.mjs',
    );
  return body.replace(/\bnew Intl\.Segmenter\b/g, 'new __LazySegmenter');
}

/**
 * The program as one script V8 can cache (vm.Script; an ES module cannot be, on Node 20): the ES
 * bundle with no import left, wrapped in an async function (it awaits at top level) that takes
 * `require`, the file's names and its `import.meta` from the launcher. Then the launcher, stamped with its hash.
 */
export async function buildProgram() {
  mkdirSync('dist', { recursive: true });
  writeFileSync('dist/.devtools-stub.mjs', 'export default { initialize() {}, connectToDevTools() {} };\n');
  const out = await build({
    entryPoints: ['source/main.ts'],
    write: false,
    outfile: join('dist', PROGRAM),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    jsx: 'automatic',
    minify: true,
    legalComments: 'none',
    alias: { 'react-devtools-core': './dist/.devtools-stub.mjs' },
    define: { 'process.env.NODE_ENV': '"production"', 'import.meta': '__postureMeta' },
    plugins: [leaveOut, startupEdits, builtinsByRequire, byRequireWhenUsed],
    logLevel: 'warning',
  });
  const body = out.outputFiles[0].text.replace(/^#!.*\n/, '');
  if (/^\s*(import|export)\b/m.test(body) || /\bimport\(/.test(body))
    throw new Error('the program bundle still imports a module: a script cannot');
  // One line of wrapper before the bundle's first: stack traces keep the bundle's line numbers.
  const script = `(async function (require, __filename, __dirname, __postureMeta) { "use strict"; ${LAZY_SEGMENTER} ${lazySegmenters(body)}\n})`;
  writeFileSync(join('dist', PROGRAM), script);
  const hash = createHash('sha256').update(script).digest('hex').slice(0, 16);
  await build({
    entryPoints: ['source/launch/bin.ts'],
    outfile: OUT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    define: { POSTURE_PROGRAM: JSON.stringify({ file: `./${PROGRAM}`, hash }) },
    logLevel: 'warning',
  });
  chmodSync(OUT, 0o755);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--if-stale') && !stale()) process.exit(0);
  try {
    await checkCatalog();
  } catch (error) {
    // One line: which file, where, what (a CatalogError's message); the program is not built.
    console.error(`posture build: ${error.message}`);
    process.exit(1);
  }
  await buildProgram();
}
