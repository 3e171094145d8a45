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
  if (plain !== undefined && isPlain(plain)) return plain;
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

/** Array items stringified together, at most: an export's 120,000 results are written in pieces. */
const ITEMS_PER_PART = 1000;

/**
 * `jsonText(value)` as pieces whose concatenation is the same text, for an object whose fields hold
 * long arrays (an export at 2,000 instances is over 90 MB): no one string of it all, nor its copy
 * as bytes, is made, and each piece is made as it is taken (written before the next is
 * stringified). Each field is stringified inside an object of its own, which indents it as the
 * whole would (`{ "results": [...] }` puts the items at the depth they have in the document), and
 * its wrapper is cut off; each piece is sanitized as `jsonText` sanitizes.
 */
export function* jsonPieces(value: unknown, indent: Indent = 2): Generator<string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return yield jsonText(value, indent);
  if (indent === 0) return yield* compactParts(value);
  let any = false;
  for (const [key, field] of Object.entries(value)) {
    const before = any ? ',\n' : '{\n';
    const list = listOf(field);
    if (!list || list.length <= ITEMS_PER_PART) {
      // `{\n  "key": value\n}` less its braces; a field JSON leaves out (undefined) gives `{}`.
      const text = wrapped(key, field);
      if (text !== '{}') {
        any = true;
        yield `${before}${text.slice(2, -2)}`;
      }
      continue;
    }
    for (let start = 0; start < list.length; start += ITEMS_PER_PART) {
      // `{\n  "key": [\n    item,\n    item\n  ]\n}`: the first piece keeps its head, the last its tail.
      const text = wrapped(key, list.slice(start, start + ITEMS_PER_PART));
      const open = text.indexOf('[\n') + 2;
      any = true;
      yield start === 0 ? `${before}${text.slice(2, open)}` : ',\n';
      // The items as a slice of the stringified text, a piece of its own: joined to the head it
      // would be copied once more before the write copies it again.
      yield text.slice(open, -6);
      if (start + ITEMS_PER_PART >= list.length) yield '\n  ]';
    }
  }
  yield any ? '\n}\n' : jsonText(value);
}

/**
 * `jsonPieces` without indentation: `{"key":value,...}` on one line. A field is stringified inside
 * an object of its own (`{"key":value}`, its braces cut off); a long array's items between the
 * `"key":[` of `{"key":[]}` and the `]}` at the end, so a key holding "[" cannot mislead the cut.
 */
function* compactParts(value: object): Generator<string> {
  let any = false;
  for (const [key, field] of Object.entries(value)) {
    const before = any ? ',' : '{';
    const list = listOf(field);
    if (!list || list.length <= ITEMS_PER_PART) {
      const text = wrapped(key, field, 0);
      if (text !== '{}') {
        any = true;
        yield `${before}${text.slice(1, -1)}`;
      }
      continue;
    }
    const open = wrapped(key, [], 0).length - 2;
    for (let start = 0; start < list.length; start += ITEMS_PER_PART) {
      const text = wrapped(key, list.slice(start, start + ITEMS_PER_PART), 0);
      any = true;
      yield start === 0 ? `${before}${text.slice(1, open)}` : ',';
      yield text.slice(open, -2);
      if (start + ITEMS_PER_PART >= list.length) yield ']';
    }
  }
  yield any ? '}\n' : jsonText(value, 0);
}

/** `{ [key]: value }` as `jsonText` writes it, without its final newline. */
function wrapped(key: string, value: unknown, indent: Indent = 2): string {
  return stringified({ [key]: value }, indent)!; // an object always gives text
}

/**
 * Whether JSON text holds printable ASCII strings only: no character beyond ASCII, no DEL (the
 * only control character JSON leaves raw), and no escape but `\"` and `\\` (a control character,
 * a lone surrogate). Each test is a scan of the text, the cheap first.
 */
function isPlain(text: string): boolean {
  if (Buffer.byteLength(text) !== text.length || text.includes('\x7f')) return false;
  // From one escape to the next (JSON has a backslash nowhere else): `indexOf` finds them several
  // times faster than a regular expression scans the text (93 MB for an export at 2,000 instances).
  for (let i = text.indexOf('\\'); i >= 0; i = text.indexOf('\\', i + 2)) {
    const escaped = text.charCodeAt(i + 1);
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
export async function writeFileAtomicAsync(file: string, pieces: Iterable<string>): Promise<void> {
  try {
    await writeAtomicAsync(file, pieces);
  } catch (error) {
    if (error instanceof UsageError) throw error; // made while writing: not the file's fault
    throw new UsageError(`cannot write ${file}: ${fsReason(error)}`);
  }
}
