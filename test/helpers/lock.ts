import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Above Linux's largest pid (2^22): never alive. */
export const DEAD_PID = 2 ** 22 + 12345;

/**
 * A lock on `file` as a posture leaves it (`<file>.lock/<id>.json`), last refreshed `ageMs` ago.
 * Returns the id.
 */
export function plantLock(
  file: string,
  holder: { pid: number; host?: string },
  ageMs = 0,
  id = randomBytes(16).toString('hex'),
): string {
  const dir = `${file}.lock`;
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, `${id}.json`);
  writeFileSync(entry, JSON.stringify({ host: hostname(), ...holder, id, at: new Date().toISOString() }));
  const then = new Date(Date.now() - ageMs);
  utimesSync(entry, then, then);
  return id;
}

/** Who holds the lock on `file` now (the entries of its lock directory). */
export function lockHolders(file: string): { pid: number; host: string; id: string }[] {
  const dir = `${file}.lock`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')));
}
