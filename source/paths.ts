import { homedir } from 'node:os';
import { join } from 'node:path';

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
