import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { generateFleet } from '../../benchmarks/fleet.js';
import { loadCatalog } from '../../source/catalog/index.js';
import { FLEET } from '../../benchmarks/fleet.js';
import { SETTABLE_STATES, type StoreDoc } from '../../source/domain/schemas.js';
import { catalogKey, type ScoreSummary, scoresFromSummaries } from '../../source/domain/score-summary.js';
import { type DocScores, docScores } from '../../source/domain/scoring.js';
import { instance } from '../helpers/fixtures.js';
import { fleetStore } from '../helpers/pg-fleet.js';
import { freshDatabase, openPg as open } from '../helpers/postgres.js';

const catalog = loadCatalog();

async function summaries(url: string): Promise<Map<string, ScoreSummary>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ key: string; body: ScoreSummary }>(
      'SELECT key, body FROM instance_scores',
    );
    return new Map(rows.map((r) => [r.key, r.body]));
  } finally {
    await client.end();
  }
}

/** Equal to the last few bits: summaries add per instance, then across (another order of the same sums). */
function expectScoresClose(a: DocScores, b: DocScores) {
  const flat = (s: DocScores) => [
    ...Object.values(s.views).flatMap((v) => [v.achieved, v.possible]),
    ...[...s.byApp]
      .sort(([x], [y]) => x.localeCompare(y))
      .flatMap(([app, v]) => [app, ...Object.values(v).flatMap((x) => [x.achieved, x.possible])]),
  ];
  const [x, y] = [flat(a), flat(b)];
  expect(x.length).toBe(y.length);
  x.forEach((v, n) =>
    typeof v === 'number' ? expect(v).toBeCloseTo(y[n] as number, 6) : expect(v).toBe(y[n]),
  );
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

describe('score summaries on PostgreSQL', () => {
  it('equal the scores summed from the results after random commits (results, statuses, toggles, removals)', async () => {
    const url = await freshDatabase();
    const s = await fleetStore(url, 20);
    const rand = rng(17);
    const now = new Date();
    for (let k = 0; k < 40; k++) {
      await s.update((d: StoreDoc) => {
        const i = d.instances[Math.floor(rand() * d.instances.length)]!;
        const pick = rand();
        if (pick < 0.3) i.recommendations = !i.recommendations;
        else if (pick < 0.6) {
          const r = d.results[i.id]!.results[0]!;
          d.results[i.id] = {
            polledAt: now.toISOString(),
            results: [{ ...r, outcome: r.outcome === 'pass' ? 'fail' : 'pass' }],
          };
        } else if (pick < 0.9) {
          const r = d.results[i.id]?.results[Math.floor(rand() * (d.results[i.id]?.results.length ?? 0))];
          if (r)
            d.statuses.push({
              instanceId: i.id,
              controlId: r.controlId,
              state: SETTABLE_STATES[Math.floor(rand() * SETTABLE_STATES.length)]!,
              reason: 'why',
              by: 'a',
              at: now.toISOString(),
              expires: new Date(now.getTime() + 86_400_000).toISOString(),
            });
        } else {
          d.instances = d.instances.filter((x) => x !== i);
          delete d.results[i.id];
        }
      });
      // A second operator's commits are summed too.
      if (k % 10 === 0) {
        const b = await open(url, { catalog: catalog.byId, operator: 'b' });
        await b.update((d) => {
          d.instances[0]!.recommendations = !d.instances[0]!.recommendations;
        });
        await b.close();
      }
      // After every commit: the summaries add up to the scores of the document as committed.
      const held = await summaries(url);
      const committed = await open(url, { readOnly: true });
      const fromSummaries = scoresFromSummaries(committed.doc, held, catalogKey(catalog.byId), now);
      expect(fromSummaries).toBeDefined();
      expectScoresClose(fromSummaries!, docScores(committed.doc, catalog.byId, now));
      await committed.close();
    }
    await s.flush();
    const b = await open(url, { readOnly: true });
    const held = await summaries(url);
    expect([...held.keys()].sort()).toEqual(b.doc.instances.map((i) => i.id).sort());
    const fromSummaries = scoresFromSummaries(b.doc, held, catalogKey(catalog.byId), now);
    expect(fromSummaries).toBeDefined();
    expectScoresClose(fromSummaries!, docScores(b.doc, catalog.byId, now));
  });

  it("draws a console's first frame from the summaries, then reads the rest: the same document and history as a whole read", async () => {
    const url = await freshDatabase();
    const a = await fleetStore(url, 20);
    await a.flush();
    const whole = await open(url, { readOnly: true });
    const c = await open(url, { checkLater: true, watch: true, catalog: catalog.byId, operator: 'c' });
    expect(Object.keys(c.doc.results)).toHaveLength(0); // not read before the first frame
    expect(c.doc.instances).toEqual(whole.doc.instances);
    expect(c.history()).toHaveLength(0);
    const early = c.earlyScores();
    expect(early).toBeDefined();
    expectScoresClose(early!, docScores(whole.doc, catalog.byId, new Date()));
    // A change made meanwhile waits for the results, then applies to the whole document.
    const changed = c.update((d) => {
      d.instances[0]!.name = 'Renamed early';
    });
    await c.checkInBackground();
    await changed;
    expect(c.earlyScores()).toBeUndefined();
    expect(c.doc.results).toEqual(whole.doc.results);
    expect(c.doc.statuses).toEqual(whole.doc.statuses);
    expect(c.history()).toEqual(whole.history());
    expect(c.doc.instances[0]!.name).toBe('Renamed early');
  });

  it('falls back to a whole read when a commit came from a program without the catalog', async () => {
    const url = await freshDatabase();
    const a = await fleetStore(url, 20);
    await a.flush();
    const id = a.doc.instances[0]!.id;
    const bare = await open(url, { operator: 'bare' }); // no catalog: it cannot sum
    await bare.update((d) => {
      d.results[id] = { polledAt: new Date().toISOString(), results: [] };
    });
    await bare.close();
    expect((await summaries(url)).has(id)).toBe(false); // removed, never left wrong
    const c = await open(url, { checkLater: true, catalog: catalog.byId, operator: 'c' });
    expect(c.earlyScores()).toBeUndefined();
    expect(Object.keys(c.doc.results).length).toBe(a.doc.instances.length);
    c.check();
    await c.flush(); // a writer with the catalog makes the missing summary again
    expect((await summaries(url)).has(id)).toBe(true);
  });

  it('does not use a summary past an expiry of an accepted risk', () => {
    const i = instance('x');
    const doc = {
      instances: [i],
      settings: generateFleet(catalog, { ...FLEET, instances: 0, days: 0 }).doc.settings,
    };
    const key = catalogKey(catalog.byId);
    const s: ScoreSummary = {
      app: 'okta',
      sums: { achieved: 1, possible: 2, planned: 0, accepted: 2 },
      counted: 1,
      catalog: key,
      until: Date.parse('2026-01-02T00:00:00Z'),
    };
    const map = new Map([['x', s]]);
    expect(scoresFromSummaries(doc, map, key, new Date('2026-01-01T00:00:00Z'))).toBeDefined();
    expect(scoresFromSummaries(doc, map, key, new Date('2026-01-02T00:00:00Z'))).toBeUndefined();
    expect(
      scoresFromSummaries(doc, map, 'another catalog', new Date('2026-01-01T00:00:00Z')),
    ).toBeUndefined();
  });
});
