import stringWidth from 'string-width';
import { PLAIN, sanitize } from './sanitize.js';

/** Text measured and cut in terminal cells: table columns, detail panes, the headless commands' tables. */

const widthCache = new Map<string, number>();
/** Display width in terminal cells (CJK and emoji are two), cached: rows repeat. */
export function width(s: string): number {
  let w = widthCache.get(s);
  if (w === undefined) {
    w = stringWidth(s);
    if (widthCache.size > 20_000) widthCache.clear();
    widthCache.set(s, w);
  }
  return w;
}

const segmenter = new Intl.Segmenter();

/** Cut to at most `cells` display cells, ending in an ellipsis when cut. */
export function truncate(s: string, cells: number): string {
  if (cells <= 0) return '';
  if (width(s) <= cells) return s;
  if (PLAIN.test(s)) return `${s.slice(0, cells - 1)}…`;
  let out = '';
  let used = 0;
  for (const ch of segmenter.segment(s)) {
    const w = width(ch.segment);
    if (used + w > cells - 1) break;
    out += ch.segment;
    used += w;
  }
  return `${out}…`;
}

/** Truncate, then pad with spaces to exactly `cells` display cells. */
export function fitCells(s: string, cells: number, align: 'left' | 'right' = 'left'): string {
  const t = truncate(s, cells);
  const gap = ' '.repeat(Math.max(0, cells - width(t)));
  return align === 'left' ? t + gap : gap + t;
}

/** Sanitize and fit in one step, for table cells. */
export const cell = (s: unknown, cells: number, align: 'left' | 'right' = 'left') =>
  fitCells(sanitize(s), cells, align);

/** Wrap multiline text to a width, by words, for detail panes. */
export function wrap(text: string, cells: number): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/ +/)) {
      const candidate = line ? `${line} ${word}` : word;
      if (width(candidate) <= cells) line = candidate;
      else {
        if (line) out.push(line);
        line = width(word) > cells ? truncate(word, cells) : word;
      }
    }
    out.push(line);
  }
  return out;
}
