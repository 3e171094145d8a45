import { describe, expect, it } from 'vitest';
import { test as check, evaluate, pointer } from '../../source/domain/rules.js';
import { control } from '../helpers/fixtures.js';

describe('JSON pointer', () => {
  it('reads nested values and escapes, and treats null as missing', () => {
    const doc = { a: { 'b/c': { '~d': 1 }, n: null } };
    expect(pointer(doc, '/a/b~1c/~0d')).toBe(1);
    expect(typeof pointer(doc, '/a/n')).toBe('symbol');
    expect(typeof pointer(doc, '/a/zzz')).toBe('symbol');
  });
});

describe('conditions', () => {
  it('compares ServiceNow string values by meaning', () => {
    expect(check({ v: '30' }, { path: '/v', op: 'lte', value: 30 })).toBe(true);
    expect(check({ v: 'true' }, { path: '/v', op: 'eq', value: true })).toBe(true);
    expect(check({ v: 'false' }, { path: '/v', op: 'eq', value: true })).toBe(false);
  });
  it('cannot judge a missing value', () => {
    expect(check({}, { path: '/v', op: 'gte', value: 1 })).toBeUndefined();
    expect(check({}, { path: '/v', op: 'exists' })).toBe(false);
  });
});

const items = (...xs: unknown[]) => ({ 'okta:x': { ok: true as const, items: xs } });

describe('evaluate', () => {
  const c = control('okta.x.y', {
    rule: {
      dataset: 'okta:x',
      where: [{ path: '/status', op: 'eq', value: 'ACTIVE' }],
      assert: [{ path: '/len', op: 'gte', value: 15 }],
      mode: 'all',
      onEmpty: 'unknown',
      label: '/name',
    },
  });

  it('checks every active item, not only the first', () => {
    const r = evaluate(
      c,
      items({ status: 'ACTIVE', len: 16, name: 'Default' }, { status: 'ACTIVE', len: 8, name: 'Weak' }),
    );
    expect(r.outcome).toBe('fail');
    // The failing item comes first, named.
    expect(r.evidence).toEqual([
      { item: 'Weak', path: '/len', value: '8' },
      { item: 'Default', path: '/len', value: '16' },
    ]);
    expect(r.failing).toEqual([{ id: 'Weak', name: 'Weak' }]);
  });

  it('ignores inactive items', () => {
    expect(evaluate(c, items({ status: 'INACTIVE', len: 1 }, { status: 'ACTIVE', len: 20 })).outcome).toBe(
      'pass',
    );
  });

  it('is unknown, never a fail, when the setting is not revealed or the dataset is unreadable', () => {
    expect(evaluate(c, items({ status: 'ACTIVE' })).outcome).toBe('unknown');
    const r = evaluate(c, { 'okta:x': { ok: false, reason: 'the token may not read this' } });
    expect(r).toMatchObject({ outcome: 'unknown', reason: 'the token may not read this' });
    expect(evaluate(c, {}).outcome).toBe('unknown');
  });

  it('scores proportional controls as partial with count and total', () => {
    const p = control('okta.p.q', { scoring: 'proportional', rule: { ...c.rule, mode: 'proportional' } });
    const r = evaluate(
      p,
      items({ status: 'ACTIVE', len: 16 }, { status: 'ACTIVE', len: 1 }, { status: 'ACTIVE', len: 15 }),
    );
    expect(r).toMatchObject({ outcome: 'partial', count: 2, total: 3 });
  });

  it('applies the platform default when no item is returned', () => {
    const d = control('okta.d.e', {
      rule: { ...c.rule, onEmpty: 'default', defaultItem: { status: 'ACTIVE', len: 8 } },
    });
    const r = evaluate(d, items());
    expect(r.outcome).toBe('fail');
    expect(r.reason).toMatch(/platform default/);
    expect(r.evidence[0]?.item).toBe('platform default');
  });

  it('passes an "any" rule when one item matches', () => {
    const any = control('okta.l.s', {
      rule: {
        ...c.rule,
        where: [],
        assert: [{ path: '/status', op: 'eq', value: 'ACTIVE' }],
        mode: 'any',
        onEmpty: 'fail',
      },
    });
    expect(evaluate(any, items({ status: 'INACTIVE' }, { status: 'ACTIVE' })).outcome).toBe('pass');
    expect(evaluate(any, items()).outcome).toBe('fail');
  });
});
