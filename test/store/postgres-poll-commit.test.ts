import { describe, expect, it, vi } from 'vitest';
import { loadCatalog } from '../../source/catalog/index.js';
import type { StoreDoc } from '../../source/domain/schemas.js';
import { catalogKey, summarize } from '../../source/domain/score-summary.js';
import { docScores, latestByInstance } from '../../source/domain/scoring.js';
import { PgStore } from '../../source/store/postgres/store.js';
import { instance } from '../helpers/fixtures.js';
import { oktaResults, polled } from '../helpers/pg-fleet.js';
import { freshDatabase, openPg, sql } from '../helpers/postgres.js';

const catalog = loadCatalog();
const okta = catalog.forApp('okta');

const open = (url: string, options: Parameters<typeof PgStore.open>[1] = {}) =>
  openPg(url, { catalog: catalog.byId, ...options });

/** A gate a poll's commit waits at, inside its transaction with its instance locked. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  let entered!: () => void;
  const inside = new Promise<void>((resolve) => (entered = resolve));
  return {
    held: async () => {
      entered();
      await opened;
    },
    inside,
    open,
  };
}

async function seed(url: string, ids: string[]): Promise<void> {
  const s = await open(url, { operator: 'seed' });
  await s.update((d) => {
    for (const id of ids) d.instances.push(instance(id));
    for (const id of ids) d.results[id] = { polledAt: new Date(0).toISOString(), results: oktaResults(0) };
  });
  await s.close();
}

/** The document as a new program reads it from the database. */
async function reread(url: string): Promise<StoreDoc> {
  const r = await open(url, { readOnly: true });
  return r.doc;
}

/** Today's point and each instance's summary, as the file back end's scoring makes them from the document. */
async function expectScoresKept(url: string, doc: StoreDoc): Promise<void> {
  const now = new Date();
  const rows = await sql<{ key: string; body: object }>(url, 'SELECT key, body FROM instance_scores');
  const latest = latestByInstance(doc.statuses);
  for (const i of doc.instances) {
    const want = summarize(
      i.app,
      doc.results[i.id]!.results,
      latest.get(i.id),
      catalog.byId,
      catalogKey(catalog.byId),
      now,
    );
    expect(rows.find((r) => r.key === i.id)?.body).toEqual(JSON.parse(JSON.stringify(want)));
  }
  const score = docScores(doc, catalog.byId, now).views.current;
  expect(doc.daily.at(-1)).toEqual({
    day: now.toISOString().slice(0, 10),
    achieved: score.achieved,
    possible: score.possible,
  });
}

