import pg from 'pg';
import PgBoss from 'pg-boss';
import type { ResponseObserver } from '../connectors/http.js';
import type { Instance } from '../domain/schemas.js';
import { dueInstances, type PollSummary } from '../poller/poller.js';
import type { Store } from '../store/api.js';
import { sqlLiteral } from '../store/postgres/literal.js';
import { type Observation, QuotaBook, readRateLimit, tenantKey } from './quota.js';

/**
 * Polling as jobs on pg-boss (10.4.2), in a schema of its own in the store's database.
 *
 * Why pg-boss and not graphile-worker: pg-boss 10 runs on Node 20 (11 and later need Node 22, as
 * does graphile-worker 0.18); it expires the job of a worker that died (a job active longer than
 * its expiry goes back to the queue for another worker), where graphile-worker 0.16 leaves a dead
 * worker's job locked for hours; and its singleton keys with the 'stately' queue policy let the
 * database itself refuse a second active job for one instance.
 *
 * The guarantees, and what gives them:
 * - One poll of an instance at a time across the fleet: each job's singleton key is its instance
 *   id, and the 'stately' policy's unique index allows one active job per key (and one waiting).
 *   A scheduler enqueues an instance only when it has no job waiting, retrying or running, so a
 *   second job never waits behind an active one (pg-boss 10's fetch would fail on it).
 * - Each instance polled once per interval: the scheduler reads what is due with the poller's own
 *   rule (dueInstances), over the store's last polls and the queue's own record of polls finished
 *   (the store's view of a commit may lag the job's completion by a notification).
 * - A worker killed mid-poll loses nothing: its job expires (the poll's time budget and a margin
 *   for the commit) and pg-boss retries it on another worker. A poll's results replace the
 *   instance's results whole (poller.applyPolls), so a retried poll is idempotent.
 */

export const JOB_SCHEMA = 'posture_jobs';
export const POLL_QUEUE = 'poll';

/** What a poll job carries: the instance, nothing else (its secret is resolved by the worker). */
export interface PollJob {
  instanceId: string;
}

/**
 * The seam between the queue and the poll: poll one instance, telling `onResponse` of each
 * response. The worker command passes the poller's own code path (the one `poll --once` takes);
 * tests pass one that records what it did.
 */
export type PollSeam = (instance: Instance, onResponse: ResponseObserver) => Promise<PollSummary | undefined>;

export interface WorkerOptions {
  /** The store's database: the job schema lives beside the store's tables. */
  databaseUrl: string;
  /** Where the instances and their last polls are read from (the scheduler) and polls are committed. */
  store: Store;
  poll: PollSeam;
  /** Polls this worker runs at once. */
  concurrency: number;
  /** Time one poll may take (the poller's budgetMs): a job running longer is the job of a dead worker. */
  budgetMs: number;
  /** How often this worker looks for due instances (every worker schedules; jobs are not doubled). */
  scheduleEveryMs?: number;
  /** How often an idle worker asks for jobs (pg-boss's polling interval; at least 500 ms). */
  fetchEveryMs?: number;
  /** Seconds before a failed or expired job is tried again. */
  retryDelaySeconds?: number;
  /** Seconds beyond the poll's budget for its commit before the job counts as a dead worker's (30). */
  commitMarginSeconds?: number;
  /** How often pg-boss looks for expired jobs (its maintenance; 30 s): a dead worker's job waits this much more. */
  maintenanceEverySeconds?: number;
  /** Respect each tenant's API quota across workers (on unless a test turns it off). */
  quota?: boolean;
  log: (line: string) => void;
}

/** Jobs a scheduler inserts in one statement. */
const SEND_CHUNK = 500;

/** Jobs sent by one schedule after which the queue's statistics are taken again (see schedule). */
const ANALYZE_AFTER = 200;

/** Time beyond the poll's budget for its commit, before its job is taken for a dead worker's. */
const COMMIT_MARGIN_S = 30;

/** The job's expiry: the poll's own time budget (its deadline ends every request) and the commit's margin. */
export function expirySeconds(budgetMs: number, marginSeconds = COMMIT_MARGIN_S): number {
  return Math.ceil(budgetMs / 1000) + marginSeconds;
}

/** Instances due for a poll: the poller's rule, over the later of the store's and the queue's last polls. */
export function dueFor(store: Store, finished: ReadonlyMap<string, number>, now: number): string[] {
  const doc = store.doc;
  const instances = doc.instances.map((i) => {
    const at = finished.get(i.id);
    if (at === undefined || (i.lastPoll && Date.parse(i.lastPoll.at) >= at)) return i;
    return { ...i, lastPoll: { at: new Date(at).toISOString(), outcome: 'ok' as const } };
  });
  return dueInstances({ ...doc, instances }, now);
}

export class PollWorkers {
  private readonly boss: PgBoss;
  private readonly pool: pg.Pool;
  private readonly quota: QuotaBook;
  private timer?: NodeJS.Timeout;
  private scheduling?: Promise<void>;
  private stopping = false;
  /** This worker's pg-boss workers, one per slot (woken when jobs are sent). */
  private readonly slots: string[] = [];

