import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanJson, jsonPieces, jsonText, Slices } from '../../source/commands/output.js';
import { writeAtomicAsync } from '../../source/store/atomic.js';
import { tempDir } from '../helpers/temp.js';

/** The pieces as text, each copied as it is taken: a long piece's buffer is reused. */
const piecesOf = (pieces: Iterable<Uint8Array>) => Array.from(pieces, (p) => Buffer.from(p).toString('utf8'));

describe('JSON output', () => {
  it('sanitizes every string, keys included, as the deep copy does', () => {
    const hostile = 'evil\u202egnp.exe\u200b\u001b[31m';
    const value = {
      plain: 'text',
      [hostile]: { nested: [hostile, 1, null, true, { [`k${hostile}`]: hostile }] },
      list: [{ a: 'x\ny' }],
      missing: undefined,
    };
    const text = jsonText(value);
    expect(text).toBe(`${JSON.stringify(cleanJson(value), null, 2)}\n`);
    for (const ch of ['\u202e', '\u200b', '\u001b']) expect(text).not.toContain(ch);
    expect(JSON.parse(text).plain).toBe('text');
  });

  it('gives the same text as the deep copy whatever the strings hold', () => {
    const strings = [
      'plain',
      'a "quoted" \\ back\\slash',
      'C:\\new',
      'tab\there',
      'line\nbreak',
      'caf\u00e9',
      '\ud800',
      '\u007f',
      '',
      // A backslash before a control or bidi character, or before text that reads like an escape:
      // each escape is looked at from the one before, and none may be skipped.
      'a\\\u0007b',
      'a\\\\\u202eb',
      '\\"\\\u001b[31m',
      'C:\\u202e\\x',
    ];
    for (const s of strings) {
      const value = { [s]: [s, { s }], n: 1 };
      expect(jsonText(value)).toBe(`${JSON.stringify(cleanJson(value), null, 2)}\n`);
    }
  });
});

describe('JSON output in pieces (an export at fleet size)', () => {
  const item = (i: number) => ({
    id: `r${i}`,
    n: i,
    nested: { list: [i, { deep: true }], empty: [] },
    none: null,
  });
  const cases: [string, unknown][] = [
    [
      'a long array in the middle',
      { head: 1, results: Array.from({ length: 2345 }, (_, i) => item(i)), tail: 'x' },
    ],
    [
      'a long array first and last',
      { a: Array.from({ length: 1001 }, (_, i) => i), b: Array.from({ length: 3000 }, (_, i) => item(i)) },
    ],
    ['exactly one piece long', { results: Array.from({ length: 1000 }, (_, i) => item(i)) }],
    [
      'fields JSON leaves out',
      {
        gone: undefined,
        results: Array.from({ length: 1500 }, (_, i) => (i % 7 ? item(i) : undefined)),
        f: () => 1,
      },
    ],
    [
      'hostile strings in a piece',
      { results: Array.from({ length: 1200 }, (_, i) => ({ t: i === 1100 ? 'a\u202eb\u0007c' : 'ok' })) },
    ],
    ['a hostile key', { 'k\u200bey': Array.from({ length: 1100 }, (_, i) => i), ok: 'é' }],
    ['an empty object', {}],
    ['only left-out fields', { a: undefined }],
    ['an array', [1, 2, 3]],
    ['a string', 'x\u202e'],
  ];
  it.each(cases)('%s: the pieces joined are jsonText', (_, value) => {
    const parts = piecesOf(jsonPieces(value));
    expect(parts.join('')).toBe(jsonText(value));
  });

  const compact: [string, unknown][] = [
    ...cases,
    ['a key holding brackets', { 'a[b]': Array.from({ length: 2100 }, (_, i) => item(i)), '[': [] }],
    ['a hostile key holding a bracket', { 'k\u202e[': Array.from({ length: 1001 }, (_, i) => `v${i}`) }],
  ];
  it.each(compact)('%s: on one line, the pieces joined are the compact JSON', (_, value) => {
    const parts = piecesOf(jsonPieces(value, 0));
    expect(parts.join('')).toBe(jsonText(value, 0));
    expect(jsonText(value, 0)).toBe(`${JSON.stringify(cleanJson(value))}\n`);
  });

  it.each([2, 0] as const)(
    "an array made in slices gives the array's text (indent %i), a piece at a time",
    (indent) => {
      for (const length of [0, 999, 1000, 2345]) {
        const items = Array.from({ length }, (_, i) => (i === 1500 ? { t: 'a\u202eb' } : item(i)));
        const asked: number[] = [];
        const slices = new Slices(length, (start, end) => {
          asked.push(Math.min(end, length) - start);
          return items.slice(start, end);
        });
        const parts = piecesOf(jsonPieces({ head: 1, results: slices, tail: 'x' }, indent));
        expect(parts.join('')).toBe(jsonText({ head: 1, results: items, tail: 'x' }, indent));
        if (length > 100) expect(Math.max(...asked)).toBe(100);
      }
    },
  );

  const padded = (i: number) => ({ ...item(i), pad: 'p'.repeat(100) });

  it('makes a long array a hundred items at a time, in pieces of about a megabyte', () => {
    for (const indent of [2, 0] as const) {
      const items = Array.from({ length: 30_000 }, (_, i) => padded(i));
      const asked: number[] = [];
      const slices = new Slices(items.length, (start, end) => {
        asked.push(end - start);
        return items.slice(start, end);
      });
      const sizes = piecesOf(jsonPieces({ results: slices }, indent)).map((p) => p.length);
      expect(Math.max(...asked)).toBe(100);
      // About 5 MB: none of it in one piece, and no piece much over a megabyte.
      expect(sizes.length).toBeGreaterThanOrEqual(4);
      expect(Math.max(...sizes)).toBeLessThan(1.1 * 2 ** 20);
    }
  });

  it.each([2, 0] as const)(
    'written to a file as it is made, every piece lands though their buffers are reused (indent %i)',
    async (indent) => {
      // Slices that pass the plain check and slices the sanitizer rewrites, in turn, then plain again.
      // About 5 MB (five pieces), hostile strings in the second and fifth megabytes.
      const items = Array.from({ length: 36_000 }, (_, i) =>
        Math.floor(i / 7000) % 3 === 1 && i % 97 === 0 ? { t: `x\u202e${i}é` } : padded(i),
      );
      const value = { head: 'h', results: new Slices(items.length, (a, b) => items.slice(a, b)), tail: [1] };
      const file = join(tempDir(), 'export.json');
      await writeAtomicAsync(file, jsonPieces(value, indent));
      expect(readFileSync(file, 'utf8')).toBe(jsonText({ ...value, results: items }, indent));
    },
  );

  it.each([2, 0] as const)(
    'keeps each piece as it was until the next but one is taken (indent %i)',
    (indent) => {
      const items = Array.from({ length: 30_000 }, (_, i) => padded(i));
      const taken: { piece: Uint8Array; copy: Buffer }[] = [];
      for (const piece of jsonPieces({ results: items }, indent)) {
        // What a writer with one write in flight may still be writing: the last piece and this one.
        for (const t of taken.slice(-1)) expect(Buffer.from(t.piece).equals(t.copy)).toBe(true);
        taken.push({ piece, copy: Buffer.from(piece) });
      }
      expect(Buffer.concat(taken.map((t) => t.copy)).toString()).toBe(jsonText({ results: items }, indent));
    },
  );
});
