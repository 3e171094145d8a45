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

/** Sanitized, indented JSON with a final newline. */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(cleanJson(value), null, 2)}\n`;
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
