import { describe, expect, it } from 'vitest';
import { fleetOf, generateFleet } from '../../benchmarks/fleet.js';
import { loadCatalog } from '../../source/catalog/index.js';
import type { State, StoreDoc } from '../../source/domain/schemas.js';
import { collectActions, docScores, scoreViews, scoreViewsBy } from '../../source/domain/scoring.js';
import { control, instance, world } from '../helpers/fixtures.js';

// The first frame shows sums added straight from the results (docScores); every other view adds
// up the actions. The two must agree exactly, or the header and a breakdown would disagree.
const now = new Date('2026-11-23T12:00:00Z');

function expectSameAsActions(doc: StoreDoc, catalog: ReadonlyMap<string, ReturnType<typeof control>>) {
  const actions = collectActions(doc, catalog, now);
  const fast = docScores(doc, catalog, now);
  expect(fast.views).toEqual(scoreViews(actions));
  expect(fast.byApp).toEqual(scoreViewsBy(actions, (a) => a.instance.app));
  return fast;
}

describe('docScores', () => {
  it('equals the sums of the actions on a generated fleet of 2,000 instances, in every view', () => {
    const catalog = loadCatalog();
    const { doc } = generateFleet(catalog, fleetOf(2000), now);
    const fast = expectSameAsActions(doc, catalog.byId);
    // The fleet has plans and accepted risks: the planned and achievable views differ from current.
    expect(fast.views.planned.achieved).toBeGreaterThan(fast.views.current.achieved);
    expect(fast.views.achievable.possible).toBeLessThan(fast.views.current.possible);
    expect(fast.byApp.size).toBeGreaterThan(1);
  });

  it('equals them in single-instance mode and with every state, partial and uncounted results', () => {
    const a = control('okta.a.a', { maxPoints: 10 });
    const b = control('okta.b.b', { maxPoints: 6, scoring: 'proportional' });
    const u = control('okta.u.u', { maxPoints: 8 });
    const results = [
      { controlId: a.id, outcome: 'fail' as const, evidence: [] },
      { controlId: b.id, outcome: 'partial' as const, count: 1, total: 3, evidence: [] },
      { controlId: u.id, outcome: 'unknown' as const, evidence: [] },
      { controlId: 'okta.dropped', outcome: 'pass' as const, evidence: [] },
    ];
    const { doc, catalog } = world(
      [a, b, u],
      [instance('one'), instance('two'), instance('off', { recommendations: false }), instance('gh')],
      { one: results, two: results, off: results, gh: [{ controlId: u.id, outcome: 'fail', evidence: [] }] },
    );
    const update = (instanceId: string, controlId: string, state: State, expires?: string) => ({
      instanceId,
      controlId,
      state,
      reason: 'r',
      by: 'me',
      at: '2026-11-01T00:00:00Z',
      ...(expires ? { expires } : {}),
    });
    doc.statuses.push(
      update('one', a.id, 'planned'),
      update('one', b.id, 'risk_accepted', '2026-12-30T00:00:00Z'),
      update('two', a.id, 'risk_accepted', '2026-11-01T00:00:00Z'), // expired: To address
      update('two', b.id, 'third_party'),
      update('gh', u.id, 'alternate_mitigation'),
    );
    const multiple = expectSameAsActions(doc, catalog.byId);
    expect(multiple.views.planned.achieved).toBeGreaterThan(multiple.views.current.achieved);
    expect(multiple.views.achievable.possible).toBeLessThan(multiple.views.current.possible);
    doc.settings.instanceMode = 'single';
    doc.settings.secureScoreInstance = { okta: 'two' };
    const single = expectSameAsActions(doc, catalog.byId);
    expect(single.views.current.possible).toBeLessThan(multiple.views.current.possible);
  });
});
