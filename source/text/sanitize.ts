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
export const PLAIN = /^[\x20-\x7e]*$/;

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
