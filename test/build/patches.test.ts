import { tokenize as original } from '@alcalzone/ansi-tokenize';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { inkPatches } from '../../scripts/build.mjs';

/** The tokenizer as the program bundles it, with the bundle-time patch applied. */
async function patchedTokenize(): Promise<typeof original> {
  const out = await build({
    stdin: { contents: "export { tokenize } from '@alcalzone/ansi-tokenize';", resolveDir: process.cwd() },
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    plugins: [inkPatches],
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.text;
  expect(code).toContain('tokenizePlain'); // the patch is in
  const mod = await import(`data:text/javascript,${encodeURIComponent(code)}`);
  return mod.tokenize;
}

describe('the tokenizer patched for plain lines', () => {
  it('gives the same tokens as the original for every kind of line the console draws', async () => {
    const tokenize = await patchedTokenize();
    const lines = [
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
    ];
    for (const line of lines) {
      expect(tokenize(line)).toEqual(original(line));
      for (const end of [1, 5, 12]) expect(tokenize(line, end)).toEqual(original(line, end));
    }
  });
});
