import { describe, expect, it } from 'vitest';
import { DESCENDING, filterActions, NO_FILTER, SORTS } from '../../source/domain/action-filter.js';
import type { Result } from '../../source/domain/schemas.js';
import { buildActions } from '../../source/domain/scoring.js';
import { control, instance, world } from '../helpers/fixtures.js';

const now = new Date('2026-11-23T12:00:00Z');
const result = (controlId: string, outcome: Result['outcome']): Result => ({
  controlId,
  outcome,
  evidence: [],
});

// Ranked by points left: big (10, fail), crit (5, fail), mid (3, partial 1/3), zed (1, pass).
const controls = [
  control('okta.big', { title: 'Bravo', maxPoints: 10, severity: 'low' }),
  control('okta.crit', { title: 'alpha', maxPoints: 5, severity: 'critical' }),
  control('okta.mid', { title: 'Charlie', maxPoints: 3, severity: 'high', scoring: 'proportional' }),
  control('okta.zed', { title: 'delta', maxPoints: 1, severity: 'medium' }),
];
const { doc, catalog } = world(controls, [instance('eu')], {
  eu: [
    result('okta.big', 'fail'),
    result('okta.crit', 'fail'),
    { ...result('okta.mid', 'partial'), count: 1, total: 3 },
    result('okta.zed', 'pass'),
  ],
});
const actions = buildActions(doc, catalog.byId, now);
const order = (sort: (typeof SORTS)[number], reverse = false) =>
  filterActions(actions, NO_FILTER, sort, reverse).map((a) => a.control.title);

describe('sorting the Recommended actions by a column', () => {
  it('keeps the ranking by default and reverses it on request', () => {
    expect(order('rank')).toEqual(['Bravo', 'alpha', 'Charlie', 'delta']);
    expect(order('rank', true)).toEqual(['delta', 'Charlie', 'alpha', 'Bravo']);
  });

  it('sorts titles alphabetically whatever their case', () => {
    expect(order('title')).toEqual(['alpha', 'Bravo', 'Charlie', 'delta']);
    expect(order('title', true)).toEqual(['delta', 'Charlie', 'Bravo', 'alpha']);
  });

  it('puts the most severe, the worst result and the most points first', () => {
    expect(order('severity')).toEqual(['alpha', 'Charlie', 'delta', 'Bravo']);
    expect(order('result')).toEqual(['Bravo', 'alpha', 'Charlie', 'delta']);
    expect(order('points')).toEqual(['Bravo', 'alpha', 'Charlie', 'delta']);
    expect(order('status')).toEqual(['Bravo', 'alpha', 'Charlie', 'delta']);
  });

  it('has a direction for every column', () => {
    expect(Object.keys(DESCENDING).sort()).toEqual([...SORTS].sort());
  });
});
