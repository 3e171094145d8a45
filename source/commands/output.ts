import { writeAtomic } from '../store/atomic.js';
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
export function jsonText(value: unknown): string {
  // Most documents are printable ASCII throughout, which the sanitizer leaves as it is: written
  // without a replacer (several times faster), and kept when the text shows no other character.
  const plain = JSON.stringify(value, null, 2) as string | undefined;
  if (plain !== undefined && isPlain(plain)) return `${plain}\n`;
  return `${JSON.stringify(value, sanitizing, 2)}\n`;
}

/**
 * Whether JSON text holds printable ASCII strings only: no character beyond ASCII, no DEL (the
 * only control character JSON leaves raw), and no escape but `\"` and `\\` (a control character,
 * a lone surrogate). An escaped backslash before a letter also fails it: the slower way is then
 * taken for nothing, never the other way round. Each test is a scan of the text, the cheap first.
 */
function isPlain(text: string): boolean {
  if (Buffer.byteLength(text) !== text.length || text.includes('\x7f')) return false;
  return !text.includes('\\') || !/\\[^"\\]/.test(text);
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
export function writeFileAtomic(file: string, text: string): void {
  try {
    writeAtomic(file, text);
  } catch (error) {
    throw new UsageError(`cannot write ${file}: ${fsReason(error)}`);
  }
}
