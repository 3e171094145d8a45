import { randomBytes } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { sanitize } from '../text/sanitize.js';

/*
 * One writer per store. The lock is a directory beside the store, `<store>.lock`, holding one
 * entry named by its holder's random id: `<id>.json` = { pid, host, id, at }. Every change to it
 * is one atomic step that cannot touch another holder's lock:
 *  - taking it: the entry is written in a private directory, which is renamed to the lock's name;
 *    the rename fails while the lock holds an entry (it replaces only an empty directory);
 *  - taking over a stale lock, and releasing ours: unlinking the entry *by its id*. Of two writers
 *    that judged the same lock stale, one unlinks it and the other finds nothing to unlink: it never
 *    removes the lock that replaced it. An empty lock directory is a free lock.
 * The holder refreshes its entry's mtime (a heartbeat); a lock not refreshed for STALE_MS is stale
 * whatever its pid says: its holder is on another host, or gone and its pid reused. On this host a
 * lock whose pid is not alive is stale at once.
 */

/** How often the holder refreshes its lock. */
export const HEARTBEAT_MS = 5_000;
/** A lock not refreshed for this long is stale (six heartbeats missed). */
export const STALE_MS = 30_000;
// Older postures kept the lock as a file; one that does not say who holds it was left by a writer
// that died as it wrote it (they wrote it in two steps): after this long it is taken as stale.
const UNREADABLE_STALE_MS = 10_000;
// Claims before giving up when the lock keeps changing hands under us.
const ROUNDS = 6;

export interface Lock {
  /** The lock directory, for messages. */
  readonly path: string;
  /** Refresh the heartbeat; false once the lock is no longer ours (taken over as stale). */
  refresh(): boolean;
  release(): void;
}

export type Acquired = { ok: true; lock: Lock } | { ok: false; holder: string };

/**
 * The places where another process may act between two of our steps. The lock is written as
 * generators that yield there: `acquireLock` runs them straight through; the tests interleave
 * several of them in every order that matters.
 */
export type Step = 'claim' | 'inspect' | 'take over' | 'clear' | 'release' | 'tidy';

interface Holder {
  pid?: unknown;
  host?: unknown;
}

export function acquireLock(file: string): Acquired {
  const path = `${file}.lock`;
  const got = runSteps(acquireSteps(path));
  if (!got.ok) return got;
  let lost = false;
  let released = false;
  const refresh = () => {
    if (lost || released) return false;
    lost = !touchLock(path, got.id);
    return !lost;
  };
  const heartbeat = setInterval(refresh, HEARTBEAT_MS);
  heartbeat.unref(); // a heartbeat never keeps the program alive
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    process.off('exit', release); // a long session opens and closes many stores
    runSteps(releaseSteps(path, got.id));
  };
  process.once('exit', release);
  clearLeftovers(path);
  return { ok: true, lock: { path, refresh, release } };
}

