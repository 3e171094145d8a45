import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import { STORE_VERSION } from '../domain/schemas.js';
import { entryOf } from '../paths.js';
import type { Store } from '../store/api.js';

/**
 * The schema check skipped for a read-only command on a store file this posture has already
 * checked, unchanged since (at 2,000 instances the check and the copy it makes are a quarter of a
 * `status`). What makes it safe:
 * - A file is known by its identity and times (device, inode, size, modification and change times
 *   in nanoseconds) and those of every file beside it whose name starts with its own (the history,
 *   the last good copy, any file the store keeps there): every write changes one of them, and the
 *   change time cannot be set back by anyone.
 * - A file is recorded only when its times are older than the check by more than a tick of the
 *   clock that made them ("settled"): an edit in place within one tick could keep every time. A
 *   time in whole seconds may come from a coarse clock (1 s, 2 s on FAT): 2 s; a time with a
 *   fraction of a second comes from a fine one (Linux's ticks are 1-10 ms): 100 ms. So a `status`
 *   or `export` scripted right after a poll is checked once, not until the file is 2 s old.
 * - Only when the check found the file's document exactly as the check gives it (no field left to
 *   default, nothing unknown to drop; the file's own top-level bookkeeping aside): the unchecked
 *   document is then the checked one, as JSON.
 * - The record names this posture's version and the store's schema version; it lives in the
 *   user's cache folder (mode 0600), and a missing, foreign or unwritable record costs only a check.
 * A file changed by hand (or damaged) after it was recorded is checked again: its one clear line.
 */
const SETTLED_NS = 2_000_000_000n;
const SETTLED_FINE_NS = 100_000_000n;
const SECOND_NS = 1_000_000_000n;

/** Whether a time `at` is settled by `now` (above): past the tick of the clock that made it. */
const settledBy = (at: bigint, now: bigint) =>
  now - at > (at % SECOND_NS === 0n ? SETTLED_NS : SETTLED_FINE_NS);
const KEEP = 16;
const RECORD = 'checked-stores.json';

/** What a store file is now: an id that every write changes, and whether it is settled. */
export interface FileVersion {
  id: string;
  settled: boolean;
}

/** The store file's version with its sibling files', or undefined when it is not a plain file. */
export function versionOf(file: string, now = Date.now()): FileVersion | undefined {
  const dir = dirname(file);
  const name = basename(file);
  let siblings: string[];
  try {
    siblings = readdirSync(dir).filter((n) => n.startsWith(name) && n !== name);
  } catch {
    return undefined;
  }
  const nowNs = BigInt(now) * 1_000_000n;
  let settled = true;
  const ids: string[] = [];
  for (const n of [name, ...siblings.sort()]) {
    const s = statSync(join(dir, n), { bigint: true, throwIfNoEntry: false });
    if (!s) continue; // gone meanwhile (a lock released): the versions before and after differ
    if (n === name && !s.isFile()) return undefined;
    ids.push(`${n}:${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`);
    if (!settledBy(s.mtimeNs, nowNs) || !settledBy(s.ctimeNs, nowNs)) settled = false;
  }
  if (ids.length === 0 || !ids[0]!.startsWith(`${name}:`)) return undefined;
  return { id: `${pkg.version}|${STORE_VERSION}|${ids.join('|')}`, settled };
}

function recordFile(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'posture', RECORD);
}

function readRecord(env: NodeJS.ProcessEnv): Record<string, string> {
  try {
    const r = JSON.parse(readFileSync(recordFile(env), 'utf8')) as unknown;
    if (r === null || typeof r !== 'object' || Array.isArray(r)) return {};
    return Object.fromEntries(Object.entries(r).filter(([, v]) => typeof v === 'string')) as Record<
      string,
      string
    >;
  } catch {
    return {};
  }
}

function writeRecord(env: NodeJS.ProcessEnv, entry: string, id: string): void {
  const file = recordFile(env);
  // The newest last; a few stores at most (a workspace, a demo, a test fleet).
  const kept = Object.entries(readRecord(env)).filter(([k]) => k !== entry);
  const record = Object.fromEntries([...kept.slice(-(KEEP - 1)), [entry, id]]);
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(record), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // A read-only or missing cache folder: the next read checks again.
  }
}

/**
 * Check a store opened read-only with `checkLater`, unless this file was checked before and is
 * unchanged (`before`: its version taken before it was opened). Throws the check's StoreError.
 */
export function checkUnlessKnown(
  store: Store,
  before: FileVersion | undefined,
  env: NodeJS.ProcessEnv,
  now = Date.now(),
): void {
  const after = versionOf(store.file, now);
  // Changed while it was read (a commit between the stat and the read): which one was read is
  // not known, so it is checked and not recorded.
  const same = before !== undefined && after !== undefined && before.id === after.id;
  const entry = entryOf(store.file);
  if (same && readRecord(env)[entry] === before.id) return;
  const raw = store.doc;
  store.check();
  if (same && before.settled && sameFields(raw, store.doc)) writeRecord(env, entry, before.id);
}

/**
 * Whether the unchecked document holds every field of the checked one, the same: beside them the
 * file keeps its own bookkeeping (the commit's number), which nothing reads from the document.
 */
function sameFields(raw: unknown, checked: object): boolean {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return false;
  return Object.entries(checked).every(([k, v]) => sameJson((raw as Record<string, unknown>)[k], v));
}

/**
 * Whether two parsed JSON values are the same (keys in any order, as JSON has them; a commit
 * writes objects in the order the code made them, not the schema's). Written for JSON alone:
 * `util.isDeepStrictEqual` took 300 ms on a fleet.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka)
    if (
      !Object.hasOwn(b, k) ||
      !sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
    )
      return false;
  return true;
}
