import stringWidth from 'string-width';

/**
 * The one sanitizer: every string that came from an API, a file or a user passes here before it
 * reaches a terminal or an export. Ink 6 lets OSC (clipboard, links, titles), C0 controls and bidi
 * overrides through, so we remove them ourselves.
 */

// ESC- and C1-introduced sequences, including OSC and string controls left unterminated.
const SEQUENCES = new RegExp(
  [
    '\\x1b\\[[0-?]*[ -/]*[@-~]', // CSI
    '\\x9b[0-?]*[ -/]*[@-~]', // 8-bit CSI
    '\\x1b\\][\\s\\S]*?(?:\\x07|\\x1b\\\\|\\x9c|$)', // OSC, to BEL / ST / end
    '\\x9d[\\s\\S]*?(?:\\x07|\\x1b\\\\|\\x9c|$)', // 8-bit OSC
    '\\x1b[PX^_][\\s\\S]*?(?:\\x1b\\\\|\\x9c|$)', // DCS, SOS, PM, APC
    '[\\x90\\x98\\x9e\\x9f][\\s\\S]*?(?:\\x1b\\\\|\\x9c|$)', // their 8-bit forms
    '\\x1b[ -/]*[0-~]', // other ESC sequences (RIS, charset selection…)
  ].join('|'),
  'g',
);
// C0 (but tab and newline, handled below), DEL, C1, a stray ESC.
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
// Format characters: bidi embeddings, overrides and isolates, zero-width spaces, BOM, soft hyphen…
// A zero-width joiner stays only between two pictographs (family and profession emoji).
const FORMAT = /\p{Cf}/gu;
const ZWJ_IN_EMOJI = /(?<=\p{Extended_Pictographic}\uFE0F?)\u200D(?=\p{Extended_Pictographic})/u;

export interface SanitizeOptions {
  /** Keep newlines (for descriptions); otherwise they become spaces. */
  multiline?: boolean;
}

// Printable ASCII needs no work: the common case, checked first because rows are drawn per key.
const PLAIN = /^[\x20-\x7e]*$/;

export function sanitize(input: unknown, options: SanitizeOptions = {}): string {
  let s = typeof input === 'string' ? input : input === undefined || input === null ? '' : String(input);
  if (PLAIN.test(s)) return s;
  s = s.toWellFormed().normalize('NFC');
  s = s.replace(SEQUENCES, '');
  // Unicode line and paragraph separators break lines in some terminals: treat them as newlines.
  s = s.replace(/\r\n?|[\u2028\u2029]/g, '\n').replace(/\t/g, '  ');
  s = s.replace(CONTROLS, '');
  s = s.replace(FORMAT, (ch, offset: number, whole: string) =>
    ch === '\u200D' && ZWJ_IN_EMOJI.test(whole.slice(Math.max(0, offset - 3), offset + 3)) ? ch : '',
  );
  if (!options.multiline) s = s.replace(/\n+/g, ' ');
  return s;
}

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