function runSteps<T>(steps: Generator<Step, T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

export const newLockId = (): string => randomBytes(16).toString('hex');

/** Take the lock at `path` (a directory) as `id`, taking over a stale one. */
export function* acquireSteps(
  path: string,
  id = newLockId(),
): Generator<Step, { ok: true; id: string } | { ok: false; holder: string }> {
  // Private until renamed into place: nobody else ever sees a lock without its holder.
  const mine = `${path}.${id}.tmp`;
  mkdirSync(mine, { mode: 0o700 });
  try {
    writeFileSync(
      join(mine, `${id}.json`),
      JSON.stringify({ pid: process.pid, host: hostname(), id, at: new Date().toISOString() }),
      { mode: 0o600 },
    );
    for (let round = 0; round < ROUNDS; round++) {
      yield 'claim';
      const claimed = claim(mine, path);
      if (claimed === 'ours') return { ok: true, id };
      if (claimed === 'cleared') break; // we stalled so long that our private directory was cleared
      yield 'inspect';
      const held = inspect(path);
      if (held.kind === 'free') {
        // Where a rename does not replace an empty directory (Windows): remove it, if still empty.
        yield 'clear';
        try {
          rmdirSync(path);
        } catch {}
      } else if (held.kind === 'legacy') {
        if (!held.stale) return { ok: false, holder: holderText(path, held.holder) };
        yield 'take over';
        try {
          unlinkSync(path); // fails on a directory: never removes a lock of ours
        } catch {}
      } else {
        const live = held.entries.find((e) => !e.stale);
        if (live) return { ok: false, holder: holderText(path, live.holder) };
        for (const e of held.entries) {
          yield 'take over';
          try {
            unlinkSync(join(path, e.name)); // that one entry: gone already if another took it over
          } catch {}
        }
      }
    }
    return { ok: false, holder: `the lock ${path} kept changing hands; try again` };
  } finally {
    // Gone when the claim succeeded (it is the lock now); otherwise ours to remove.
    rmSync(mine, { recursive: true, force: true });
  }
}

/** Refresh our lock's heartbeat; false when it is no longer ours (taken over as stale). */
export function touchLock(path: string, id: string): boolean {
  try {
    const now = new Date();
    utimesSync(join(path, `${id}.json`), now, now); // our own entry, named by our id: never another's
    return true;
  } catch {
    return false;
  }
}

/** Release our lock: only our own entry is removed, and the directory only if it is empty. */
export function* releaseSteps(path: string, id: string): Generator<Step, void> {
  yield 'release';
  try {
    unlinkSync(join(path, `${id}.json`));
  } catch {}
  yield 'tidy';
  try {
    rmdirSync(path);
  } catch {}
}

function claim(mine: string, path: string): 'ours' | 'held' | 'cleared' {
  try {
    renameSync(mine, path);
    return 'ours';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Held (ENOTEMPTY, EEXIST), an older posture's lock file (ENOTDIR), or not replaceable here (EPERM).
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR' || code === 'EPERM') return 'held';
    if (code === 'ENOENT') return 'cleared';
    throw error;
  }
}

type Held =
  | { kind: 'free' }
  | { kind: 'legacy'; holder: Holder | undefined; stale: boolean }
  | { kind: 'entries'; entries: { name: string; holder: Holder | undefined; stale: boolean }[] };

function inspect(path: string): Held {
  let names: string[];
  try {
    names = readdirSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'free' };
    if (code !== 'ENOTDIR') throw error;
    const holder = read(path);
    const stale = holder ? sameHostDead(holder) : age(path) > UNREADABLE_STALE_MS;
    return { kind: 'legacy', holder, stale };
  }
  const entries = names.map((name) => {
    const holder = read(join(path, name));
    // An entry gone since readdir reads as old: there is nothing left to take over.
    const stale = age(join(path, name)) > STALE_MS || (holder !== undefined && sameHostDead(holder));
    return { name, holder, stale };
  });
  return entries.length === 0 ? { kind: 'free' } : { kind: 'entries', entries };
}

function read(path: string): Holder | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Holder) : undefined;
  } catch {
    return undefined;
  }
}

function sameHostDead(holder: Holder): boolean {
  return holder.host === hostname() && typeof holder.pid === 'number' && !alive(holder.pid);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** How long since the file was written or refreshed; a file gone counts as old. */
function age(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function holderText(path: string, holder: Holder | undefined): string {
  const pid = typeof holder?.pid === 'number' ? String(holder.pid) : '?';
  const host = typeof holder?.host === 'string' && holder.host ? sanitize(holder.host).slice(0, 64) : '?';
  return `another posture (pid ${pid} on ${host}) is writing this store; its lock is ${sanitize(path)}`;
}

/**
 * A private directory left by a posture killed as it took the lock. Moved aside before it is
 * removed: the move fails if its owner is renaming it into place at that moment, and the lock is
 * never left half removed. Old ones only: a young one may be in use.
 */
function clearLeftovers(path: string): void {
  const dir = dirname(path);
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const leftover = join(dir, name);
    if (age(leftover) <= STALE_MS) continue;
    const aside = `${path}.${newLockId()}.gone.tmp`; // cleared in turn if we are killed here
    try {
      renameSync(leftover, aside);
      rmSync(aside, { recursive: true, force: true });
    } catch {}
  }
}
