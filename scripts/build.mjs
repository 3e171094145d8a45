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

// Printable ASCII, and the narrow punctuation the console itself draws (ellipsis, middle dot,
// dashes, angle quotes, block elements): one cell and one grapheme each, never combining.
const NARROW_CHARS = '\\x20-\\x7e\\u00b7\\u2013\\u2014\\u2026\\u2039\\u203a\\u2581-\\u2588\\u258f';
// A line of such characters and colour codes (SGR), as Ink draws styled text.
const PLAIN_LINE = `/^(?:[${NARROW_CHARS}]|\\x1b\\[[0-9;]*m)*$/`;

/**
 * Changes to Ink 6.8 and its tokenizer, made at bundle time (Ink 7+ needs Node 22). Each fails the build if
 * Ink's code no longer matches, so an upgrade is reviewed rather than silently unpatched.
 */
const INK_PATCHES = [
  {
    // The incremental renderer moves the cursor up one line too few when the previous frame ended
    // in a newline (every frame shorter than the terminal does): each redraw lands one line lower
    // and the screen scrolls.
    file: /ink[\\/]build[\\/]log-update\.js$/,
    find: 'buffer.push(ansiEscapes.cursorUp(previousVisible - 1));',
    replace: "buffer.push(ansiEscapes.cursorUp(previousVisible - (previousOutput.endsWith('\\n') ? 0 : 1)));",
  },
  {
    // Every frame builds a new Output with empty caches, so each line is tokenized and each
    // character measured again although most rows did not change: keep the caches across frames
    // (bounded, dropped when large). Half of a keystroke's cost on a 120x40 list, measured.
    file: /ink[\\/]build[\\/]output\.js$/,
    find: '    caches = new OutputCaches();',
    replace:
      '    caches = sharedCaches.styledChars.size > 4000 || sharedCaches.widths.size > 20000 ? (sharedCaches = new OutputCaches()) : sharedCaches;',
    append: '\nlet sharedCaches = new OutputCaches();\n',
    after: 'export default class Output {',
  },
  {
    // Each frame fills a fresh grid of 4,800 blank cell objects (120x40) before drawing; cells are
    // replaced, never changed, so one shared blank cell does.
    file: /ink[\\/]build[\\/]output\.js$/,
    find: "row.push({\n                    type: 'char',\n                    value: ' ',\n                    fullWidth: false,\n                    styles: [],\n                });",
    replace: 'row.push(BLANK_CELL);',
    append:
      "\nconst BLANK_CELL = Object.freeze({ type: 'char', value: ' ', fullWidth: false, styles: Object.freeze([]) });\n",
    after: 'export default class Output {',
  },
  {
    // A row without styles is just its characters.
    file: /ink[\\/]build[\\/]output\.js$/,
    find: 'return styledCharsToString(lineWithoutEmptyItems).trimEnd();',
    replace:
      "return (lineWithoutEmptyItems.every((c) => c.styles.length === 0) ? lineWithoutEmptyItems.map((c) => c.value).join('') : styledCharsToString(lineWithoutEmptyItems)).trimEnd();",
  },
  {
    // Each text node's width is measured again on every frame; Ink already keeps a cache of text
    // measurements for layout, so use it here too.
    file: /ink[\\/]build[\\/]render-node-to-output\.js$/,
    find: 'const currentWidth = widestLine(text);',
    replace: 'const currentWidth = measureText(text).width;',
    append: "import measureText from './measure-text.js';\n",
    after: "import widestLine from 'widest-line';",
  },
  {
    // Every new line drawn is split into graphemes with Intl.Segmenter, the larger part of a
    // page's redraw. A line of narrow characters and colour codes is one grapheme per character:
    // read it character by character, with the same tokens as a result.
    file: /ansi-tokenize[\\/]build[\\/]tokenize\.js$/,
    find: 'export function tokenize(str, endChar = Number.POSITIVE_INFINITY) {',
    replace: `export function tokenize(str, endChar = Number.POSITIVE_INFINITY) {
    if (PLAIN_LINE.test(str)) return tokenizePlain(str, endChar);`,
    append: `
const PLAIN_LINE = ${PLAIN_LINE};
function tokenizePlain(str, endChar) {
    const ret = [];
    let visible = 0;
    for (let index = 0; index < str.length; index++) {
        if (str.charCodeAt(index) === 0x1b) {
            const code = parseSGRSequence(str, index);
            for (const c of splitCompoundSGRSequences(code)) ret.push({ type: 'ansi', code: c, endCode: getEndCode(c) });
            index += code.length - 1;
            continue;
        }
        ret.push({ type: 'char', value: str[index], fullWidth: false });
        if (++visible >= endChar) break;
    }
    return ret;
}
`,
    after: 'export function tokenize(',
  },
];

export const inkPatches = {
  name: 'ink-patches',
  setup(b) {
    const files = [...new Set(INK_PATCHES.map((p) => p.file.source))];
    for (const source of files)
      b.onLoad({ filter: new RegExp(source) }, async (args) => {
        const { readFile } = await import('node:fs/promises');
        let src = await readFile(args.path, 'utf8');
        for (const patch of INK_PATCHES.filter((p) => p.file.source === source)) {
          if (!src.includes(patch.find) || (patch.after && !src.includes(patch.after)))
            throw new Error(`${args.path} changed: review the Ink patches in scripts/build.mjs`);
          src = src.replace(patch.find, patch.replace);
          if (patch.after) src = src.replace(patch.after, `${patch.append}${patch.after}`);
        }
        return { contents: src, loader: 'js' };
      });
  },
};

/**
 * string-width measures every line Ink draws, grapheme by grapheme, on every frame (its own fast
 * path stops at the first ellipsis). Printable ASCII and the console's own narrow punctuation are
 * one cell a character: answer that at once and leave everything else to string-width
 * (every copy of it in the bundle: Ink, widest-line, cli-truncate and ours).
 */
export const fastStringWidth = {
  name: 'fast-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData?.real) return undefined;
      const real = await b.resolve('string-width', {
        resolveDir: args.resolveDir,
        kind: args.kind,
        pluginData: { real: true },
      });
      if (real.errors.length > 0) return undefined;
      return { path: real.path, namespace: 'fast-width' };
    });
    b.onLoad({ filter: /.*/, namespace: 'fast-width' }, (args) => ({
      // One cell each unless ambiguous characters are wide. The real string-width (emoji tables,
      // grapheme segmentation) is loaded on first need: a first frame of narrow text never needs it.
      contents: [
        `const NARROW = /^[${NARROW_CHARS}]*$/;`,
        `const PLAIN_LINE = ${PLAIN_LINE};`,
        'let real;',
        'export default function stringWidth(s, o) {',
        '  if (typeof s === "string" && o?.ambiguousIsNarrow !== false && !o?.countAnsiEscapeCodes) {',
        '    if (NARROW.test(s)) return s.length;',
        '    if (PLAIN_LINE.test(s)) return s.replace(/\\x1b\\[[0-9;]*m/g, "").length;',
        '  }',
        `  real ??= require(${JSON.stringify(args.path)}).default;`,
        '  return real(s, o);',
        '}',
      ].join('\n'),
      resolveDir: process.cwd(),
      loader: 'js',
    }));
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
    plugins: [inkPatches, fastStringWidth, leaveOut],
    logLevel: 'warning',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--if-stale') && !stale()) process.exit(0);
  await bundle();
}
