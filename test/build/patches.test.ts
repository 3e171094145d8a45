import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tokenize as original } from '@alcalzone/ansi-tokenize';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';
import realStringWidth from 'string-width';
import { fastStringWidth, inkPatches } from '../../scripts/build.mjs';
import { tempDir } from '../helpers/temp.js';

/** A module as the program bundles it, with a bundle-time change applied. */
async function bundled(contents: string, plugin: Plugin, mark: string) {
  const out = await build({
    stdin: { contents, resolveDir: process.cwd() },
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    plugins: [plugin],
    logLevel: 'silent',
    // As the program's bundle does: a `require` for what is loaded on first need.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  const code = out.outputFiles[0]!.text;
  expect(code).toContain(mark); // the change is in
  const file = join(tempDir(), 'bundled.mjs');
  writeFileSync(file, code);
  return import(pathToFileURL(file).href);
}

async function patchedTokenize(): Promise<typeof original> {
  const mod = await bundled(
    "export { tokenize } from '@alcalzone/ansi-tokenize';",
    inkPatches,
    'tokenizePlain',
  );
  return mod.tokenize;
}

const LINES = [
  '',
  'Recommended actions  7,500',
  '  Require MFA for administrators…   Okta Contoso EU 12   10.0   To address',
  '\u001b[7m  selected row \u001b[27m',
  '\u001b[1;31mbold red\u001b[0m and plain',
  '\u001b[38;5;208morange\u001b[39m · score — 61.2 % ▁▂▃█',
  '\u001b[38;2;10;20;30mtrue colour\u001b[m',
  // Not plain: wide, combining and emoji characters take the original path.
  '表 wide',
  'e\u0301 combining',
  '👍🏽 emoji',
  '\u001b]8;;https://example.com\u0007link\u001b]8;;\u0007',
  '\u001b[2Kerase line',
];

describe('the tokenizer patched for plain lines', () => {
  it('gives the same tokens as the original for every kind of line the console draws', async () => {
    const tokenize = await patchedTokenize();
    for (const line of LINES) {
      expect(tokenize(line)).toEqual(original(line));
      for (const end of [1, 5, 12]) expect(tokenize(line, end)).toEqual(original(line, end));
    }
  });
});

describe('string-width answering at once for narrow text', () => {
  it('measures every kind of line as string-width does, with and without its options', async () => {
    const { default: stringWidth } = await bundled(
      "export { default } from 'string-width';",
      fastStringWidth,
      'PLAIN_LINE',
    );
    for (const line of LINES)
      for (const options of [undefined, { ambiguousIsNarrow: false }, { countAnsiEscapeCodes: true }])
        expect(stringWidth(line, options)).toBe(realStringWidth(line, options));
  });
});
