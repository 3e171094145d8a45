import { sanitize } from '../text/sanitize.js';

/**
 * Copy to the clipboard with OSC 52: the terminal sets its clipboard from the sequence, so it works
 * over SSH and through jump hosts (the terminal on the operator's desk does it). The console's
 * own deliberate write of a value it chose, sanitized and capped (k9s caps it too): text from a
 * tenant never becomes an escape sequence of its own.
 */

/** Larger values are refused, not cut: a cut URL or id would paste as a wrong one. */
export const COPY_MAX = 4096;

const ESC = '\u001b';

/**
 * The bytes that copy `text`, or why not. In tmux the sequence is sent as it is (tmux takes it with
 * `set-clipboard on`) and again wrapped for passthrough (with `allow-passthrough on`), so either
 * setting works; the same value set twice is harmless.
 */
export function osc52(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
): { bytes: string } | { error: string } {
  const value = sanitize(text);
  if (value === '') return { error: 'nothing to copy' };
  const data = Buffer.from(value, 'utf8');
  if (data.length > COPY_MAX)
    return { error: `too long to copy (${data.length} bytes; at most ${COPY_MAX})` };
  const plain = `${ESC}]52;c;${data.toString('base64')}\u0007`;
  if (!env.TMUX) return { bytes: plain };
  // Inside tmux's passthrough every ESC of the wrapped sequence is doubled.
  return { bytes: `${plain}${ESC}Ptmux;${plain.replaceAll(ESC, ESC + ESC)}${ESC}\\` };
}
