import { writeAtomic, writeAtomicAsync } from '../store/atomic.js';
import { fsReason } from '../files.js';
import { fitCells, width } from '../text/cells.js';
import { sanitize } from '../text/sanitize.js';
import { UsageError } from './context.js';

/** An aligned text table; every cell sanitized and cut to its column. */
export function table(head: string[], rows: string[][], maxWidths: number[]): string {
  const clean = rows.map((r) => head.map((_, i) => sanitize(r[i] ?? '')));
  const widths = head.map((h, i) =>
    Math.min(maxWidths[i] ?? 40, Math.max(width(h), ...clean.map((r) => width(r[i]!)))),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => fitCells(c, widths[i] ?? 10))
      .join('  ')
      .trimEnd();
  return [
    line(head.map((h) => sanitize(h))),
    line(widths.map((w) => '-'.repeat(w))),
    ...clean.map(line),
  ].join('\n');
}

/**
 * A deep copy with every string (keys too) through the sanitizer. JSON escapes control characters
 * itself, but bidi and zero-width characters would pass, and a consumer may print the values.
 */
export function cleanJson(value: unknown): unknown {
  if (typeof value === 'string') return sanitize(value, { multiline: true });
  if (Array.isArray(value)) return value.map(cleanJson);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [sanitize(k), cleanJson(v)]));
  return value;
}

/**
 * Sanitized, indented JSON with a final newline: what `JSON.stringify(cleanJson(value))` gives,
 * without the deep copy (an export at 2,000 instances is 38 MB of JSON; the copy took as long as
 * the text). Strings are sanitized as they are written; an object is copied only when one of its
 * keys needs the sanitizer.
 */
export function jsonText(value: unknown, indent: Indent = 2): string {
  return `${stringified(value, indent)}\n`;
}

/** `jsonText` without its final newline: one flat string, which `slice` cuts without a copy. */
function stringified(value: unknown, indent: Indent): string | undefined {
  // Most documents are printable ASCII throughout, which the sanitizer leaves as it is: written
  // without a replacer (several times faster), and kept when the text shows no other character.
  const plain = JSON.stringify(value, null, indent) as string | undefined;
  if (plain !== undefined && isPlain(Buffer.from(plain), plain.length)) return plain;
  return JSON.stringify(value, sanitizing, indent) as string | undefined;
}

/** Spaces per level: 2 for a person to read, 0 (one line) for a tool. */
export type Indent = 0 | 2;

/**
 * A long array made a slice at a time (`slice(start, end)`, as an array's): `jsonPieces` stringifies
 * each slice as soon as it is made, so its items die young. Anywhere else it is the whole array.
 */
export class Slices<T> {
  constructor(
    readonly length: number,
    readonly slice: (start: number, end: number) => T[],
  ) {}

  toJSON(): T[] {
    return this.slice(0, this.length);
  }
}

/** The items of a field `jsonPieces` may cut into pieces: an array, or one made in slices. */
function listOf(
  field: unknown,
): { length: number; slice(start: number, end: number): unknown[] } | undefined {
  return field instanceof Slices || Array.isArray(field) ? (field as unknown[]) : undefined;
}

/**
 * Array items stringified together, at most: a text under V8's large-object size (about 60 KB at
 * an export's 620 bytes a result), whose flat copy is made in memory the heap already has; at 1,000
 * items each copy took fresh pages from the system, 50 ms over a 94 MB export.
 */
const ITEMS_PER_PART = 100;

/** Bytes made before a piece is handed over: a write of about a megabyte. */
const PIECE_BYTES = 1 << 20;

/**
 * `jsonText(value)` as UTF-8 pieces whose concatenation is the same text, for an object whose
 * fields hold long arrays (an export at 2,000 instances is over 90 MB): no one string of it all is
 * made, and each piece is made as it is taken (written before the next is stringified). A long
 * array is stringified a slice at a time inside an object of its own, which indents it as the whole
 * would (`{ "results": [...] }` puts the items at the depth they have in the document), and its
 * wrapper is cut off; each slice is sanitized as `jsonText` sanitizes.
 *
 * The pieces are made in two buffers in turn (at 94 MB, a new buffer each took as long as the copy
 * into it), so a piece is good until the next but one is made: write or copy each piece before
 * taking the next but one, as a writer with one write in flight does (`writeAtomicAsync`).
 */
