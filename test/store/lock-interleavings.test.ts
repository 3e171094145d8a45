import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireSteps, newLockId, releaseSteps, STALE_MS, touchLock } from '../../source/store/lock.js';
import { DEAD_PID, lockHolders, plantLock } from '../helpers/lock.js';
import { tempDir } from '../helpers/temp.js';

/**
 * The lock is written as generators that yield wherever another process may act (lock.ts). Here
 * several contenders run them step by step, in every order (two contenders) or every order with at
 * most two switches away from a contender that could go on (three contenders), from each starting
 * lock. A contender takes the lock, commits one increment of a counter file, and releases. After
 * every step: at most one contender holds the lock, and the lock holds exactly its entry. At the
 * end: the counter counts every contender that got the lock (none lost), nothing is left behind,
 * and a live lock we started with is untouched.
 */

type Start = (file: string) => string | undefined; // the id of a live lock planted, if any

const STARTS: Record<string, Start> = {
  'no lock': () => undefined,
  'a stale lock (pid dead)': (file) => void plantLock(file, { pid: DEAD_PID }),
  'a stale lock from another host (not refreshed for a minute)': (file) =>
    void plantLock(file, { pid: process.pid, host: 'elsewhere.example' }, 60_000),
  'a stale lock file of an older posture (pid dead)': (file) =>
    void writeFileSync(`${file}.lock`, JSON.stringify({ pid: DEAD_PID, host: hostname() })),
  'an empty lock directory': (file) => void mkdirSync(`${file}.lock`),
  'a live lock': (file) => plantLock(file, { pid: process.pid }),
  'a live lock from another host': (file) => plantLock(file, { pid: 1, host: 'elsewhere.example' }),
};

interface World {
  file: string;
  holding: Map<number, string>; // contender -> its lock id
  stalled: Set<number>; // holders that stopped past the heartbeat: their lock may be taken over
  acquired: number;
  commits: number;
  violations: string[];
}

/**
 * Take the lock, commit, release, as the store does. A stalling contender stops past the
 * heartbeat once it holds the lock (its entry ages), so the others may take it over; on resuming,
 * it commits only if the lock is still its own, as `Store.update` does.
 */
function* contender(me: number, w: World, stall: boolean): Generator<string, void> {
  const path = `${w.file}.lock`;
  const got = yield* acquireSteps(path, newLockId());
  if (!got.ok) return;
  w.holding.set(me, got.id);
  w.acquired++;
  if (stall) {
    yield 'stall';
    w.stalled.add(me);
    const then = new Date(Date.now() - 2 * STALE_MS);
    utimesSync(join(path, `${got.id}.json`), then, then);
  }
  yield 'commit';
  if (touchLock(path, got.id)) {
    const ids = lockHolders(w.file).map((h) => h.id);
    if (ids.length !== 1 || ids[0] !== got.id)
      w.violations.push(`contender ${me} commits, the lock holds ${JSON.stringify(ids)}`);
    const counter = `${w.file}.counter`;
    const n = existsSync(counter) ? Number(readFileSync(counter, 'utf8')) : 0;
    writeFileSync(counter, String(n + 1));
    w.commits++;
  }
  w.holding.delete(me);
  yield* releaseSteps(path, got.id);
}

function check(w: World, at: string): void {
  const live = [...w.holding].filter(([who]) => !w.stalled.has(who));
  if (live.length > 1) w.violations.push(`${at}: ${live.length} hold the lock`);
  for (const [who, id] of live) {
    const ids = lockHolders(w.file).map((h) => h.id);
    if (ids.length !== 1 || ids[0] !== id)
      w.violations.push(`${at}: contender ${who} holds, the lock holds ${JSON.stringify(ids)}`);
  }
}