describe("a poll's commit on PostgreSQL", () => {
  it("and an operator's status change and toggle of the same instance at once: both stand", async () => {
    const url = await freshDatabase();
    await seed(url, ['a', 'b']);
    const worker = await open(url, { operator: 'worker' });
    const alice = await open(url, { operator: 'alice' });
    const g = gate();
    worker.pollHeld = g.held;
    const poll = worker.commitPolls([polled('a', 3)]);
    await g.inside; // the poll's transaction is open, its instance locked, its reads done
    // Alice, who has not seen the poll, accepts a risk on a's first control and turns a's recommendations off.
    const change = alice.update((d) => {
      d.statuses.push({
        instanceId: 'a',
        controlId: okta[0]!.id,
        state: 'planned',
        reason: '',
        by: 'alice',
        at: new Date().toISOString(),
      });
      d.instances.find((i) => i.id === 'a')!.name = 'Okta renamed';
    });
    // Alice's commit is made (it did not wait) or waits on a lock (a's): only then the poll goes on.
    let made = false;
    void change.then(() => (made = true));
    await vi.waitFor(
      async () => {
        const waiting = await sql(
          url,
          "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
        );
        expect(made || waiting.length > 0).toBe(true);
      },
      { timeout: 20_000, interval: 50 },
    );
    g.open();
    await Promise.all([poll, change]);

    const doc = await reread(url);
    const a = doc.instances.find((i) => i.id === 'a')!;
    expect(a.name).toBe('Okta renamed');
    expect(a.lastPoll?.outcome).toBe('ok');
    expect(doc.results.a!.results.filter((r) => r.outcome === 'fail')).toHaveLength(3);
    expect(doc.statuses.map((s) => s.by)).toEqual(['alice']);
    await expectScoresKept(url, doc);
    // And the other way round: a poll after the operator's change keeps it.
    await worker.commitPolls([polled('a', 1)]);
    const again = await reread(url);
    expect(again.instances.find((i) => i.id === 'a')!.name).toBe('Okta renamed');
    expect(again.statuses).toHaveLength(1);
    await expectScoresKept(url, again);
  }, 60_000);

  it("commits, today's point included, after a poll's error that quotes a NUL from the vendor", async () => {
    // A poll's error line carries what the vendor's error body said, NUL characters included, and
    // is kept in the instance's row. Today's point is summed by the server over every instance,
    // and PostgreSQL cannot make text of an escaped NUL: reading an app out of such an instance's
    // JSON failed every later poll's commit, the whole fleet's.
    const url = await freshDatabase();
    await seed(url, ['a', 'b', 'c']);
    const worker = await open(url, { operator: 'worker' });
    const error = 'Okta 500: \u0000 "\\u0000" \\';
    await worker.commitPolls([{ ...polled('a', 2), outcome: 'error', error, results: undefined }]);
    await worker.commitPolls([polled('b', 1)]);
    await worker.commitPolls([polled('c', 3)]);
    await worker.close();
    const doc = await reread(url);
    expect(doc.instances.find((i) => i.id === 'a')!.lastPoll?.error).toBe(error);
    await expectScoresKept(url, doc);
  });

  it('of different instances do not wait on each other: one held open, the other commits', async () => {
    const url = await freshDatabase();
    await seed(url, ['a', 'b']);
    const w1 = await open(url, { operator: 'w1' });
    const w2 = await open(url, { operator: 'w2' });
    const g = gate();
    w1.pollHeld = g.held;
    const first = w1.commitPolls([polled('a', 2)]);
    await g.inside;
    // w1's transaction holds a: w2's poll of b commits meanwhile (it would hang here if it waited).
    await w2.commitPolls([polled('b', 5)]);
    const meanwhile = await reread(url);
    expect(meanwhile.results.b!.results.filter((r) => r.outcome === 'fail')).toHaveLength(5);
    expect(meanwhile.results.a!.results.filter((r) => r.outcome === 'fail')).toHaveLength(0);
    g.open();
    await first;
    const doc = await reread(url);
    expect(doc.results.a!.results.filter((r) => r.outcome === 'fail')).toHaveLength(2);
    // Each its own revision, in the changes table, in the order committed.
    const changes = await sql<{ revision: string; operator: string }>(
      url,
      'SELECT revision::text, operator FROM changes ORDER BY revision',
    );
    expect(changes.map((c) => c.operator)).toEqual(['seed', 'w2', 'w1']);
    // Today's point counts both polls, though each committed without the other's.
    await expectScoresKept(url, doc);
  }, 60_000);

  it('shows in another console, which reads only the changed rows, and queues its alerts once', async () => {
    const url = await freshDatabase();
    await seed(url, ['a', 'b', 'c']);
    const setup = await open(url, { operator: 'setup' });
    await setup.update((d) => {
      d.settings.alerts = { minSeverity: 'low', command: 'true' };
    });
    const worker = await open(url, { operator: 'worker' });
    const console = await open(url, { readOnly: true, watch: true });
    const fetched = console.stats.rowsFetched;
    const at = new Date();
    await worker.commitPolls([polled('b', 2, at)]);
    await vi.waitFor(
      () => expect(console.doc.results.b!.results.filter((r) => r.outcome === 'fail')).toHaveLength(2),
      { timeout: 10_000 },
    );
    expect(console.doc.instances.find((i) => i.id === 'b')!.lastPoll?.at).toBe(at.toISOString());
    expect(console.history().filter((p) => p.instanceId === 'b')).toHaveLength(1);
    // The instance, its results, today's point, the alert queue and the poll: not the other instances.
    expect(console.stats.rowsFetched - fetched).toBeLessThanOrEqual(5);
    expect(console.doc.alertQueue.pending.map((q) => q.controlId)).toEqual(okta.slice(0, 2).map((c) => c.id));
    // The same poll again (its job retried): nothing new to alert on, nothing new in the history.
    await worker.commitPolls([polled('b', 2, at)]);
    const doc = await reread(url);
    expect(doc.alertQueue.pending).toHaveLength(2);
    const polls = await sql<{ n: string }>(
      url,
      "SELECT count(*)::text AS n FROM poll_history WHERE instance_id = 'b'",
    );
    expect(polls[0]!.n).toBe('1');
  }, 60_000);
});
