import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { loadCatalog } from '../../source/catalog/index.js';
import { docScores } from '../../source/domain/scoring.js';
import { openStore } from '../../source/store/open.js';
import { PgStore } from '../../source/store/postgres/store.js';
import { disposeWhenDone } from '../helpers/cleanup.js';
import { instance } from '../helpers/fixtures.js';
import { oktaResults, polled } from '../helpers/pg-fleet.js';
import { freshDatabase } from '../helpers/postgres.js';

const catalog = loadCatalog();

async function open(url: string, operator: string): Promise<PgStore> {
  const store = await PgStore.open(url, { operator, catalog: catalog.byId });
  disposeWhenDone(() => store.close());
  return store;
}

async function openWorker(url: string, operator: string): Promise<PgStore> {
  const store = await PgStore.openWorker(url, { operator, catalog: catalog.byId });
  disposeWhenDone(() => store.close());
  return store;
}

/** A workspace with instances a, b and c, each with results, and a poll of each in the history. */
async function seed(url: string): Promise<void> {
  const s = await open(url, 'seed');
  await s.update((d, history) => {
    for (const id of ['a', 'b', 'c']) {
      d.instances.push(instance(id));
      d.results[id] = { polledAt: new Date(0).toISOString(), results: oktaResults(1) };
      history.push({ at: new Date(Date.now() - 60_000).toISOString(), instanceId: id, changes: [] });
    }
  });
  await s.close();
}

/** Until `store` has read every commit the database holds. */
async function caughtUp(store: PgStore, url: string): Promise<void> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const { rows } = await db.query<{ head: number }>('SELECT max(revision)::int AS head FROM changes');
  await db.end();
  await vi.waitFor(() => expect(store.lastRevision).toBe(rows[0]!.head), { timeout: 10_000 });
  await store.flush();
}

