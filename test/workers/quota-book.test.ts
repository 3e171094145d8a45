import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { JOB_SCHEMA } from '../../source/workers/queue.js';
import { QuotaBook } from '../../source/workers/quota.js';
import { disposeWhenDone } from '../helpers/cleanup.js';
import { freshDatabase, sql } from '../helpers/postgres.js';

/** A quota book on a pool of its own (as each worker has), its tables made. */
async function bookOn(url: string): Promise<QuotaBook> {
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  disposeWhenDone(() => pool.end());
  const book = new QuotaBook(pool, JOB_SCHEMA);
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${JOB_SCHEMA}`);
  for (const statement of book.definitions) await pool.query(statement);
  return book;
}

const tenant = 'okta spent.okta.com';
const hour = () => Date.now() + 3_600_000;

describe("the quota book in the store's database", () => {
  it("two workers claiming one tenant's budget at once pass exactly the polls it covers, at each instance's last cost", async () => {
    const url = await freshDatabase();
    const a = await bookOn(url);
    const b = await bookOn(url);
    // 20 instances whose last polls made 5 requests each; 60 left of 100, 10 kept for others: 10 fit.
    for (let k = 0; k < 20; k++) await sql(url, `INSERT INTO ${JOB_SCHEMA}.poll_cost VALUES ('i${k}', 5)`);
    const resetAt = hour();
    await a.set(tenant, { limit: 100, remaining: 60, resetAt });
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, k) => (k % 2 ? a : b).claim(tenant, 'okta', `i${k}`)),
    );
    expect(claims.filter((c) => c.ok)).toHaveLength(10);
    for (const c of claims.filter((c) => !c.ok)) expect(c).toEqual({ ok: false, until: resetAt });
    expect(await b.get(tenant)).toMatchObject({ limit: 100, remaining: 10 });
  });

  it("an instance never polled costs 1, and a poll's record keeps its cost for the next claim", async () => {
    const url = await freshDatabase();
    const book = await bookOn(url);
    await book.set(tenant, { limit: 100, remaining: 50, resetAt: hour() });
    expect(await book.claim(tenant, 'okta', 'new')).toMatchObject({ ok: true });
    expect(await book.get(tenant)).toMatchObject({ remaining: 49 });
    // The poll made 45 requests, and its responses said 44 are left this window.
    const seen = [
      {
        at: Date.now(),
        observation: { kind: 'remaining' as const, limit: 100, remaining: 44, resetAt: hour() },
      },
    ];
    await book.record(tenant, seen, [book.costStatement('new', 45)]);
    expect(await sql(url, `SELECT requests FROM ${JOB_SCHEMA}.poll_cost`)).toEqual([{ requests: 45 }]);
    expect(await book.get(tenant)).toMatchObject({ remaining: 44 });
    // 44 left, 10 kept: its next poll (45 expected) waits for the reset.
    expect(await book.claim(tenant, 'okta', 'new')).toMatchObject({ ok: false });
    // A poll whose responses said nothing still keeps its cost.
    await book.record(tenant, [], [book.costStatement('new', 3)]);
    expect(await book.claim(tenant, 'okta', 'new')).toMatchObject({ ok: true });
    expect(await book.get(tenant)).toMatchObject({ remaining: 41 });
  });

  it('a record whose other statements fail leaves the budget as it was (one transaction)', async () => {
    const url = await freshDatabase();
    const book = await bookOn(url);
    await book.set(tenant, { limit: 100, remaining: 50, resetAt: hour() });
    const seen = [
      {
        at: Date.now(),
        observation: { kind: 'remaining' as const, limit: 100, remaining: 20, resetAt: hour() },
      },
    ];
    await expect(book.record(tenant, seen, ['SELECT * FROM no_such_table'])).rejects.toThrow(/no_such_table/);
    expect(await book.get(tenant)).toMatchObject({ remaining: 50 });
  });
});