/** Run one schedule (a prefix of choices, then the lowest runnable contender); report each step's choices. */
function runSchedule(
  dir: string,
  start: Start,
  contenders: number,
  stall: boolean,
  prefix: readonly number[],
): { steps: { runnable: number[]; chose: number }[]; world: World; live: string | undefined } {
  mkdirSync(dir);
  const file = join(dir, 'store.json');
  const live = start(file);
  const world: World = {
    file,
    holding: new Map(),
    stalled: new Set(),
    acquired: 0,
    commits: 0,
    violations: [],
  };
  const programs = Array.from({ length: contenders }, (_, k) => contender(k, world, stall && k === 0));
  const running = new Set(programs.keys());
  const steps: { runnable: number[]; chose: number }[] = [];
  while (running.size > 0) {
    const runnable = [...running];
    const chose = prefix[steps.length] ?? runnable[0]!;
    steps.push({ runnable, chose });
    const next = programs[chose]!.next();
    if (next.done) running.delete(chose);
    check(world, `step ${steps.length} (contender ${chose}${next.done ? ' done' : ` before ${next.value}`})`);
  }
  return { steps, world, live };
}

const preemptions = (choices: readonly number[], runnable: readonly number[][]) =>
  choices.filter((c, i) => i > 0 && c !== choices[i - 1] && runnable[i]!.includes(choices[i - 1]!)).length;

// Thousands of schedules, each in a directory of its own: in memory where there is a tmpfs.
const SHM = '/dev/shm';
const bases: string[] = [];
function scratch(): string {
  if (!existsSync(SHM)) return tempDir();
  const dir = mkdtempSync(join(SHM, 'posture-lock-'));
  bases.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of bases) rmSync(dir, { recursive: true, force: true });
});

/** Every schedule (within the bound), each checked; returns how many were run. */
function explore(start: Start, contenders: number, bound: number, stall = false): number {
  const base = scratch();
  const stack: number[][] = [[]];
  let runs = 0;
  while (stack.length > 0) {
    const prefix = stack.pop()!;
    const dir = join(base, String(runs++));
    const { steps, world, live } = runSchedule(dir, start, contenders, stall, prefix);
    const where = `schedule ${JSON.stringify(steps.map((s) => s.chose))}`;
    expect(world.violations, where).toEqual([]);
    const counter = join(dir, 'store.json.counter');
    expect(existsSync(counter) ? Number(readFileSync(counter, 'utf8')) : 0, where).toBe(world.commits);
    if (!stall) expect(world.commits, where).toBe(world.acquired);
    // A live lock we started with is untouched, and nobody else got in; otherwise nothing is left.
    if (live) {
      expect(world.acquired, where).toBe(0);
      expect(
        lockHolders(join(dir, 'store.json')).map((h) => h.id),
        where,
      ).toEqual([live]);
    } else {
      expect(world.acquired, where).toBeGreaterThan(0);
      expect(lockHolders(join(dir, 'store.json')), where).toEqual([]);
    }
    expect(
      readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      where,
    ).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
    // Branch at every step past the prefix, to each other contender that could have run there.
    const chosen = steps.map((s) => s.chose);
    const runnable = steps.map((s) => s.runnable);
    for (let i = prefix.length; i < steps.length; i++)
      for (const other of steps[i]!.runnable) {
        if (other === steps[i]!.chose) continue;
        const next = [...chosen.slice(0, i), other];
        if (preemptions(next, runnable) <= bound) stack.push(next);
      }
  }
  return runs;
}

const figures: string[] = [];

describe('two or three writers contending for the store lock, step by step', () => {
  it.each(Object.keys(STARTS))(
    'never both hold it, in every order, from %s',
    (name) => {
      const start = STARTS[name]!;
      const two = explore(start, 2, Number.POSITIVE_INFINITY);
      const three = explore(start, 3, 2);
      figures.push(`${name}: ${two} orders of 2 writers, ${three} of 3`);
      expect(two).toBeGreaterThan(1);
    },
    120_000,
  );

  it('never both commit, and each releases only its own lock, when a holder stalls past the heartbeat', () => {
    const two = explore(STARTS['no lock']!, 2, Number.POSITIVE_INFINITY, true);
    const three = explore(STARTS['no lock']!, 3, 2, true);
    figures.push(`the first holder stalling: ${two} orders of 2 writers, ${three} of 3`);
  }, 120_000);

  it('tally', () => {
    console.info(`lock interleavings:\n  ${figures.join('\n  ')}`);
  });
});