describe("a worker's store on PostgreSQL (posture worker)", () => {
  it('reads the instances, not the results, the daily points or the poll history', async () => {
    const url = await freshDatabase();
    await seed(url);
    const worker = await openWorker(url, 'w1');
    expect(worker.doc.instances.map((i) => i.id)).toEqual(['a', 'b', 'c']);
    expect(worker.doc.results).toEqual({});
    expect(worker.doc.daily).toEqual([]);
    expect(worker.history()).toEqual([]);
    // The worker command opens this one (through openStore), any other command the whole document.
    const viaOpen = await openStore(url, { worker: true, catalog: catalog.byId, operator: 'w2' });
    disposeWhenDone(() => viaOpen.close());
    expect(viaOpen.doc.results).toEqual({});
    const whole = await openStore(url, { catalog: catalog.byId, operator: 'ops' });
    disposeWhenDone(() => whole.close());
    expect(Object.keys(whole.doc.results)).toEqual(['a', 'b', 'c']);
  }, 60_000);

  it("follows another worker's poll by its instance's row alone, where a whole store reads its results too", async () => {
    const url = await freshDatabase();
    await seed(url);
    const w1 = await openWorker(url, 'w1');
    const w2 = await openWorker(url, 'w2');
    const whole = await open(url, 'ops');
    await caughtUp(w1, url);
    await caughtUp(whole, url);
    const [workerBefore, wholeBefore] = [w1.stats.rowsFetched, whole.stats.rowsFetched];
    const at = new Date();
    await w2.commitPolls([polled('b', 3, at)]);
    await caughtUp(w1, url);
    await caughtUp(whole, url);
    // The worker sees the poll (the scheduler reads the last poll from the instance) ...
    expect(w1.doc.instances.find((i) => i.id === 'b')!.lastPoll?.at).toBe(at.toISOString());
    expect(w1.doc.results).toEqual({});
    // ... from one row: the instance's. A whole store reads its results, today's point and the poll.
    expect(w1.stats.rowsFetched - workerBefore).toBe(1);
    expect(whole.stats.rowsFetched - wholeBefore).toBeGreaterThanOrEqual(4);
    expect(whole.doc.results.b!.results.filter((r) => r.outcome === 'fail')).toHaveLength(3);
    // The poll committed whole: its results, today's point and the history, as a program reads them.
    const reread = await open(url, 'reader');
    expect(reread.doc.results.b!.results.filter((r) => r.outcome === 'fail')).toHaveLength(3);
    expect(reread.doc.daily.at(-1)?.day).toBe(at.toISOString().slice(0, 10));
    expect(reread.history().filter((p) => p.instanceId === 'b')).toHaveLength(2);
  }, 60_000);

  it("reads other workers' commits gathered: every one seen, in one read instead of one each", async () => {
    const url = await freshDatabase();
    await seed(url);
    const w1 = await PgStore.openWorker(url, { operator: 'w1', catalog: catalog.byId, followEveryMs: 5_000 });
    disposeWhenDone(() => w1.close());
    const w2 = await openWorker(url, 'w2');
    await caughtUp(w1, url);
    const reads = w1.catchUps;
    const at = new Date();
    // Three polls committed one after the other, each announced on its own.
    for (const id of ['a', 'b', 'c']) await w2.commitPolls([polled(id, 1, at)]);
    await caughtUp(w1, url);
    expect(w1.doc.instances.map((i) => i.lastPoll?.at)).toEqual([at, at, at].map((d) => d.toISOString()));
    expect(w1.catchUps - reads).toBe(1);
  }, 60_000);

  it('reads at once what it has not read yet when asked (a job naming an instance added meanwhile)', async () => {
    const url = await freshDatabase();
    await seed(url);
    // Announcements gathered for a minute: only the explicit read can bring the new instance in.
    const worker = await PgStore.openWorker(url, {
      operator: 'w1',
      catalog: catalog.byId,
      followEveryMs: 60_000,
    });
    disposeWhenDone(() => worker.close());
    await caughtUp(worker, url);
    const ops = await open(url, 'ops');
    await ops.update((d) => void d.instances.push(instance('d')));
    await worker.caughtUp();
    expect(worker.doc.instances.map((i) => i.id)).toEqual(['a', 'b', 'c', 'd']);
  }, 60_000);

  it('sees an instance added after it opened, and its own poll of it', async () => {
    const url = await freshDatabase();
    await seed(url);
    const worker = await openWorker(url, 'w1');
    const ops = await open(url, 'ops');
    await ops.update((d) => void d.instances.push(instance('d')));
    await caughtUp(worker, url);
    expect(worker.doc.instances.map((i) => i.id)).toEqual(['a', 'b', 'c', 'd']);
    await worker.commitPolls([polled('d', 2)]);
    expect(worker.doc.instances.find((i) => i.id === 'd')!.lastPoll?.outcome).toBe('ok');
    expect(worker.doc.results).toEqual({});
    await caughtUp(ops, url);
    expect(ops.doc.results.d!.results.filter((r) => r.outcome === 'fail')).toHaveLength(2);
  }, 60_000);

  it("leaves out of today's point an instance whose recommendations were turned off between its polls", async () => {
    const url = await freshDatabase();
    await seed(url);
    const worker = await openWorker(url, 'w1');
    await worker.commitPolls([polled('b', 2)]);
    const ops = await open(url, 'ops');
    await ops.update((d) => void (d.instances.find((i) => i.id === 'a')!.recommendations = false));
    await caughtUp(worker, url);
    await worker.commitPolls([polled('c', 4)]);
    const doc = (await open(url, 'reader')).doc;
    const score = docScores(doc, catalog.byId, new Date()).views.current;
    expect(doc.daily.at(-1)).toMatchObject({ achieved: score.achieved, possible: score.possible });
    const withA = docScores(
      { ...doc, instances: doc.instances.map((i) => ({ ...i, recommendations: true })) },
      catalog.byId,
      new Date(),
    ).views.current;
    expect(withA.possible).toBeGreaterThan(score.possible);
  }, 60_000);

  it('commits the alert queue, and refuses a change to an instance (it has no results to score it by)', async () => {
    const url = await freshDatabase();
    await seed(url);
    const worker = await openWorker(url, 'w1');
    await worker.update((d) => void (d.alertQueue.dropped = 2));
    const ops = await open(url, 'ops');
    expect(ops.doc.alertQueue.dropped).toBe(2);
    await expect(worker.update((d) => void (d.instances[0]!.name = 'renamed'))).rejects.toThrow(
      /not changes to instances/,
    );
    expect(worker.doc.instances[0]!.name).not.toBe('renamed');
    const again = await open(url, 'again');
    expect(again.doc.instances[0]!.name).not.toBe('renamed');
  }, 60_000);
});
