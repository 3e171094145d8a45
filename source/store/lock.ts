import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

export interface Lock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One writer per store: a lock file beside it holding the writer's pid and host. A lock left by a
 * process that is gone (same host, pid not alive) is stale and taken over.
 */
export function acquireLock(file: string): { ok: true; lock: Lock } | { ok: false; holder: string } {
  const path = `${file}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString() }));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release); // a long session opens and closes many stores
        try {
          unlinkSync(path);
        } catch {}
      };
      process.once('exit', release);
      return { ok: true, lock: { release } };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder: { pid?: number; host?: string } = {};
      try {
        holder = JSON.parse(readFileSync(path, 'utf8'));
      } catch {}
      const stale = holder.host === hostname() && typeof holder.pid === 'number' && !alive(holder.pid);
      if (!stale || attempt > 0) {
        return {
          ok: false,
          holder: `another posture (pid ${holder.pid ?? '?'} on ${holder.host ?? '?'}) is writing this store`,
        };
      }
      try {
        unlinkSync(path);
      } catch {}
    }
  }
  return { ok: false, holder: 'could not take the store lock' };
}
