import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

/** Where posture keeps its data: $XDG_DATA_HOME/posture, else ~/.local/share/posture. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'posture');
}

export function defaultStore(env: NodeJS.ProcessEnv = process.env): string {
  return env.POSTURE_STORE || join(dataDir(env), 'store.json');
}

export function demoStore(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataDir(env), 'demo.json');
}

/**
 * The directory entry a write to `file` replaces (a temporary file renamed over it): the name in
 * its folder's real path, every symbolic link of the folder resolved. The file itself need not
 * exist; a folder that does not either is named as given (the write fails there anyway).
 */
export function entryOf(file: string): string {
  let dir: string;
  try {
    dir = realpathSync.native(dirname(file));
  } catch {
    dir = resolve(dirname(file));
  }
  return join(dir, basename(file));
}

/** Every name that reaches `file`: its entry, and the file it leads to when it is a link. */
export function namesOf(file: string): string[] {
  const names = [entryOf(file)];
  try {
    names.push(realpathSync.native(file));
  } catch {}
  return names;
}
