/**
 * What may reach a terminal from the program, and what may not: every ESC in the raw output must
 * start one of the few CSI forms Ink itself writes, and no control, C1, bidi or invisible format
 * character may be left once those are taken out.
 */

// What Ink 6 writes (both renderers): SGR colours, cursor up / next line / column, erase in line,
// cursor hide/show and synchronized output (mode 2026); and what the console writes itself (see
// ui/alternate-screen.ts): the alternate screen (1049) with the cursor home, and on leaving, the
// bracketed-paste and focus modes off (2004, 1004). Nothing else may reach the terminal.
export const INK_CSI = /^\x1b\[(?:\d+(?:;\d+)*m|\d*[AEGH]|2?K|\?(?:25|2026|1049|2004|1004)[hl])/;

// Controls, C1, bidi and invisible format characters; ZWJ is allowed (inside emoji only).
export const FORBIDDEN_CHARS =
  /[\x00-\x09\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9f\u061c\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;

/** Every ESC sequence in the raw output that is not one of Ink's own, with some context. */
export function foreignEscapes(raw: string): string[] {
  const bad: string[] = [];
  for (let i = raw.indexOf('\x1b'); i !== -1; i = raw.indexOf('\x1b', i + 1)) {
    if (!INK_CSI.test(raw.slice(i, i + 16))) bad.push(JSON.stringify(raw.slice(Math.max(0, i - 10), i + 16)));
  }
  return bad;
}

/** The raw output without Ink's own sequences, newlines as the program wrote them. */
export function terminalText(raw: string): string {
  return raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r\n/g, '\n');
}

/** The forbidden characters in a text, as code points in hex. */
export function forbiddenIn(text: string): string[] {
  return [...text.matchAll(new RegExp(FORBIDDEN_CHARS.source, 'gu'))].map((m) =>
    m[0].codePointAt(0)!.toString(16),
  );
}
