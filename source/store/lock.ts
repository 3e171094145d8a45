import { linkSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
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

// A lock file that does not say who holds it can only be left by a writer that died as it wrote it
// (older postures wrote it in two steps); after this long it is taken as stale.
const UNREADABLE_STALE_MS = 10_000;

/**
 * One writer per store: a lock file beside it holding the writer's pid and host. A lock left by a
 * process that is gone (same host, pid not alive) is stale and taken over.
 */
export function acquireLock(file: string): { ok: true; lock: Lock } | { ok: false; holder: string } {
  const path = `${file}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (create(path)) {
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
    }
    let holder: { pid?: number; host?: string } | undefined;
    try {
      holder = JSON.parse(readFileSync(path, 'utf8'));
    } catch {}
    const stale = holder
      ? holder.host === hostname() && typeof holder.pid === 'number' && !alive(holder.pid)
      : age(path) > UNREADABLE_STALE_MS;
    if (!stale || attempt > 0) {
      return {
        ok: false,
        holder: `another posture (pid ${holder?.pid ?? '?'} on ${holder?.host ?? '?'}) is writing this store`,
      };
    }
    try {
      unlinkSync(path);
    } catch {}
  }
  return { ok: false, holder: 'could not take the store lock' };
}

/**
 * Create the lock with its content in one step (written beside it, then linked into place, which
 * fails if a lock exists): a writer killed mid-way, or a full disk, leaves no empty lock behind.
 */
function create(path: string): boolean {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString() }), {
      mode: 0o600,
    });
    linkSync(tmp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    try {
      unlinkSync(tmp);
    } catch {}
  }
}

function age(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}
