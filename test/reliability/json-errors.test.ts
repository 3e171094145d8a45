import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStore, StoreError } from '../../source/store/store.js';
import { jsonSyntaxError } from '../../source/text/json.js';
import { KeymapError, loadKeymap } from '../../source/ui/keys.js';
import { fingerprint, runIn, tmp } from '../commands/helpers.js';
import { tempDir } from './helpers.js';

/**
 * A store or key bindings file that is not JSON is named with the line and column of the error,
 * never quoted: V8's message echoes the text ("Unexpected token 'x', "{"token": "…" is not valid
 * JSON"), and a file pointed at by mistake may be one that holds a secret.
 */

const CANARY = 'ghp_CANARY0secret0token0never0shown';

/** Broken JSON with the canary near the error, and where the error is (line, column). */
const BROKEN: [string, string, string][] = [
  ['a bare word', `${CANARY}`, 'line 1, column 1: unexpected character'],
  ['a value after a value', `{"token": "${CANARY}" "x": 1}`, "line 1, column 49: expected ',' or '}'"],
  ['a bare value', `{"token": ${CANARY}}`, 'line 1, column 11: unexpected character'],
  ['a trailing comma', `[\n  "${CANARY}",\n]`, 'line 3, column 1: unexpected character'],
  ['an environment file', `TOKEN=${CANARY}\n`, 'line 1, column 1: unexpected character'],
  ['a cut string', `{"token": "${CANARY}`, 'line 1, column 11: a string is not closed'],
  ['empty', '', 'the file is empty'],
];

describe('a store that is not valid JSON', () => {
  it.each(BROKEN)('%s: its position, never its content', async (_what, text, where) => {
    const file = join(tempDir(), 'store.json');
    writeFileSync(file, text);
    const error = await FileStore.open(file, { readOnly: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toBe(
      `store ${file}: is not valid JSON (${where}); it was left untouched`,
    );
    expect((error as Error).message).not.toContain('CANARY');
  });

  it('from the command line: one line with the position, no secret', async () => {
    const t = tmp();
    writeFileSync(t.store, `{"version": 1, "token": "${CANARY}" oops}`);
    const before = fingerprint(t.store);
    for (const args of [['status'], ['poll', '--once'], ['export', '--format', 'csv']]) {
      const r = await runIn([...args, '--store', t.store], t);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `posture: store ${t.store}: is not valid JSON (line 1, column 63: expected ',' or '}'); it was left untouched\n`,
      );
    }
    expect(fingerprint(t.store)).toBe(before);
  });
});

describe('a key bindings file that is not valid JSON', () => {
  it.each(BROKEN)('%s: its position, never its content', (_what, text, where) => {
    const file = join(tempDir(), 'keys.json');
    writeFileSync(file, text);
    let error: unknown;
    try {
      loadKeymap(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KeymapError);
    expect((error as Error).message).toBe(`key bindings ${file}: not valid JSON (${where})`);
  });
});

describe('the JSON error locator', () => {
  /** Valid documents, and every way of cutting or changing one character in them. */
  const SEEDS = [
    '{"a": [1, -2.5e+3, true, false, null, "x\\n\\u00e9"], "b": {"c": {}}, "d": []}',
    '[{"k":"v"},{"k":0.1},"\\"",[[[]]]]',
    ' \t\n"str"\r\n',
    '0',
  ];
  const CHARS = ['', '"', '\\', ',', ':', '{', '}', '[', ']', '0', '-', 'e', '.', 'x', ' ', '\u0001', 't'];

  it('finds an error exactly when JSON.parse does, on thousands of mutations', () => {
    let tried = 0;
    for (const seed of SEEDS)
      for (let i = 0; i <= seed.length; i++)
        for (const c of CHARS)
          for (const cut of [0, 1]) {
            const text = seed.slice(0, i) + c + seed.slice(i + cut);
            let valid = true;
            try {
              JSON.parse(text);
            } catch {
              valid = false;
            }
            const said = jsonSyntaxError(text);
            if (valid) expect(said, text).toBe('not valid JSON');
            else expect(said, text).toMatch(/^(line \d+, column \d+: .+|the file is empty)$/);
            tried++;
          }
    expect(tried).toBeGreaterThan(4_000);
  });

  it('scans deep nesting without recursion', () => {
    expect(jsonSyntaxError(`${'['.repeat(200_000)}x`)).toBe('line 1, column 200001: unexpected character');
  });
});
