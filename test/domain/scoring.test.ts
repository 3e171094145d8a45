import { describe, expect, it } from 'vitest';
import {
  buildActions,
  countedInstances,
  effectiveState,
  mainInstances,
  mainsToChoose,
  resultPoints,
  scoreViews,
  scoreViewsBy,
} from '../../source/domain/scoring.js';
import { control, instance, world } from '../helpers/fixtures.js';

const now = new Date('2026-11-23T12:00:00Z');

describe('points', () => {
  it('gives all or nothing for binary controls and count/total x max for proportional ones', () => {
    const c = control('okta.a.b', { maxPoints: 10, scoring: 'proportional' });
    expect(resultPoints(c, { controlId: c.id, outcome: 'pass', evidence: [] })).toBe(10);
    expect(resultPoints(c, { controlId: c.id, outcome: 'fail', evidence: [] })).toBe(0);
    // Microsoft's example: 50 of 100 users protected x 10 max = 5 points.
    expect(
      resultPoints(c, { controlId: c.id, outcome: 'partial', count: 50, total: 100, evidence: [] }),
    ).toBe(5);
    expect(resultPoints(c, { controlId: c.id, outcome: 'partial', count: 1, total: 3, evidence: [] })).toBe(
      3.33,
    );
  });

  it('never counts unknown or error results', () => {
    const c = control('okta.a.b');
    expect(resultPoints(c, { controlId: c.id, outcome: 'unknown', evidence: [] })).toBeNull();
    expect(resultPoints(c, { controlId: c.id, outcome: 'error', evidence: [] })).toBeNull();
  });
});

describe('status', () => {
  const update = (state: 'risk_accepted' | 'planned', expires?: string) => ({
    instanceId: 'i',
    controlId: 'c',
    state,
    reason: 'r',
    by: 'me',
    at: '2026-11-01T00:00:00Z',
    ...(expires ? { expires } : {}),
  });
  it('returns an expired risk acceptance to To address', () => {
    expect(effectiveState(update('risk_accepted', '2026-11-30T00:00:00Z'), undefined, now)).toBe(
      'risk_accepted',
    );
    expect(effectiveState(update('risk_accepted', '2026-11-22T00:00:00Z'), undefined, now)).toBe(
      'to_address',
    );
  });
  it('is Completed, set by the system, when all points are achieved', () => {
    expect(effectiveState(update('planned'), { controlId: 'c', outcome: 'pass', evidence: [] }, now)).toBe(
      'completed',
    );
    expect(effectiveState(undefined, { controlId: 'c', outcome: 'fail', evidence: [] }, now)).toBe(
      'to_address',
    );
  });
});

