import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../helpers/temp.js';

// The random part of a temporary name, fixed by a test to plant a link where the writer will write.
const fixed: { bytes?: Buffer } = {};
vi.mock('node:crypto', async (actual) => {
  const crypto = await actual<typeof import('node:crypto')>();
  return {
    ...crypto,
    randomBytes: (n: number) => fixed.bytes ?? crypto.randomBytes(n),
  };
});
const { encoded, unwritten, writeAtomic, writeAtomicAsync } = await import('../../source/store/atomic.js');

afterEach(() => {
  delete fixed.bytes;
});

/** A folder with a file to write and a victim file elsewhere that an attacker wants overwritten. */
function scene() {
  const dir = tempDir();
  const victim = join(tempDir(), 'victim');
  writeFileSync(victim, 'precious');
  const file = join(dir, 'export.json');
  return { dir, file, victim };
}

describe('writeAtomic', () => {
  it('does not write through links planted at the names older postures used (pid and a counter)', () => {
    const { dir, file, victim } = scene();
    for (let n = 0; n < 50; n++) symlinkSync(victim, `${file}.${process.pid}.${n}.tmp`);
    writeAtomic(file, 'the export');
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(file).isFile()).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('the export');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((f) => !f.startsWith('export.json.') || !f.endsWith('.tmp'))).toEqual([
      'export.json',
    ]);
  });

  it('names each temporary file unpredictably', async () => {
    const { temporaryName } = await import('../../source/store/atomic.js');
    const names = new Set(Array.from({ length: 100 }, () => temporaryName('/x/store.json')));
    expect(names.size).toBe(100);
  });

  it('refuses a name someone took, even knowing it in advance, and leaves their file alone', () => {
    const { dir, file, victim } = scene();
    fixed.bytes = Buffer.alloc(8, 0xab);
    const planted = `${file}.${process.pid}.${'ab'.repeat(8)}.tmp`;
    symlinkSync(victim, planted); // a dangling link would do as well: O_EXCL fails on any name
    writeFileSync(file, 'old');
    expect(() => writeAtomic(file, 'new')).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(lstatSync(planted).isSymbolicLink()).toBe(true); // not ours to remove
    expect(readdirSync(dir).sort()).toEqual(['export.json', planted.slice(dir.length + 1)].sort());
  });

  it('refuses a target that is not a regular file rather than replacing it', () => {
    const dir = tempDir();
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(() => writeAtomic(fifo, 'x')).toThrow(/is a FIFO, not a regular file/);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(existsSync(join(dir, 'fifo.bak'))).toBe(false);
  });
});

describe('a file written from pieces (a commit of the state file)', () => {
  // More pieces than one gathered write takes (1,024), empty ones and multi-byte text among them.
  const pieces = Array.from({ length: 2500 }, (_, i) =>
    Buffer.from(i % 7 === 0 ? '' : i % 11 === 0 ? `é${i}→` : `piece ${i},`),
  );
  const whole = Buffer.concat(pieces);

  it('has every piece in order, written at once', () => {
    const { file } = scene();
    writeAtomic(file, pieces);
    expect(readFileSync(file).equals(whole)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('has every piece in order, written off the main thread', async () => {
    const { file } = scene();
    await writeAtomicAsync(file, pieces);
    expect(readFileSync(file).equals(whole)).toBe(true);
  });

  it('carries on from the middle of a piece when a write was short', () => {
    const parts = [Buffer.from('abc'), Buffer.from(''), Buffer.from('defg'), Buffer.from('h')];
    expect(unwritten(parts, 0).map(String)).toEqual(['abc', '', 'defg', 'h']);
    expect(unwritten(parts, 3).map(String)).toEqual(['defg', 'h']);
    expect(unwritten(parts, 5).map(String)).toEqual(['fg', 'h']);
    expect(unwritten(parts, 8)).toEqual([]);
  });
});

describe('a file written from pieces made as they are written (an export)', () => {
  // Short, and long: over the bytes between two flushes (16 MB), flushed while still being written.
  const exports = [
    {
      kind: 'short',
      count: 50,
      failAt: 30,
      piece: (i: number) => `piece ${i}é,`,
    },
    {
      kind: 'long, ASCII and not',
      count: 40,
      failAt: 35,
      piece: (i: number) =>
        i % 3 === 0 ? `${'é→'.repeat(200_000)}${i}` : `${String(i % 10).repeat(1_000_000)},`,
    },
  ];
  function* pieces(e: (typeof exports)[number], failAt?: number) {
    for (let i = 0; i < e.count; i++) {
      if (i === failAt) throw new Error('the export could not be made');
      yield e.piece(i);
    }
  }

  it.each(exports)('$kind: has every piece in order', async (e) => {
    const { file } = scene();
    await writeAtomicAsync(file, pieces(e));
    expect(readFileSync(file).equals(Buffer.from([...pieces(e)].join('')))).toBe(true);
  });

  it.each(exports)(
    '$kind: leaves the old file as it was, and no temporary file, when making a piece fails',
    async (e) => {
      const { dir, file } = scene();
      writeFileSync(file, 'the last export');
      await expect(writeAtomicAsync(file, pieces(e, e.failAt))).rejects.toThrow('could not be made');
      expect(readFileSync(file, 'utf8')).toBe('the last export');
      expect(readdirSync(dir)).toEqual(['export.json']);
    },
  );
});

describe('a piece as bytes', () => {
  it('is its UTF-8, whether all ASCII or not', () => {
    // Latin-1 would write U+00FF as one byte and keep only the low byte of U+2192 or a surrogate.
    for (const text of ['', 'plain ASCII {"a":1}\n', '\x7f', 'ÿ', 'é→', '😀', 'lone \ud800 half', 'x\u0100'])
      expect(encoded(text).equals(Buffer.from(text, 'utf8'))).toBe(true);
  });
});
