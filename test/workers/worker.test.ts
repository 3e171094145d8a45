import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openContext } from '../../source/commands/context.js';
import { commandPoll } from '../../source/commands/worker.js';
import { JOB_SCHEMA, PollWorkers } from '../../source/workers/queue.js';
import { tenantKey } from '../../source/workers/quota.js';
import { runIn, Sink, tmp } from '../commands/helpers.js';
import { freshDatabase } from '../helpers/postgres.js';
import { simulate } from '../helpers/sim.js';
import { docFor, envFor, oktaCopy, tempDir, writeStore } from '../reliability/helpers.js';
import { until } from './helpers.js';

describe('posture worker', () => {
  it('needs a PostgreSQL store: one line, and a file store is left alone', async () => {
    const t = tmp();
    const r = await runIn(['worker', '--store', t.store], t);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'posture: posture worker needs a PostgreSQL store: --store postgres://… or $POSTURE_STORE (the file store is polled by posture poll)\n',
    );
  });

  it("polls through the poller's own path and feeds the tenant's budget from the vendor's headers (one worker, a file store)", async () => {
    const tenant = oktaCopy('workers-e2e');
    const sim = await simulate([tenant]);
    const file = join(tempDir(), 'store.json');
    writeStore(file, docFor(sim, [tenant]));
    const url = await freshDatabase();
    const out = new Sink();
    const ctx = await openContext(
      { store: file, demo: false, readOnly: false, color: false },
      {
        stdout: out,
        stderr: new Sink(),
        env: envFor([tenant]),
      },
      { command: 'worker' },
    );
    const lines: string[] = [];
    const workers = new PollWorkers({
      databaseUrl: url,
      store: ctx.store,
      poll: commandPoll(ctx),
      concurrency: 1,
      budgetMs: 60_000,
      scheduleEveryMs: 200,
      fetchEveryMs: 500,
      log: (line) => lines.push(line),
    });
    try {
      await workers.start();
      await until(async () => ctx.store.doc.instances[0]?.lastPoll !== undefined);
      const polled = ctx.store.doc.instances[0]!;
      expect(polled.lastPoll).toMatchObject({ outcome: 'ok' });
      expect(ctx.store.doc.results[polled.id]?.results.length).toBeGreaterThan(0);
      await until(async () => lines.length > 0);
      expect(lines[0]).toMatch(/^ok {5}Okta workers-e2e \(\d+ requests, \d+\.\d s\)$/);
      // The simulator answers as Okta does, X-Rate-Limit-* on every response: 600 a minute.
      const budget = await workers.quotaBook.get(tenantKey(polled));
      expect(budget).toMatchObject({ limit: 600 });
      expect(budget!.remaining).toBeLessThan(600);
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      const { rows } = await db.query(`SELECT requests FROM ${JOB_SCHEMA}.poll_cost WHERE instance_id = $1`, [
        polled.id,
      ]);
      await db.end();
      expect(rows[0]?.requests).toBeGreaterThan(0);
    } finally {
      await workers.stop(1_000);
      await ctx.close();
    }
  }, 60_000);
});
