import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundle } from '../../scripts/build.mjs';
import { FAULT_KINDS } from '../helpers/faults.js';
import { HOSTILE, PAYLOAD_MARKERS } from '../helpers/hostile.js';
import { tempDir } from '../helpers/temp.js';

/**
 * The program ships only what it runs: the fault set and the hostile corpus are test code, so the
 * bundle `npm run build` makes holds no trace of them. Bundled afresh here, so a stale dist/ cannot
 * hide one that came back.
 */

// Fault kinds that are also everyday words of any HTTP client (got says "timeout" and "reset" too).
const HTTP_WORDS = new Set(['timeout', 'status', 'reset', 'truncate', 'html']);
// Payloads the program itself names: the Okta endpoint /org/privacy/…, and the escape sequences
// (tmux passthrough, iTerm's inline files) that Ink's terminal libraries know how to write, and
// the console's own clipboard copy (ui/clipboard.ts: OSC 52 of a value it chose, sanitized).
const PROGRAM_WORDS = new Set(['privacy', 'tmux;', '1337;File', '52;c;']);

const count = (text: string, word: string) => text.split(word).length - 1;

let program = '';
beforeAll(async () => {
  const out = join(tempDir(), 'posture.mjs');
  await bundle('source/main.ts', out);
  program = readFileSync(out, 'utf8');
});

describe('the bundled program', () => {
  it('holds the simulator the demo runs', () => {
    expect(count(program, 'no such tenant on this simulator')).toBe(1);
  });

  it('holds no fault injection', () => {
    const words = [
      ...FAULT_KINDS.filter((k) => !HTTP_WORDS.has(k)).map((k) => `"${k}"`),
      // What the fault set writes: its default error, its HTML page, the header it echoes.
      'simulated failure',
      'Maintenance in progress',
      '{authorization}',
    ];
    expect(words.length).toBeGreaterThan(6);
    expect(Object.fromEntries(words.map((w) => [w, count(program, w)]))).toEqual(
      Object.fromEntries(words.map((w) => [w, 0])),
    );
  });

  it('holds no hostile corpus', () => {
    const words = [
      // The corpus's descriptions ("OSC 52 clipboard write"), less the bare abbreviations (BEL, APC).
      ...HOSTILE.map((h) => h.name).filter((n) => n.includes(' ')),
      // Its payloads, less the bare CSI tails ("[6n") that any terminal library may write.
      ...PAYLOAD_MARKERS.filter((m) => !m.startsWith('[') && !PROGRAM_WORDS.has(m)),
    ];
    expect(words.length).toBeGreaterThan(35);
    expect(Object.fromEntries(words.map((w) => [w, count(program, w)]))).toEqual(
      Object.fromEntries(words.map((w) => [w, 0])),
    );
  });
});
