import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
// @ts-expect-error the build script is plain JavaScript
import { withStartupEdits } from '../../scripts/build.mjs';

/** The copy of string-width Ink measures with (patches/ changes it; the build's edit then applies). */
const INK_STRING_WIDTH = join(
  import.meta.dirname,
  '..',
  '..',
  'node_modules',
  'ink',
  'node_modules',
  'string-width',
  'index.js',
);
// The program's own expression, built at run time (the project's TypeScript target predates the v flag).
const RGI = new RegExp('^\\p{RGI_Emoji}$', 'v');
const EMOJI_CHARACTER = /\p{Emoji}/u;
/** One of each kind of RGI emoji sequence, and clusters that look like them. */
const SEQUENCES = [
  '#\uFE0F\u20E3', // keycap
  '\u{1F1EB}\u{1F1F7}', // flag
  '\u{1F44D}\u{1F3FD}', // modifier
  '\u{1F469}\u200D\u{1F4BB}', // ZWJ
  '\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}', // tag
  '\u2764\uFE0F', // emoji presentation
  '\u2194\uFE0F',
  '\u2191',
  'e\u0301',
  '\u1100\u1161',
];

// string-width 8 as Ink bundles it into the program: the edit in scripts/build.mjs applied.
async function editedStringWidth(): Promise<(s: string) => number> {
  const file = INK_STRING_WIDTH;
  const edited = withStartupEdits(file, readFileSync(file, 'utf8')) as string;
  expect(edited).not.toBe(readFileSync(file, 'utf8'));
  const out = await build({
    stdin: { contents: edited, resolveDir: dirname(file), loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
  });
  const url = `data:text/javascript;base64,${Buffer.from(out.outputFiles[0]!.text).toString('base64')}`;
  return ((await import(url)) as { default: (s: string) => number }).default;
}

describe("string-width's emoji test in the program", () => {
  it('compiles the RGI emoji expression only for a cluster with an Emoji character: no RGI emoji lacks one', () => {
    const missed: string[] = [];
    const check = (s: string) => {
      if (RGI.test(s) && !EMOJI_CHARACTER.test(s)) missed.push(s);
    };
    for (let cp = 0; cp <= 0x1ffff; cp++) if (cp < 0xd800 || cp > 0xdfff) check(String.fromCodePoint(cp));
    for (let cp = 0; cp <= 0x1ffff; cp++)
      if ((cp < 0xd800 || cp > 0xdfff) && EMOJI_CHARACTER.test(String.fromCodePoint(cp)) === false)
        check(`${String.fromCodePoint(cp)}\uFE0F`);
    for (const s of SEQUENCES) check(s);
    expect(missed).toEqual([]);
  });

  it('measures every kind of text as upstream does', async () => {
    const edited = await editedStringWidth();
    const upstream = ((await import(INK_STRING_WIDTH)) as { default: (s: string) => number }).default;
    const texts = [
      '↑ k    move up',
      'plain text',
      '日本語のテキスト',
      ...SEQUENCES,
      SEQUENCES.join(' '),
      '\u001B[7m inverse \u001B[27m ↓',
      'Ω ✓ ⚠ ★ ☑ ➜',
    ];
    for (const t of texts) expect(edited(t), t).toBe(upstream(t));
  });
});
