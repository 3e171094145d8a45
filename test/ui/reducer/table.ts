import { expect } from 'vitest';
import type { StatFile } from '../../../source/domain/instances.js';
import type { PollChanges, Result, StoreDoc } from '../../../source/domain/schemas.js';
import { collectActions, docScores, rankActions } from '../../../source/domain/scoring.js';
import { type Context, type Effect, reduce, windowOf } from '../../../source/ui/controller.js';
import { bindingsOf, DEFAULT_KEYMAP } from '../../../source/ui/keys.js';
import { INITIAL, type UIState } from '../../../source/ui/state.js';
import { control, instance, world } from '../../helpers/fixtures.js';

/**
 * The reducer's tables: each row names a behaviour, the state it starts from, the keys pressed,
 * and the state and effects expected. A row fails alone, with its name.
 */

export interface Row {
  name: string;
  /** The state before the keys (INITIAL, patched). */
  from?: Partial<UIState>;
  keys: string[];
  /** Changes to the context (read-only, a small list, a fake file system…). */
  ctx?: Partial<Context>;
  /** Matched against the state after the keys (toMatchObject). */
  state?: Record<string, unknown>;
  /** The first row of the list's window, as the view draws it. */
  window?: number;
  /** Every effect the keys asked for, in order (toEqual); [] when none. */
  effects?: Effect[];
  /** The keys leave the state as it was (the same object: no new frame). */
  unchanged?: true;
}

export const NOW = Date.parse('2026-11-23T00:00:00Z');

const fail = (controlId: string): Result => ({ controlId, outcome: 'fail', evidence: [] });

/** Ten Okta controls, worth 10 down to 1 point, so the ranking is known: okta.c1 first. */
export const CONTROLS = Array.from({ length: 10 }, (_, n) =>
  control(`okta.c${n + 1}`, { title: `Control ${n + 1}`, maxPoints: 10 - n }),
);

/** Okta EU (on, every control failing), Okta US (off), GitHub Contoso (on, no results). */
export function baseDoc(): StoreDoc {
  const { doc } = world(
    CONTROLS,
    [
      instance('eu', { name: 'Okta EU' }),
      instance('us', { name: 'Okta US', recommendations: false }),
      instance('gh', { app: 'github', name: 'GitHub Contoso', options: { org: 'contoso' } }),
    ],
    { eu: CONTROLS.map((c) => fail(c.id)) },
  );
  return structuredClone(doc);
}

/** Forty polls with a change each, newest last. */
export const basePolls = (): PollChanges[] =>
  Array.from({ length: 40 }, (_, n): PollChanges => ({
    at: new Date(NOW - (40 - n) * 3_600_000).toISOString(),
    instanceId: 'eu',
    changes: [{ instanceId: 'eu', controlId: 'okta.c1', kind: n % 2 ? 'fixed' : 'regressed' }],
  }));

/** Files the add form may name: a path and its mode; any other path does not exist. */
export function fakeFiles(files: Record<string, number>): StatFile {
  return (path) => {
    const mode = files[path];
    if (mode === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return { mode: 0o100000 | mode, isFile: () => true };
  };
}

export function context(doc: StoreDoc = baseDoc(), patch: Partial<Context> = {}): Context {
  const catalog = world(CONTROLS, [], {}).catalog;
  const scored = collectActions(doc, catalog.byId, new Date(NOW));
  return {
    doc,
    polls: basePolls(),
    scored,
    appScores: docScores(doc, catalog.byId, new Date(NOW)).byApp,
    actions: rankActions(scored),
    bindings: bindingsOf(DEFAULT_KEYMAP),
    listRows: 20,
    detailMaxScroll: () => 0,
    readOnly: false,
    now: NOW,
    stat: fakeFiles({}),
    env: {},
    ...patch,
  };
}

/** Press keys one after another; the state after the last and every effect on the way. */
export function press(state: UIState, ctx: Context, ...keys: string[]) {
  let s = state;
  const effects: Effect[] = [];
  for (const k of keys) {
    const step = reduce(s, k, ctx);
    s = step.state;
    effects.push(...step.effects);
  }
  return { state: s, effects };
}

/** Text typed into a field, key by key. */
export const typed = (text: string) => [...text].map((c) => (c === ' ' ? 'space' : c));

export function check(row: Row, doc: StoreDoc = baseDoc()): void {
  const ctx = context(doc, row.ctx);
  const from = { ...INITIAL, ...row.from };
  const after = press(from, ctx, ...row.keys);
  if (row.unchanged) expect(after.state).toBe(from);
  if (row.state) {
    // A key expected undefined must be absent or undefined (toMatchObject would want it present).
    const wanted = Object.entries(row.state);
    expect(after.state).toMatchObject(Object.fromEntries(wanted.filter(([, v]) => v !== undefined)));
    for (const [k, v] of wanted)
      if (v === undefined) expect(after.state).not.toHaveProperty(k, expect.anything());
  }
  if (row.window !== undefined) expect(windowOf(after.state, ctx)).toBe(row.window);
  if (row.effects) expect(after.effects).toEqual(row.effects);
}
