import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { emptyStore, type Instance } from '../../source/domain/schemas.js';
import { instance } from '../commands/helpers.js';
import { disposeWhenDone } from '../helpers/cleanup.js';
import { tempDir } from '../helpers/temp.js';
import type { WorkerArgs } from './fixtures/worker-process.js';
import { writeStore } from '../reliability/helpers.js';
import { bundleFixture } from '../helpers/bundle.js';

/** The worker fixture as one script (pg and pg-boss inside), so a test can start and kill real processes. */
export const bundleWorker = () => bundleFixture(join(import.meta.dirname, 'fixtures', 'worker-process.ts'));

/** A store file with `n` instances never polled (so all are due); ids `i0`…; their tenants `host` apart. */
export function storeOf(n: number, patch: (k: number) => Partial<Instance> = () => ({})): string {
  const file = join(tempDir(), 'store.json');
  const doc = emptyStore();
  doc.instances = Array.from({ length: n }, (_, k) => {
    const { lastPoll: _never, ...i } = instance(`i${k}`, { name: `Okta ${k}`, ...patch(k) });
    return i;
  });
  writeStore(file, doc);
  return file;
}

/** The table the seam poll records into. */
export async function seamTable(databaseUrl: string): Promise<pg.Pool> {
  const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  disposeWhenDone(() => db.end());
  await db.query(
    `CREATE TABLE seam_polls (id serial PRIMARY KEY, instance_id text NOT NULL, worker text NOT NULL,
       started_at timestamptz NOT NULL, ended_at timestamptz)`,
  );
  return db;
}

export interface Polled {
  instance_id: string;
  worker: string;
  started_at: Date;
  ended_at: Date | null;
}

export async function polls(db: pg.Pool): Promise<Polled[]> {
  return (
    await db.query<Polled>('SELECT instance_id, worker, started_at, ended_at FROM seam_polls ORDER BY id')
  ).rows;
}

/** Pairs of polls of one instance whose times overlap (a poll not ended runs until `openEnd`). */
export function overlaps(rows: readonly Polled[], openEnd = new Date(8.64e15)): [Polled, Polled][] {
  const out: [Polled, Polled][] = [];
  for (const [n, a] of rows.entries())
    for (const b of rows.slice(n + 1))
      if (
        a.instance_id === b.instance_id &&
        a.started_at < (b.ended_at ?? openEnd) &&
        b.started_at < (a.ended_at ?? openEnd)
      )
        out.push([a, b]);
  return out;
}

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves when a line of its output matches. */
  waitFor(pattern: RegExp, ms?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startWorker(script: string, args: WorkerArgs): WorkerProcess {
  const child = spawn(process.execPath, [script, JSON.stringify(args)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  disposeWhenDone(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of waiters) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => out,
    exited,
    waitFor(pattern, ms = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(out)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${pattern} in the worker's output:\n${out}`));
        }, ms);
        waiters.add(check);
        check();
        void exited.then(() => {
          if (waiters.has(check)) {
            waiters.delete(check);
            clearTimeout(timer);
            if (!pattern.test(out)) reject(new Error(`the worker exited before ${pattern}:\n${out}`));
          }
        });
      });
    },
  };
}

/** Poll `probe` until it returns true; the test's own timeout bounds it. */
export async function until(probe: () => Promise<boolean>, everyMs = 100): Promise<void> {
  while (!(await probe())) await new Promise((r) => setTimeout(r, everyMs));
}
