import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { JOB_SCHEMA, POLL_QUEUE } from '../../source/workers/queue.js';
import { QuotaBook, tenantKey } from '../../source/workers/quota.js';
import { instance } from '../commands/helpers.js';
import { freshDatabase } from '../helpers/postgres.js';
import type { WorkerArgs } from './fixtures/worker-process.js';
import { bundleWorker, overlaps, polls, seamTable, startWorker, storeOf, until } from './helpers.js';

/**
 * Real worker processes on a real PostgreSQL, each with the real queue (pg-boss, the scheduler,
 * the quota book) and a seam poll that records its start and end in a table.
 */

let script: string;
beforeAll(async () => {
  script = await bundleWorker();
}, 60_000);

const base = (databaseUrl: string, storeFile: string, worker: string): WorkerArgs => ({
  databaseUrl,
  storeFile,
  worker,
  pollMs: 300,
  budgetMs: 60_000,
  marginSeconds: 30,
  concurrency: 2,
  quota: false,
});

describe('posture workers on one queue', () => {
  it('share the due instances: each polled once, never two polls of one instance at once', async () => {
    const url = await freshDatabase();
    const db = await seamTable(url);
    const store = storeOf(12);
    const a = startWorker(script, base(url, store, 'a'));
    const b = startWorker(script, base(url, store, 'b'));
    await Promise.all([a.waitFor(/^ready$/m), b.waitFor(/^ready$/m)]);
    await until(async () => (await polls(db)).filter((p) => p.ended_at).length >= 12);
    // Both schedulers keep looking every 200 ms meanwhile: a poll still running, or finished but not
    // yet in the store, must not be sent again. A second round would start now if either were.
    await new Promise((r) => setTimeout(r, 1_500));
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect((await a.exited).code).toBe(0);
    expect((await b.exited).code).toBe(0);
    const rows = await polls(db);
    expect(rows.map((r) => r.instance_id).sort()).toEqual(
      Array.from({ length: 12 }, (_, k) => `i${k}`).sort(),
    );
    expect(overlaps(rows)).toEqual([]);
    expect(new Set(rows.map((r) => r.worker))).toEqual(new Set(['a', 'b']));
    expect(a.output()).toMatch(/^ok {5}Okta \d+ \(1 requests, 0\.3 s\)$/m);
  }, 60_000);

  it('a slot takes its next job as soon as one ends, and jobs just sent start at once (not after the fetch interval)', async () => {
    const url = await freshDatabase();
    const db = await seamTable(url);
    // An idle slot looks for jobs once a minute: one slot polling 6 instances in turn would take
    // minutes if it waited that out between jobs (pg-boss's own loop does), or before the first.
    const a = startWorker(script, {
      ...base(url, storeOf(6), 'a'),
      concurrency: 1,
      pollMs: 50,
      fetchEveryMs: 60_000,
    });
    await until(async () => (await polls(db)).filter((p) => p.ended_at).length >= 6);
    a.child.kill('SIGTERM');
    expect((await a.exited).code).toBe(0);
    const rows = await polls(db);
    expect(rows.map((r) => r.instance_id).sort()).toEqual(['i0', 'i1', 'i2', 'i3', 'i4', 'i5']);
    expect(overlaps(rows)).toEqual([]);
  }, 30_000);

  it('the database refuses a second active poll of one instance (the stately policy, not our care alone)', async () => {
    const url = await freshDatabase();
    await seamTable(url);
    const a = startWorker(script, { ...base(url, storeOf(0), 'a'), concurrency: 1 });
    await a.waitFor(/^ready$/m);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const insert = (state: string) =>
        db.query(
          `INSERT INTO ${JOB_SCHEMA}.job (name, data, state, singleton_key, policy) VALUES ($1, '{}', $2, 'x', 'stately')`,
          [POLL_QUEUE, state],
        );
      await insert('active');
      await expect(insert('active')).rejects.toThrow(/unique/);
    } finally {
      await db.end();
      a.child.kill('SIGTERM');
      await a.exited;
    }
  }, 30_000);

  it("a fetch takes the first of many waiting jobs from an index in pg-boss's fetch order, not a sort of them all", async () => {
    const url = await freshDatabase();
    await seamTable(url);
    // 1,000 instances due at once, one slot, each poll hanging: the rest wait in the queue.
    const ids = Array.from({ length: 1000 }, (_, k) => `i${k}`);
    const a = startWorker(script, { ...base(url, storeOf(1000), 'a'), concurrency: 1, hang: ids });
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      await a.waitFor(/^started i/m);
      // The scheduler has the queue's statistics taken after sending many jobs: without them the
      // planner takes the queue for a few rows for a minute or more, and sorts them all.
      await until(async () => {
        const { rows } = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stats WHERE schemaname = $1 AND attname = 'created_on'`,
          [JOB_SCHEMA],
        );
        return rows[0]!.n > 0;
      });
      // pg-boss 10's fetch (plans.js fetchNextJob), as it sends it for one job.
      const { rows } = await db.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT id, singleton_key, policy FROM ${JOB_SCHEMA}.job
          WHERE name = $1 AND state < 'active' AND start_after < now()
          ORDER BY priority desc, created_on, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [POLL_QUEUE, 1],
      );
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).not.toMatch(/Sort/);
      expect(plan).toMatch(/Index Scan using \S*priority_created_on_id/);
    } finally {
      await db.end();
      a.child.kill('SIGKILL');
      await a.exited;
    }
  }, 30_000);

  it('a worker killed mid-poll loses nothing: its job expires and another worker polls the instance', async () => {
    const url = await freshDatabase();
    const db = await seamTable(url);
    const store = storeOf(1);
    // A job expires 2 s after it started (1 s of poll budget, 1 s for the commit).
    const short = { budgetMs: 1_000, marginSeconds: 1 };
    const a = startWorker(script, { ...base(url, store, 'a'), ...short, hang: ['i0'] });
    await a.waitFor(/^started i0$/m);
    a.child.kill('SIGKILL');
    expect((await a.exited).signal).toBe('SIGKILL');
    const b = startWorker(script, { ...base(url, store, 'b'), ...short });
    await until(async () => (await polls(db)).some((p) => p.worker === 'b' && p.ended_at));
    b.child.kill('SIGTERM');
    await b.exited;
    const rows = await polls(db);
    expect(rows.map((r) => [r.instance_id, r.worker, r.ended_at !== null])).toEqual([
      ['i0', 'a', false],
      ['i0', 'b', true],
    ]);
    // Not picked up before the dead worker's job expired.
    expect(rows[1]!.started_at.getTime() - rows[0]!.started_at.getTime()).toBeGreaterThanOrEqual(2_000);
    const { rows: jobs } = await (async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return await c.query<{ state: string; retry_count: number }>(
          `SELECT state, retry_count FROM ${JOB_SCHEMA}.job WHERE singleton_key = 'i0'`,
        );
      } finally {
        await c.end();
      }
    })();
    expect(jobs).toEqual([{ state: 'completed', retry_count: 1 }]);
  }, 60_000);

  it("defer a tenant's polls to its reset once its shared budget is spent, across two workers", async () => {
    const url = await freshDatabase();
    const db = await seamTable(url);
    // i0-i3: one Okta tenant; i4, i5: another.
    const store = storeOf(6, (k) => ({
      baseUrl: k < 4 ? 'https://spent.okta.com' : 'https://other.okta.com',
    }));
    const spent = tenantKey(instance('i0', { baseUrl: 'https://spent.okta.com' }));
    const book = new QuotaBook(new pg.Pool({ connectionString: url, max: 1 }), JOB_SCHEMA);
    const setup = new pg.Client({ connectionString: url });
    await setup.connect();
    await setup.query(`CREATE SCHEMA ${JOB_SCHEMA}`);
    for (const sql of book.definitions) await setup.query(sql);
    // Each poll of the spent tenant costs 5 requests; 100 a minute, a tenth kept for others: 15 left
    // covers the reserve and one poll, not two.
    for (const k of [0, 1, 2, 3])
      await setup.query(`INSERT INTO ${JOB_SCHEMA}.poll_cost VALUES ($1, 5)`, [`i${k}`]);
    const reset = new Date(Date.now() + 3_600_000);
    await book.set(spent, { limit: 100, remaining: 15, resetAt: reset.getTime() });
    const args = { quota: true, requests: 5 };
    const a = startWorker(script, { ...base(url, store, 'a'), ...args });
    const b = startWorker(script, { ...base(url, store, 'b'), ...args });
    const deferred = () => (a.output() + b.output()).match(/^deferred /gm)?.length ?? 0;
    await until(async () => (await polls(db)).filter((p) => p.ended_at).length >= 3 && deferred() >= 3);
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    await Promise.all([a.exited, b.exited]);
    const polled = (await polls(db)).map((p) => p.instance_id);
    expect(polled.filter((id) => ['i4', 'i5'].includes(id)).sort()).toEqual(['i4', 'i5']);
    expect(polled.filter((id) => ['i0', 'i1', 'i2', 'i3'].includes(id))).toHaveLength(1);
    expect(deferred()).toBe(3);
    const { rows: waiting } = await setup.query<{ key: string; start_after: Date }>(
      `SELECT singleton_key AS key, start_after FROM ${JOB_SCHEMA}.job WHERE state = 'created'`,
    );
    expect(waiting).toHaveLength(3);
    for (const w of waiting) expect(Math.abs(w.start_after.getTime() - reset.getTime())).toBeLessThan(1_000);
    expect(await book.get(spent)).toMatchObject({ limit: 100, remaining: 10 });
    await setup.end();
  }, 60_000);

  it('SIGTERM lets a poll in flight finish, and releases one that does not end in the grace', async () => {
    const url = await freshDatabase();
    const db = await seamTable(url);
    const store = storeOf(2);
    // i0 takes 1.5 s; i1 never ends: the fixture's grace is 5 s.
    const a = startWorker(script, { ...base(url, store, 'a'), pollMs: 1_500, hang: ['i1'] });
    await a.waitFor(/^started i0$/m);
    await a.waitFor(/^started i1$/m);
    a.child.kill('SIGTERM');
    expect((await a.exited).code).toBe(0);
    const rows = await polls(db);
    expect(rows.find((r) => r.instance_id === 'i0')?.ended_at).not.toBeNull();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const { rows: jobs } = await c.query<{ key: string; state: string }>(
      `SELECT singleton_key AS key, state FROM ${JOB_SCHEMA}.job ORDER BY singleton_key`,
    );
    await c.end();
    // The finished poll's job is complete; the other went back to the queue for another worker.
    expect(jobs).toEqual([
      { key: 'i0', state: 'completed' },
      { key: 'i1', state: 'retry' },
    ]);
  }, 60_000);
});