  constructor(private readonly o: WorkerOptions) {
    this.boss = new PgBoss({
      connectionString: o.databaseUrl,
      schema: JOB_SCHEMA,
      max: Math.max(4, o.concurrency + 2),
      // Cron schedules are not used: each worker's scheduler reads what is due from the store.
      schedule: false,
      maintenanceIntervalSeconds: o.maintenanceEverySeconds ?? 30,
    });
    // pg-boss reports a lost connection or a failed fetch here, and carries on: one line, not a crash.
    this.boss.on('error', (error: Error) => o.log(`queue: ${error.message}`));
    this.pool = new pg.Pool({ connectionString: o.databaseUrl, max: 3 });
    this.pool.on('error', (error: Error) => o.log(`queue: ${error.message}`));
    this.quota = new QuotaBook(this.pool, JOB_SCHEMA);
  }

  private get jobs(): string {
    return `"${JOB_SCHEMA}".job`;
  }

  private get finishedTable(): string {
    return `"${JOB_SCHEMA}".polled`;
  }

  private get sendOptions(): PgBoss.SendOptions {
    return {
      expireInSeconds: expirySeconds(this.o.budgetMs, this.o.commitMarginSeconds),
      retryLimit: 5,
      retryDelay: this.o.retryDelaySeconds ?? 10,
    };
  }

  async start(): Promise<void> {
    await this.boss.start();
    await this.install();
    const options = {
      batchSize: 1,
      pollingIntervalSeconds: Math.max(0.5, (this.o.fetchEveryMs ?? 2000) / 1000),
    };
    // One pg-boss worker per slot: each takes one job at a time. pg-boss 10 waits out the polling
    // interval after every job too (a 2-second floor on each poll, most of which take less), so a
    // slot that has finished a job asks for its next one at once; only an empty queue waits.
    for (let n = 0; n < this.o.concurrency; n++) {
      const slot: { id?: string } = {};
      slot.id = await this.boss.work<PollJob>(POLL_QUEUE, options, async ([job]) => {
        if (!job) return;
        try {
          await this.run(job);
        } finally {
          if (slot.id) this.boss.notifyWorker(slot.id);
        }
      });
      this.slots.push(slot.id);
    }
    this.tick();
    this.timer = setInterval(() => this.tick(), this.o.scheduleEveryMs ?? 5_000);
  }

  /**
   * Our tables beside pg-boss's, and the poll queue, made once. Under a lock: workers often start
   * together, and two of pg-boss 10's createQueue at once deadlock on the queue's partition.
   */
  async install(): Promise<void> {
    const client = await this.pool.connect();
    const lock = [`${JOB_SCHEMA} install`];
    try {
      await client.query('SELECT pg_advisory_lock(hashtext($1))', lock);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${JOB_SCHEMA}"`);
      for (const sql of [
        ...this.quota.definitions,
        `CREATE TABLE IF NOT EXISTS ${this.finishedTable} (instance_id text PRIMARY KEY, at timestamptz NOT NULL)`,
      ])
        await client.query(sql);
      if (!(await this.boss.getQueue(POLL_QUEUE)))
        await this.boss.createQueue(POLL_QUEUE, { name: POLL_QUEUE, policy: 'stately', ...this.sendOptions });
      // pg-boss 10 fetches the next job in (priority desc, created_on, id) order, but its index
      // over waiting jobs is by start time: every fetch sorted every waiting job (a fleet's 5,000:
      // about 7 ms of the server's CPU a poll). An index in the fetch's own order finds the first
      // at once. Made on the job table, so every queue's partition has it (and pg-boss's own
      // indexes, hence its guarantees, are untouched).
      await client.query(
        `CREATE INDEX IF NOT EXISTS posture_fetch_order ON ${this.jobs} (name, priority DESC, created_on, id) WHERE state < 'active'`,
      );
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', lock).catch(() => undefined);
      client.release();
    }
  }

  /** The quota book (tests and operators set a tenant's budget through it). */
  get quotaBook(): QuotaBook {
    return this.quota;
  }

  private tick(): void {
    if (this.stopping || this.scheduling) return;
    this.scheduling = this.schedule()
      .then(() => undefined)
      .catch((error: unknown) => this.o.log(`schedule: ${(error as Error).message}`))
      .finally(() => (this.scheduling = undefined));
  }

