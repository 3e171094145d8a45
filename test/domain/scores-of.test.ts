import { describe, expect, it } from 'vitest';
import { fleetOf, generateFleet } from '../../benchmarks/fleet.js';
import { loadCatalog } from '../../source/catalog/index.js';
import {
  collectActions,
  rankActions,
  scoreByApp,
  scoreByInstance,
  scoresOf,
  scoreViews,
} from '../../source/domain/scoring.js';

describe('scoresOf', () => {
  it('is scoreViews, scoreByApp and scoreByInstance to the bit, keys in the same order', () => {
    const catalog = loadCatalog();
    const { doc } = generateFleet(catalog, { ...fleetOf(60), days: 2 });
    const ranked = rankActions(collectActions(doc, catalog.byId, new Date()));
    const s = scoresOf(
      Int32Array.from(ranked.keys()),
      (i) => ranked[i]!.control,
      (i) => ranked[i]!.instance,
      (i) => ranked[i]!.achieved,
      (i) => ranked[i]!.state,
    );
    expect(s.views).toEqual(scoreViews(ranked));
    expect([...s.byApp]).toEqual([...scoreByApp(ranked)]);
    expect([...s.byInstance]).toEqual([...scoreByInstance(ranked)]);
    expect(s.byInstance.size).toBeGreaterThan(40);
  });
});
