import { describe, expect, it } from 'vitest';
import { fleetOf, generateFleet } from '../../benchmarks/fleet.js';
import { loadCatalog } from '../../source/catalog/index.js';
import { type ActionFilter, filterActions, NO_FILTER, SORTS } from '../../source/domain/action-filter.js';
import { matchingPositions, textIndex } from '../../source/domain/action-search.js';
import { APP_LABELS, APPS, STATE_LABELS, STATES } from '../../source/domain/schemas.js';
import { buildActions } from '../../source/domain/scoring.js';
import { actionRows } from '../../source/ui/model.js';

// The console picks a typed text's rows by number and narrows the last list as a text grows
// (domain/action-search.ts, ui/model.ts); `posture status` and the tests' reference filter every
// action (filterActions). On random typing over a generated fleet they must list the same rows
// in the same order.
const now = new Date('2026-11-23T12:00:00Z');
const catalog = loadCatalog();
const { doc } = generateFleet(catalog, fleetOf(120), now);
doc.instances[3]!.name = 'Ünïcode Straße İstanbul';
const actions = buildActions(doc, catalog.byId, now);

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}
const ids = (rows: readonly { id: string }[]) => rows.map((a) => a.id);

describe('the text filter by numbers', () => {
  const random = rng(16);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  // What people type: pieces of what the rows show (any case), and characters nothing holds.
  const sources = [
    ...new Set([
      ...actions.map((a) => a.control.title),
      ...actions.map((a) => a.instance.name),
      ...Object.values(APP_LABELS),
      ...Object.values(STATE_LABELS),
    ]),
  ];
  const piece = () => {
    const s = pick(sources);
    const from = Math.floor(random() * s.length);
    const text = s.slice(from, from + 1 + Math.floor(random() * 6));
    const r = random();
    return r < 0.3 ? text.toUpperCase() : r < 0.4 ? `${text}q` : r < 0.45 ? '.*(' : text;
  };

  it('matches the rows filterActions keeps, for random texts', () => {
    const index = textIndex(actions);
    for (let n = 0; n < 300; n++) {
      const text = piece();
      const expected = ids(filterActions(actions, { ...NO_FILTER, text, showAccepted: true }, 'rank'));
      expect(ids([...matchingPositions(index, text)].map((p) => actions[p]!)), text).toEqual(expected);
    }
  });

  it('lists what filtering every action lists while texts are typed, deleted and replaced', () => {
    let f: ActionFilter = NO_FILTER;
    let sort = SORTS[0]!;
    let reverse = false;
    let narrowed = 0;
    for (let step = 0; step < 600; step++) {
      const r = random();
      const text = f.text;
      if (r < 0.5) f = { ...f, text: text + pick([...piece()]) };
      else if (r < 0.62) f = { ...f, text: text.slice(0, -1) };
      else if (r < 0.7) f = { ...f, text: piece() };
      else if (r < 0.75) f = { ...f, text: '' };
      else if (r < 0.8) f = { ...f, product: random() < 0.5 ? pick(APPS) : undefined };
      else if (r < 0.85) f = { ...f, status: random() < 0.5 ? pick(STATES) : undefined };
      else if (r < 0.9) f = { ...f, showAccepted: !f.showAccepted };
      else if (r < 0.93) f = { ...f, instance: random() < 0.5 ? pick(doc.instances).id : undefined };
      else if (r < 0.97) sort = pick(SORTS);
      else reverse = !reverse;
      if (f.text.length > text.length && f.text.startsWith(text)) narrowed++;
      expect(ids(actionRows(actions, f, sort, reverse)), JSON.stringify({ f, sort, reverse })).toEqual(
        ids(filterActions(actions, f, sort, reverse)),
      );
    }
    expect(narrowed).toBeGreaterThan(200);
  });
});