  /** Enqueue every due instance that has no job waiting, retrying or running: how many. */
  async schedule(): Promise<number> {
    // One scheduler at a time, the check and the sends in one transaction: two schedulers that both
    // saw no job could otherwise send one that waits behind the other's, already running.
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${JOB_SCHEMA} schedule`]);
      // Live jobs before finished polls: a poll is recorded finished before its job completes, so a
      // job seen completed here has its finish seen below.
      const { rows: live } = await client.query<{ key: string }>(
        `SELECT DISTINCT singleton_key AS key FROM ${this.jobs} WHERE name = $1 AND state < 'completed'`,
        [POLL_QUEUE],
      );
      const { rows: done } = await client.query<{ instance_id: string; at: Date }>(
        `SELECT instance_id, at FROM ${this.finishedTable}`,
      );
      const finished = new Map(done.map((r) => [r.instance_id, r.at.getTime()]));
      const due = dueFor(this.o.store, finished, Date.now());
      const busy = new Set(live.map((r) => r.key));
      const db = { executeSql: (text: string, values: unknown[]) => client.query(text, values) };
      const { expireInSeconds, retryLimit, retryDelay } = this.sendOptions;
      const jobs: PgBoss.JobInsert<PollJob>[] = due
        .filter((instanceId) => !busy.has(instanceId))
        .map((instanceId) => ({
          name: POLL_QUEUE,
          data: { instanceId },
          singletonKey: instanceId,
          expireInSeconds,
          retryLimit,
          retryDelay,
        }));
      // Many rows a round trip (a fleet's first schedule is 5,000 jobs; one each kept the lock for seconds).
      for (let n = 0; n < jobs.length; n += SEND_CHUNK)
        await this.boss.insert(jobs.slice(n, n + SEND_CHUNK), { db });
      await client.query('COMMIT');
      // Idle slots wait out the polling interval before they look again: the jobs just sent start now.
      if (jobs.length > 0) for (const id of this.slots) this.boss.notifyWorker(id);
      // Many jobs at once (a fleet's first schedule, an hour's worth come due): until the server's
      // own statistics catch up (a minute or more), the planner takes the queue for a few rows and
      // has each fetch sort every waiting job instead of taking the first from the fetch's index.
      if (jobs.length >= ANALYZE_AFTER) await client.query(`ANALYZE ${this.jobs}`);
      return jobs.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async run(job: PgBoss.Job<PollJob>): Promise<void> {
    const { instanceId } = job.data;
    const find = () => this.o.store.doc.instances.find((i) => i.id === instanceId);
    // Not in our document: added by a commit we have not read yet (a worker reads them gathered), or removed.
    let instance = find();
    if (!instance && this.o.store.caughtUp) {
      await this.o.store.caughtUp();
      instance = find();
    }
    if (!instance) return; // removed since it was enqueued
    const tenant = tenantKey(instance);
    if (this.o.quota !== false) {
      const claim = await this.quota.claim(tenant, instance.app, instanceId);
      if (!claim.ok) {
        // Deferred to the reset as a new job (this one completes): nothing is polled into a 429.
        await this.boss.send(
          POLL_QUEUE,
          { instanceId },
          { ...this.sendOptions, singletonKey: instanceId, startAfter: new Date(claim.until) },
        );
        this.o.log(
          `deferred ${instance.name}: its API budget is spent until ${new Date(claim.until).toISOString()}`,
        );
        return;
      }
    }
    const seen: { at: number; observation: Observation }[] = [];
    const onResponse: ResponseObserver = (res) => {
      const at = Date.now();
      const observation = readRateLimit(instance.app, res, at);
      if (observation) seen.push({ at, observation });
    };
    let summary: PollSummary | undefined;
    try {
      summary = await this.o.poll(instance, onResponse);
    } catch (error) {
      if (this.o.quota !== false) await this.quota.record(tenant, seen);
      throw error;
    }
    // Before the job completes: a scheduler never sees the instance idle and still due. The poll's
    // finish, its cost and what its responses said about the budget commit together.
    const finish = summary
      ? [
          `INSERT INTO ${this.finishedTable} (instance_id, at) VALUES (${sqlLiteral(instanceId)}, now())
           ON CONFLICT (instance_id) DO UPDATE SET at = EXCLUDED.at`,
          ...(this.o.quota !== false && summary.requests > 0
            ? [this.quota.costStatement(instanceId, summary.requests)]
            : []),
        ]
      : [];
    if (this.o.quota !== false) await this.quota.record(tenant, seen, finish);
    else if (finish.length > 0) await this.pool.query(finish.join(';\n'));
    if (!summary) return;
    this.o.log(
      summary.outcome === 'ok'
        ? `ok     ${summary.name} (${summary.requests} requests, ${(summary.durationMs / 1000).toFixed(1)} s)`
        : `error  ${summary.name}: ${summary.error ?? 'failed'}`,
    );
  }

  /**
   * Run `task` unless another worker runs it now (a session lock in the database, let go when the
   * task ends or the connection dies): whether it ran. Alerts go out this way, so that two workers
   * never send one change twice.
   */
  async alone(lock: string, task: () => Promise<unknown>): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query<{ ok: boolean }>(
        'SELECT pg_try_advisory_lock(hashtext($1)) AS ok',
        [lock],
      );
      if (!rows[0]?.ok) return false;
      try {
        await task();
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lock]);
      }
      return true;
    } finally {
      client.release();
    }
  }

  /**
   * Stop taking jobs; polls in flight may finish within `graceMs`, and those that do not are
   * released (failed back to the queue, where another worker retries them after the retry delay).
   * `drain` runs after the polls, before the connections close.
   */
  async stop(graceMs: number, drain?: () => Promise<unknown>): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.scheduling;
    await this.boss.stop({ graceful: true, wait: true, timeout: graceMs });
    await drain?.(); // what the last polls started (their alerts) still has the database
    await this.pool.end();
  }
}
