import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../source/catalog/index.js';
import { fleetOf, generateFleet } from '../../benchmarks/fleet.js';
import { cleanJson, jsonPieces, Slices } from '../../source/commands/output.js';
import { buildExport, planExport } from '../../source/commands/report.js';
import { HOSTILE } from '../helpers/hostile.js';
import { actionKey, collectActions, rankActions } from '../../source/domain/scoring.js';
import { instance, storeWith } from './helpers.js';

const catalog = loadCatalog();
const now = new Date('2026-11-29T12:00:00Z');

describe('the export of results', () => {
  it("is in the instances' order, then the catalog's, whatever order the results are kept in", () => {
    const doc = storeWith([instance('b'), instance('a'), instance('c')]);
    doc.results.a!.results.reverse();
    const [first, second] = [doc.results.c!.results[0]!, doc.results.c!.results[5]!];
    doc.results.c!.results[0] = second;
    doc.results.c!.results[5] = first;
    const place = new Map(catalog.controls.map((c, n) => [c.id, n]));
    const expected = ['b', 'a', 'c'].flatMap((id) =>
      doc.results[id]!.results.map((r) => r.controlId)
        .sort((x, y) => place.get(x)! - place.get(y)!)
        .map((controlId) => `${id} ${controlId}`),
    );
    const results = buildExport(doc, catalog, now).results;
    expect(results.map((r) => `${r.instanceId} ${r.controlId}`)).toEqual(expected);
  });

  it.each(['multiple', 'single'] as const)(
    "agrees with the console's actions in %s-instance mode: points, state, rank, status, to the bit",
    (mode) => {
      const { doc } = generateFleet(catalog, { ...fleetOf(30), days: 2 });
      doc.settings.instanceMode = mode;
      doc.instances[3]!.recommendations = false;
      if (mode === 'single') doc.settings.secureScoreInstance[doc.instances[1]!.app] = doc.instances[1]!.id;
      // Statuses of every kind, an expired acceptance among them, on failing results.
      const states = [
        'planned',
        'risk_accepted',
        'third_party',
        'alternate_mitigation',
        'to_address',
      ] as const;
      doc.instances.forEach((i, n) => {
        const failed = doc.results[i.id]!.results.find(
          (r) => r.outcome === 'fail' || r.outcome === 'partial',
        );
        if (!failed) return;
        const state = states[n % states.length]!;
        doc.statuses.push({
          instanceId: i.id,
          controlId: failed.controlId,
          state,
          reason: `why ${n}`,
          by: 'ops',
          at: '2026-11-01T00:00:00Z',
          ...(state === 'risk_accepted' && n % 2 ? { expires: '2026-11-02T00:00:00Z' } : {}),
        });
      });
      const actions = new Map(
        rankActions(collectActions(doc, catalog.byId, now)).map((a) => [
          actionKey(a.instance.id, a.control.id),
          a,
        ]),
      );
      const results = buildExport(doc, catalog, now).results;
      const counted = results.filter((r) => r.counted);
      expect(counted).toHaveLength(actions.size);
      for (const r of counted) {
        const a = actions.get(actionKey(r.instanceId, r.controlId))!;
        expect([r.points, r.rank, r.status.state, r.status.unverified, r.status.reason]).toEqual([
          a.achieved,
          a.rank,
          a.state,
          a.unverified,
          a.update?.reason ?? '',
        ]);
      }
      expect(new Set(results.map((r) => r.status.state)).size).toBeGreaterThanOrEqual(5);
      expect(results.some((r) => !r.counted && r.points !== null)).toBe(true);
    },
  );

  it("carries the console's ranks, and none for an instance that does not count", () => {
    const doc = storeWith([
      instance('x', { name: 'Same' }),
      instance('y', { name: 'Same' }),
      instance('off', { recommendations: false }),
      instance('z', { name: 'Another' }),
    ]);
    doc.results.y!.results.reverse();
    const console = new Map(rankActions(collectActions(doc, catalog.byId, now)).map((a) => [a.id, a.rank]));
    const results = buildExport(doc, catalog, now).results;
    for (const r of results)
      expect(r.rank).toBe(r.instanceId === 'off' ? null : console.get(actionKey(r.instanceId, r.controlId)));
    expect(results.filter((r) => r.rank !== null)).toHaveLength(console.size);
  });

  it('is, in pieces on one line, the sanitized deep copy of the whole export: hostile strings too', () => {
    const { doc } = generateFleet(catalog, { ...fleetOf(40), days: 2 });
    HOSTILE.forEach((h, n) => {
      const i = doc.instances[n % doc.instances.length]!;
      if (n % 3 === 0) i.name = h.text;
      const results = doc.results[i.id]!.results;
      const r = results[n % results.length]!;
      r.evidence = [{ item: h.text, path: `/${h.name}`, value: 'C:\\new \\"x\\" \u007f' }];
      r.failing = [{ id: h.text, name: `a\\${h.text}` }];
    });
    const plan = planExport(doc, catalog, now);
    expect(plan.count).toBeGreaterThan(2000);
    // Each piece copied as it is taken: a long piece's buffer is reused.
    const parts = Array.from(
      jsonPieces({ ...plan.head, results: new Slices(plan.count, plan.results) }, 0),
      (p) => Buffer.from(p).toString('utf8'),
    );
    expect(parts.join('')).toBe(`${JSON.stringify(cleanJson(buildExport(doc, catalog, now)))}\n`);
  });
});