describe('score', () => {
  const a = control('okta.a.a', { maxPoints: 10 });
  const b = control('okta.b.b', { maxPoints: 6 });
  const u = control('okta.u.u', { maxPoints: 8 });
  const results = [
    { controlId: a.id, outcome: 'fail' as const, evidence: [] },
    { controlId: b.id, outcome: 'pass' as const, evidence: [] },
    { controlId: u.id, outcome: 'unknown' as const, evidence: [] },
  ];

  it('counts only instances whose recommendations are on', () => {
    const { doc, catalog } = world([a, b, u], [instance('on'), instance('off', { recommendations: false })], {
      on: results,
      off: [{ controlId: a.id, outcome: 'pass', evidence: [] }],
    });
    const actions = buildActions(doc, catalog.byId, now);
    expect(new Set(actions.map((x) => x.instance.id))).toEqual(new Set(['on']));
    expect(scoreViews(actions).current).toEqual({ achieved: 6, possible: 16, percent: 37.5 });
  });

  it('in single mode counts only the Secure Score instance of each app', () => {
    const { doc, catalog } = world([a, b, u], [instance('x'), instance('y')], { x: results, y: results });
    doc.settings.instanceMode = 'single';
    doc.settings.secureScoreInstance.okta = 'y';
    const actions = buildActions(doc, catalog.byId, now);
    expect(new Set(actions.map((x) => x.instance.id))).toEqual(new Set(['y']));
  });

  it('in single mode counts an app’s only instance with no main chosen: the score is not empty', () => {
    const gh = instance('gh', { app: 'github' });
    const { doc, catalog } = world([a, b, u], [instance('x'), gh], { x: results });
    doc.settings.instanceMode = 'single';
    expect(countedInstances(doc).map((i) => i.id)).toEqual(['x', 'gh']);
    expect(scoreViews(buildActions(doc, catalog.byId, now)).current.percent).toBe(37.5);
  });

  it('in single mode an app with several instances and none chosen counts none, and a stale choice is no choice', () => {
    const { doc } = world([a], [instance('x'), instance('y')], {});
    doc.settings.instanceMode = 'single';
    expect(countedInstances(doc)).toEqual([]);
    doc.settings.secureScoreInstance.okta = 'gone';
    expect(mainInstances(doc).get('okta')).toBeUndefined();
    // Its recommendations off: the main instance still does not count.
    doc.settings.secureScoreInstance.okta = 'y';
    doc.instances[1]!.recommendations = false;
    expect(mainInstances(doc).get('okta')?.id).toBe('y');
    expect(countedInstances(doc)).toEqual([]);
  });

  it('switching to single mode chooses, for an app with several instances and none chosen, the first one on', () => {
    const { doc } = world(
      [a],
      [
        instance('off', { recommendations: false }),
        instance('on1'),
        instance('on2'),
        instance('gh', { app: 'github' }),
        instance('sf1', { app: 'salesforce', recommendations: false }),
        instance('sf2', { app: 'salesforce', recommendations: false }),
      ],
      {},
    );
    const chosen = mainsToChoose(doc);
    // GitHub's only instance is its main already; Salesforce has none on: its first.
    expect(Object.fromEntries([...chosen].map(([app, i]) => [app, i.id]))).toEqual({
      okta: 'on1',
      salesforce: 'sf1',
    });
  });

  it('ranks by points left, and computes planned, achievable and third-party views', () => {
    const { doc, catalog } = world([a, b, u], [instance('i')], { i: results });
    const base = buildActions(doc, catalog.byId, now);
    expect(base[0]?.control.id).toBe(a.id);
    const set = (state: 'planned' | 'risk_accepted' | 'third_party') => {
      doc.statuses = [
        { instanceId: 'i', controlId: a.id, state, reason: 'because', by: 'me', at: now.toISOString() },
      ];
      return scoreViews(buildActions(doc, catalog.byId, now));
    };
    expect(set('planned').planned).toEqual({ achieved: 16, possible: 16, percent: 100 });
    const accepted = set('risk_accepted');
    expect(accepted.current).toEqual({ achieved: 6, possible: 16, percent: 37.5 });
    expect(accepted.achievable).toEqual({ achieved: 6, possible: 6, percent: 100 });
    const third = buildActions(doc, catalog.byId, now);
    doc.statuses[0]!.state = 'third_party';
    const thirdActions = buildActions(doc, catalog.byId, now);
    expect(thirdActions.find((x) => x.control.id === a.id)).toMatchObject({ achieved: 10, unverified: true });
    expect(scoreViews(thirdActions).current.percent).toBe(100);
    expect(third.find((x) => x.control.id === a.id)?.state).toBe('risk_accepted');
  });
});

describe('score views per key', () => {
  it('splits every view, not only the current one, so that the parts add up to the whole', () => {
    const a = control('okta.a', { maxPoints: 10 });
    const b = control('okta.b', { maxPoints: 6 });
    const fail = (controlId: string) => ({ controlId, outcome: 'fail' as const, evidence: [] });
    const { doc, catalog } = world([a, b], [instance('x'), instance('y')], {
      x: [fail('okta.a'), fail('okta.b')],
      y: [fail('okta.a'), { controlId: 'okta.b', outcome: 'pass', evidence: [] }],
    });
    const at = '2026-11-01T00:00:00Z';
    doc.statuses.push(
      { instanceId: 'x', controlId: 'okta.a', state: 'planned', reason: '', by: 'me', at },
      { instanceId: 'y', controlId: 'okta.a', state: 'risk_accepted', reason: 'r', by: 'me', at },
    );
    const actions = buildActions(doc, catalog.byId, now);
    const parts = scoreViewsBy(actions, (x) => x.instance.id);
    expect(parts.get('x')!.planned).toEqual({ achieved: 10, possible: 16, percent: 62.5 });
    expect(parts.get('y')!.achievable).toEqual({ achieved: 6, possible: 6, percent: 100 });
    const whole = scoreViews(actions);
    for (const view of ['current', 'planned', 'achievable'] as const) {
      const sum = (k: 'achieved' | 'possible') => [...parts.values()].reduce((n, s) => n + s[view][k], 0);
      expect([sum('achieved'), sum('possible')]).toEqual([whole[view].achieved, whole[view].possible]);
    }
  });
});
