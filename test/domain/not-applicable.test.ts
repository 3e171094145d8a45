import { describe, expect, it } from 'vitest';
import { filterActions, NO_FILTER } from '../../source/domain/action-filter.js';
import { controlAccess } from '../../source/domain/access.js';
import { evaluateFramework, requirementStatus } from '../../source/domain/frameworks.js';
import { diffResults } from '../../source/domain/history.js';
import { evaluate } from '../../source/domain/rules.js';
import { summarize } from '../../source/domain/score-summary.js';
import { SETTABLE_STATES, type Result } from '../../source/domain/schemas.js';
import {
  buildActions,
  docScores,
  effectiveState,
  resultPoints,
  scoreViews,
} from '../../source/domain/scoring.js';
import { control, instance, world } from '../helpers/fixtures.js';
import { testFramework } from '../helpers/frameworks.js';

const now = new Date('2026-11-23T12:00:00Z');
const r = (controlId: string, outcome: Result['outcome']): Result => ({ controlId, outcome, evidence: [] });

// A setting of an application that may not be installed: it applies only where `active` is true.
const gated = control('okta.app.setting', {
  maxPoints: 9,
  rule: {
    dataset: 'okta:settings',
    assert: [{ path: '/on', op: 'eq', value: true }],
    onEmpty: 'unknown',
    appliesWhen: {
      dataset: 'okta:apps',
      where: [{ path: '/name', op: 'eq', value: 'sn_fsm' }],
      is: [{ path: '/active', op: 'eq', value: 'true' }],
      reason: 'the application is not installed',
    },
  },
});

describe('a control whose setting is not there', () => {
  it('is not applicable, with its reason and what was read, never a pass', () => {
    const datasets = {
      'okta:apps': { ok: true as const, items: [{ name: 'sn_fsm', active: 'false' }] },
      'okta:settings': { ok: true as const, items: [{ on: false }] },
    };
    expect(evaluate(gated, datasets)).toEqual({
      controlId: gated.id,
      outcome: 'not_applicable',
      reason: 'the application is not installed',
      evidence: [{ item: 'sn_fsm', path: '/active', value: 'false' }],
    });
  });

  it('stays unknown, naming the right, when what decides could not be read', () => {
    const datasets = {
      'okta:apps': { ok: false as const, reason: 'forbidden', missing: 'the admin role' },
      'okta:settings': { ok: true as const, items: [{ on: true }] },
    };
    expect(evaluate(gated, datasets)).toMatchObject({ outcome: 'unknown', missing: 'the admin role' });
  });

  it('earns no points and counts in no maximum: adding one leaves an instance’s score as it was', () => {
    const a = control('okta.a.a', { maxPoints: 10 });
    const b = control('okta.b.b', { maxPoints: 6 });
    const before = { i: [r(a.id, 'fail'), r(b.id, 'pass')] };
    const after = { i: [...before.i, r(gated.id, 'not_applicable')] };
    const score = (results: Record<string, Result[]>) => {
      const { doc, catalog } = world([a, b, gated], [instance('i')], results);
      const actions = buildActions(doc, catalog.byId, now);
      // The first frame's sums and a PostgreSQL summary judge it the same way.
      expect(docScores(doc, catalog.byId, now).views).toEqual(scoreViews(actions));
      expect(summarize('okta', results.i!, undefined, catalog.byId, 'k', now).sums.possible).toBe(
        scoreViews(actions).current.possible,
      );
      return scoreViews(actions);
    };
    expect(score(after)).toEqual(score(before));
    expect(score(after).current).toEqual({ achieved: 6, possible: 16, percent: 37.5 });
    expect(resultPoints(gated, r(gated.id, 'not_applicable'))).toBeNull();
  });

  it('is the system’s Not applicable state, whatever an operator said before; no operator sets it', () => {
    const planned = {
      instanceId: 'i',
      controlId: gated.id,
      state: 'risk_accepted' as const,
      reason: 'r',
      by: 'me',
      at: '2026-11-01T00:00:00Z',
    };
    expect(effectiveState(planned, r(gated.id, 'not_applicable'), now)).toBe('not_applicable');
    expect(effectiveState(undefined, r(gated.id, 'not_applicable'), now)).toBe('not_applicable');
    expect(SETTABLE_STATES).not.toContain('not_applicable');
  });

  it('is listed among the actions, after the ones with points left, with no points and no action to take', () => {
    const a = control('okta.a.a', { maxPoints: 1 });
    const { doc, catalog } = world([a, gated], [instance('i')], {
      i: [r(gated.id, 'not_applicable'), r(a.id, 'fail')],
    });
    const actions = filterActions(buildActions(doc, catalog.byId, now), NO_FILTER, 'rank');
    expect(actions.map((x) => [x.control.id, x.state, x.achieved])).toEqual([
      [a.id, 'to_address', 0],
      [gated.id, 'not_applicable', null],
    ]);
    // Sorted by result, worst first: what does not apply comes after the passes.
    const byResult = filterActions(buildActions(doc, catalog.byId, now), NO_FILTER, 'result');
    expect(byResult.at(-1)?.control.id).toBe(gated.id);
  });

  it('is a verdict the credential could reach: the instance record counts it as evaluable', () => {
    const [access] = controlAccess([gated], [r(gated.id, 'not_applicable')]);
    expect(access).toMatchObject({ evaluable: true, outcome: 'not_applicable' });
  });

  it('is neither a finding nor a fix between polls, so no alert fires for it', () => {
    const before = [r('a', 'pass'), r('b', 'fail'), r('c', 'not_applicable')];
    const after = [r('a', 'not_applicable'), r('b', 'not_applicable'), r('c', 'fail')];
    // Pass or fail to not applicable: nothing regressed, nothing was fixed; back to failing: new.
    expect(diffResults('i', before, after)).toEqual([{ instanceId: 'i', controlId: 'c', kind: 'new' }]);
  });
});

describe('a framework requirement whose controls do not apply', () => {
  const framework = testFramework(3);
  const cites = (id: string, req: string) => control(id, { benchmarks: [{ name: 'Test', id: req }] });
  const catalog = {
    controls: [cites('okta.a.a', 'R1'), cites('okta.b.b', 'R2'), cites('okta.c.c', 'R3')],
    manual: [],
  };

  it('is not applicable, and left out of the checkable requirements and their percentage', () => {
    const report = evaluateFramework(framework, catalog, [
      { instanceId: 'eu', controlId: 'okta.a.a', outcome: 'pass' },
      { instanceId: 'eu', controlId: 'okta.b.b', outcome: 'fail' },
      { instanceId: 'eu', controlId: 'okta.c.c', outcome: 'not_applicable' },
      { instanceId: 'us', controlId: 'okta.c.c', outcome: 'not_applicable' },
    ]);
    expect(report.rows.map((row) => row.status)).toEqual(['pass', 'fail', 'not_applicable']);
    expect(report).toMatchObject({ met: 1, checkable: 2, percent: 50 });
    expect(report.counts.not_applicable).toBe(1);
  });

  it('is judged by the results that apply when only some do', () => {
    expect(requirementStatus(['pass', 'not_applicable'])).toBe('pass');
    expect(requirementStatus(['fail', 'not_applicable'])).toBe('fail');
    expect(requirementStatus(['unknown', 'not_applicable'])).toBe('unknown');
    expect(requirementStatus(['not_applicable'])).toBe('not_applicable');
  });
});
