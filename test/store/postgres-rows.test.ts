import { produce } from 'immer';
import { describe, expect, it } from 'vitest';
import { emptyStore, type StoreDoc } from '../../source/domain/schemas.js';
import { applyRows, diff } from '../../source/store/postgres/rows.js';
import { instance } from '../helpers/fixtures.js';

const results = (n: number) => Object.freeze({ polledAt: '2026-01-01T00:00:00.000Z', results: [], n });

function doc(ids: string[]): StoreDoc {
  return produce(emptyStore(), (d) => {
    for (const id of ids) {
      d.instances.push(instance(id));
      d.results[id] = { polledAt: '2026-01-01T00:00:00.000Z', results: [] };
    }
  });
}

describe('rows of later commits applied to a document', () => {
  it('puts replaced and appended items in place, leaving the others the same objects', () => {
    const before = doc(['a', 'b', 'c']);
    const after = produce(before, (d) => {
      d.instances[1]!.name = 'B';
      d.instances.push(instance('d'));
      d.results.b = { ...results(1), results: [] };
      d.results.d = { ...results(2), results: [] };
    });
    const rows = diff(before, after);
    expect(rows.get('instances')!.map((r) => r.key)).toEqual(['b', 'd']);
    expect(rows.get('results')!.map((r) => r.key)).toEqual(['b', 'd']);
    const applied = applyRows(before, rows, false);
    expect(applied).toEqual(after);
    expect(Object.keys(applied.results)).toEqual(['a', 'b', 'c', 'd']);
    expect(applied.instances[0]).toBe(before.instances[0]);
    expect(applied.results.c).toBe(before.results.c);
  });

  it('rebuilds a collection when items are removed or moved, as committed', () => {
    const before = doc(['a', 'b', 'c']);
    for (const change of [
      (d: StoreDoc) => {
        d.instances.splice(1, 1);
        delete d.results.b;
      },
      (d: StoreDoc) => {
        d.instances.reverse();
      },
      (d: StoreDoc) => {
        d.instances.unshift(instance('z'));
      },
    ]) {
      const after = produce(before, change);
      expect(applyRows(before, diff(before, after), false)).toEqual(after);
    }
  });
});
