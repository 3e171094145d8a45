import { describe, expect, it } from 'vitest';
import { fleetOf, generateFleet } from '../../benchmarks/fleet.js';
import { loadCatalog } from '../../source/catalog/index.js';
import { orderByKeys } from '../../source/domain/rank-order.js';
import { type Action, collectActions, rankActions } from '../../source/domain/scoring.js';

/** A small deterministic generator: the same cases every run. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) as number;
}

/** What a stable comparison sort gives: the reference the typed-array sort must match. */
const stableOrder = (k: Float64Array, t: Float64Array) =>
  [...k.keys()].sort((x, y) => k[x]! - k[y]! || t[x]! - t[y]!);

describe('the order of items by two numeric keys, in one sort of numbers', () => {
  it('is the stable comparison sort, ties (equal keys, -0 and 0) in their given order', () => {
    const next = random(7);
    const primaries = [-25_000.5, -20_000, -0, 0, 3, 10_021, 0.1 + 0.2, 0.3];
    for (const n of [0, 1, 2, 17, 500, 3000]) {
      const k = Float64Array.from({ length: n }, () => primaries[Math.floor(next() * primaries.length)]!);
      const t = Float64Array.from({ length: n }, () => Math.floor(next() * 6));
      const order = orderByKeys(k, t, 6);
      expect(order && [...order]).toEqual(stableOrder(k, t));
    }
  });

  it('declines keys it cannot make exact: the caller sorts with a comparison then', () => {
    const t = Float64Array.of(0, 1, 0);
    expect(orderByKeys(Float64Array.of(1, Number.NaN, 2), t, 2)).toBeUndefined();
    expect(orderByKeys(Float64Array.of(1, Number.POSITIVE_INFINITY, 2), t, 2)).toBeUndefined();
    expect(orderByKeys(Float64Array.of(1, 2, 3), Float64Array.of(0, 2, 0), 2)).toBeUndefined();
    expect(orderByKeys(Float64Array.of(1, 2, 3), Float64Array.of(0, 0.5, 0), 2)).toBeUndefined();
    expect(orderByKeys(Float64Array.of(1, 2, 3), t, 2 ** 52)).toBeUndefined();
  });
});

/** The ranking as it was made before, by a comparison of its keys per pair (session 13). */
function rankedByComparison(actions: readonly Action[]): string[] {
  const severity = { critical: 0, high: 1, medium: 2, low: 3 };
  const impact = { low: 0, moderate: 1, high: 2 };
  const places = (strings: string[]) =>
    new Map([...new Set(strings)].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)).map((s, i) => [s, i]));
  const titles = places(actions.map((a) => a.control.title));
  const names = places(actions.map((a) => a.instance.name));
  return actions
    .map((a) => ({
      a,
      k:
        (a.achieved === null ? -1 : a.max - a.achieved) * -10_000 +
        severity[a.control.severity] * 10 +
        impact[a.control.userImpact],
      t: titles.get(a.control.title)! * names.size + names.get(a.instance.name)!,
    }))
    .sort((x, y) => x.k - y.k || x.t - y.t)
    .map(({ a }) => a.id);
}

describe('rankActions', () => {
  it('ranks a generated fleet as the comparison sort did, names shared by instances included', () => {
    const catalog = loadCatalog();
    const { doc } = generateFleet(catalog, { ...fleetOf(60), days: 2 });
    // Instances with one name: their actions tie on everything but their place in the fleet.
    for (const i of doc.instances.slice(0, 20)) i.name = 'Same name';
    const actions = collectActions(doc, catalog.byId, new Date());
    expect(actions.some((a) => a.achieved !== null && !Number.isInteger(a.achieved))).toBe(true);
    const ranked = rankActions(actions);
    expect(ranked.map((a) => a.id)).toEqual(rankedByComparison(actions));
    expect(ranked.map((a) => a.rank)).toEqual(ranked.map((_, i) => i + 1));
  });
});
