import { describe, expect, it } from 'vitest';
import { generateFleet, fleetOf } from '../../benchmarks/fleet.js';
import { loadCatalog } from '../../source/catalog/index.js';
import type { InstanceResults, StoreDoc } from '../../source/domain/schemas.js';
import { serializeState, serializeStateBytes } from '../../source/store/serialize.js';

/**
 * What the state file holds (store/format.ts): the version and commit first, the document but its
 * results on the first line, then the results an instance a line; one JSON document in all.
 */
function expected(doc: StoreDoc, commit: number): string {
  const { version, results, ...rest } = doc;
  const head = JSON.stringify({ version, commit, ...rest });
  const lines = Object.entries(results).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  return `${head.slice(0, -1)},"results":{\n${lines.join(',\n')}${lines.length > 0 ? '\n' : ''}}}\n`;
}

function fleet(): StoreDoc {
  const { doc } = generateFleet(loadCatalog(), { ...fleetOf(12), days: 3 });
  // Text beyond ASCII: the bytes are UTF-8, and a character's length in bytes is not its length.
  doc.instances[0]!.name = 'Zürich 東京 😀';
  const first = doc.results[doc.instances[0]!.id]!;
  first.results[0]!.reason = 'naïve “quotes” \u2028 and a \\ backslash';
  for (const r of Object.values(doc.results)) Object.freeze(r);
  return doc;
}

describe('the state file as bytes, by parts', () => {
  it('is the UTF-8 of the document laid out a part a line, with its version and commit first', () => {
    const doc = fleet();
    expect(serializeStateBytes(doc, 7).toString('utf8')).toBe(expected(doc, 7));
    expect(serializeState(doc, 7)).toBe(expected(doc, 7));
    // One JSON document all the same: an older posture reads its version (and refuses it).
    const { version, ...rest } = doc;
    expect(JSON.parse(serializeState(doc, 7))).toEqual({ version, commit: 7, ...rest });
  });

  it('stays the same text across commits that replace, add and drop entries', () => {
    const doc = fleet();
    serializeStateBytes(doc, 1); // the frozen entries' bytes are kept from here
    const id = doc.instances[1]!.id;
    const replaced: InstanceResults = {
      polledAt: 'later',
      results: [{ controlId: 'x', outcome: 'pass', evidence: [] }],
    };
    const next: StoreDoc = {
      ...doc,
      instances: [...doc.instances.slice(0, 11), { ...doc.instances[11]!, name: 'Renamed ✓' }],
      results: {
        ...doc.results,
        [id]: Object.freeze(replaced),
      },
    };
    delete next.results[doc.instances[2]!.id];
    expect(serializeStateBytes(next, 2).toString('utf8')).toBe(expected(next, 2));
    // The first document did not change through the second's commit.
    expect(serializeStateBytes(doc, 1).toString('utf8')).toBe(expected(doc, 1));
  });

  it('writes an empty store and one without results', () => {
    const doc = fleet();
    const bare: StoreDoc = { ...doc, instances: [], results: {} };
    expect(serializeStateBytes(bare, 0).toString('utf8')).toBe(expected(bare, 0));
  });
});
