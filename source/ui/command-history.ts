import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { makeFolders, readRegularFileSync } from '../files.js';
import { sanitize } from '../text/sanitize.js';
import { HISTORY } from './command-line.js';

/**
 * The `:` command line's history, kept across sessions as a shell keeps its own: one line per
 * command, the last first, in $XDG_STATE_HOME/posture (else ~/.local/state/posture), mode 0600.
 * It is a convenience: a file that cannot be read or written (a read-only home, a missing
 * folder, a FIFO in its place) leaves the history to the session, and never stops the console.
 */

/** A line longer than this is not a command anyone typed: dropped on reading. */
const LONGEST = 500;

export function historyFile(env: Readonly<Record<string, string | undefined>>): string {
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'posture', 'command-history');
}

/** The saved history, the last first: each line sanitized (the file is text anyone may have edited), at most HISTORY. */
export function loadHistory(file: string): string[] {
  let text: string;
  try {
    text = readRegularFileSync(file);
  } catch {
    return [];
  }
  const lines: string[] = [];
  for (const raw of text.split('\n')) {
    const line = sanitize(raw).trim();
    if (line && line.length <= LONGEST && !lines.includes(line)) lines.push(line);
    if (lines.length >= HISTORY) break;
  }
  return lines;
}

/**
 * Write the history in place of the file: a new file made exclusively (never through a link
 * planted under its name), mode 0600, renamed over the old one. Says nothing when it cannot.
 */
export function saveHistory(file: string, history: readonly string[]): boolean {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    makeFolders(dirname(file));
    const text = history
      .slice(0, HISTORY)
      .map((l) => sanitize(l).replace(/\s+/g, ' '))
      .join('\n');
    writeFileSync(temp, `${text}\n`, { mode: 0o600, flag: 'wx' });
    renameSync(temp, file);
    return true;
  } catch {
    rmSync(temp, { force: true });
    return false;
  }
}