export function* jsonPieces(value: unknown, indent: Indent = 2): Generator<Uint8Array> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return yield Buffer.from(jsonText(value, indent));
  const nl = indent === 0 ? '' : '\n';
  const out = new Pieces();
  let any = false;
  for (const [key, field] of Object.entries(value)) {
    const before = any ? `,${nl}` : `{${nl}`;
    const list = listOf(field);
    if (!list || list.length <= ITEMS_PER_PART) {
      // `{"key":value}` less its braces (and, indented, their line breaks); a field JSON leaves
      // out (undefined) gives `{}`.
      const text = wrapped(key, field, indent);
      if (text !== '{}') {
        any = true;
        out.text(`${before}${text.slice(1 + nl.length, -1 - nl.length)}`);
      }
      continue;
    }
    any = true;
    // A slice's text: `{"key":[item,item]}`, indented `{\n  "key": [\n    item,\n    item\n  ]\n}`.
    // The first keeps the head of its wrapper less the brace, the others their items only; where
    // the items start is found by the key's own text (a key may hold "["), or, indented, by the
    // first line break after a "[" (JSON has none inside a key).
    const keyHead = Buffer.byteLength(wrapped(key, [], 0)) - 2;
    const open = (bytes: Buffer) => (indent === 0 ? keyHead : bytes.indexOf('[\n') + 2);
    for (let start = 0; start < list.length; start += ITEMS_PER_PART) {
      const wrapper = { [key]: list.slice(start, start + ITEMS_PER_PART) };
      out.text(start === 0 ? before : `,${nl}`);
      out.json(
        JSON.stringify(wrapper, null, indent),
        () => JSON.stringify(wrapper, sanitizing, indent),
        start === 0 ? () => 1 + nl.length : open,
        indent === 0 ? 2 : 6,
      );
      if (out.length >= PIECE_BYTES) yield out.take();
    }
    out.text(indent === 0 ? ']' : '\n  ]');
  }
  out.text(any ? `${nl}}\n` : jsonText(value, indent));
  yield out.take();
}

/** `{ [key]: value }` as `jsonText` writes it, without its final newline. */
function wrapped(key: string, value: unknown, indent: Indent): string {
  return stringified({ [key]: value }, indent)!; // an object always gives text
}

/** The bytes of `jsonPieces`, made in two buffers in turn, each grown as a piece needs. */
class Pieces {
  private readonly buffers = [Buffer.alloc(0), Buffer.alloc(0)];
  private turn = 0;
  /** Bytes made for the next piece. */
  length = 0;

  /** Text that needs no sanitizer, or has had it. */
  text(text: string): void {
    this.length += this.room(text.length).write(text, this.length, 'utf8');
  }

  /**
   * JSON text, checked on its bytes as it is written (V8 makes no flat copy of it first, as a check
   * on the string would), with `head(bytes)` bytes cut off its start and `tail` off its end. Not
   * plain, it is made again by `clean` (the sanitizer's) in its place.
   */
  json(plain: string, clean: () => string, head: (bytes: Buffer) => number, tail: number): void {
    const at = this.length;
    let buffer = this.room(plain.length);
    let n = buffer.write(plain, at, 'utf8');
    if (!isPlain(buffer.subarray(at, at + n), plain.length)) {
      const text = clean();
      buffer = this.room(text.length);
      n = buffer.write(text, at, 'utf8');
    }
    const skip = head(buffer.subarray(at, at + n));
    buffer.copyWithin(at, at + skip, at + n - tail);
    this.length += n - skip - tail;
  }

  /** The bytes made, as a piece; the next are made in the other buffer. */
  take(): Buffer {
    const piece = this.buffers[this.turn]!.subarray(0, this.length);
    this.turn ^= 1;
    this.length = 0;
    return piece;
  }

  /** The buffer, with room for `units` more UTF-16 code units (3 bytes each at most: never cut short). */
  private room(units: number): Buffer {
    const need = this.length + units * 3;
    const buffer = this.buffers[this.turn]!;
    if (buffer.length >= need) return buffer;
    const bigger = Buffer.allocUnsafeSlow(Math.max(need, 2 * PIECE_BYTES, 2 * buffer.length));
    buffer.copy(bigger, 0, 0, this.length);
    return (this.buffers[this.turn] = bigger);
  }
}

/**
 * Whether JSON text, as UTF-8 `bytes` of a `length`-unit string, holds printable ASCII strings
 * only: no character beyond ASCII (as many bytes as units), no DEL (the only control character JSON
 * leaves raw), and no escape but `\"` and `\\` (a control character, a lone surrogate). Each test
 * is a scan of the bytes, the cheap first.
 */
function isPlain(b: Buffer, length: number): boolean {
  if (b.length !== length || b.indexOf(0x7f) >= 0) return false;
  // From one escape to the next (JSON has a backslash nowhere else): `indexOf` finds them several
  // times faster than a regular expression scans the text (93 MB for an export at 2,000 instances).
  for (let i = b.indexOf(0x5c); i >= 0; i = b.indexOf(0x5c, i + 2)) {
    const escaped = b[i + 1];
    if (escaped !== 0x22 && escaped !== 0x5c) return false;
  }
  return true;
}

function sanitizing(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return sanitize(value, { multiline: true });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  for (const k in value) if (sanitize(k) !== k) return cleanKeys(value);
  return value;
}

/** One level of an object with its keys sanitized (the replacer reaches its values itself). */
function cleanKeys(value: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [sanitize(k), v]));
}

/**
 * Write a whole file or nothing, mode 0600 (an export holds findings an attacker would like to
 * read). A failure is a usage error naming the file.
 */
export function writeFileAtomic(file: string, text: string | readonly string[]): void {
  try {
    writeAtomic(file, text);
  } catch (error) {
    throw new UsageError(`cannot write ${file}: ${fsReason(error)}`);
  }
}

/** `writeFileAtomic` of pieces made as they are written (an export's JSON at fleet size). */
export async function writeFileAtomicAsync(
  file: string,
  pieces: Iterable<string | Uint8Array>,
): Promise<void> {
  try {
    await writeAtomicAsync(file, pieces);
  } catch (error) {
    if (error instanceof UsageError) throw error; // made while writing: not the file's fault
    throw new UsageError(`cannot write ${file}: ${fsReason(error)}`);
  }
}
