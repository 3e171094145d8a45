import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NO_FILTER } from '../../source/domain/action-filter.js';
import type { Result, StoreDoc } from '../../source/domain/schemas.js';
import { collectActions, docScores, rankActions } from '../../source/domain/scoring.js';
import { type Context, reduce } from '../../source/ui/controller.js';
import { bindingsOf, DEFAULT_KEYMAP, type Keymap } from '../../source/ui/keys.js';
import { describeFilter } from '../../source/ui/model.js';
import { INITIAL, type UIState } from '../../source/ui/state.js';
import { control, instance, world } from '../helpers/fixtures.js';

const fail = (controlId: string): Result => ({ controlId, outcome: 'fail', evidence: [] });
const big = control('okta.mfa.admin', { title: 'Admin MFA', maxPoints: 10 });
const small = control('okta.pwd.length', { title: 'Password length', maxPoints: 2 });

function context(
  doc: StoreDoc,
  catalog: ReturnType<typeof world>['catalog'],
  keymap: Keymap = DEFAULT_KEYMAP,
) {
  const scored = collectActions(doc, catalog.byId, new Date('2026-11-23T00:00:00Z'));
  const ctx: Context = {
    doc,
    polls: [],
    scored,
    appScores: docScores(doc, catalog.byId, new Date('2026-11-23T00:00:00Z')).byApp,
    actions: rankActions(scored),
    bindings: bindingsOf(keymap),
    listRows: 20,
    detailMaxScroll: () => 0,
    readOnly: false,
    now: Date.parse('2026-11-23T00:00:00Z'),
    stat: statSync,
    env: {},
  };
  return ctx;
}

/** Press keys one after another; the effects of the last key. */
function press(state: UIState, ctx: Context, ...keys: string[]) {
  let s = state;
  let effects: ReturnType<typeof reduce>['effects'] = [];
  for (const k of keys) ({ state: s, effects } = reduce(s, k, ctx));
  return { state: s, effects };
}

describe('the console reducer', () => {
  const { doc, catalog } = world([big, small], [instance('eu', { name: 'Okta EU' })], {
    eu: [fail(big.id), fail(small.id)],
  });

  it('sets a status on the action its dialog was opened on, though the list was re-ranked meanwhile', () => {
    const ctx = context(doc, catalog);
    const opened = press(INITIAL, ctx, '3', 's').state; // the first row: Admin MFA (10 points left)
    expect(opened.overlay).toMatchObject({ kind: 'status' });
    // A poll commit re-ranks: Password length is first now.
    const reranked = { ...ctx, actions: [...ctx.actions].reverse() };
    const { effects } = press(opened, reranked, 'enter');
    expect(effects).toEqual([
      expect.objectContaining({ type: 'status', controlId: big.id, instanceId: 'eu' }),
    ]);
  });

  it("scrolls an action's page no further than its last line, and G goes there", () => {
    const ctx = { ...context(doc, catalog), detailMaxScroll: () => 3 };
    const opened = press(INITIAL, ctx, '3', 'enter').state;
    expect(opened.view).toBe('detail');
    const down = press(opened, ctx, ...Array(10).fill('j')).state;
    expect(down.detailScroll).toBe(3);
    expect(press(down, ctx, 'k').state.detailScroll).toBe(2); // one key back up shows at once
    expect(press(opened, ctx, 'G').state.detailScroll).toBe(3);
    expect(press(down, ctx, 'g').state.detailScroll).toBe(0);
  });

  it('moves in dialogs and closes help with the keys the keymap binds, not fixed ones', () => {
    const keymap: Keymap = { ...DEFAULT_KEYMAP, 'nav.down': ['n'], 'nav.up': ['p'], help: ['h'] };
    const ctx = context(doc, catalog, keymap);
    const opened = press(INITIAL, ctx, '3', 's').state;
    expect(press(opened, ctx, 'n').state.overlay).toMatchObject({ choice: 1 });
    expect(press(opened, ctx, 'j').state.overlay).toMatchObject({ choice: 0 }); // j is not bound now
    const help = press(INITIAL, ctx, 'h').state;
    expect(help.overlay).toEqual({ kind: 'help' });
    expect(press(help, ctx, 'h').state.overlay).toBeUndefined();
  });

  it('offers in the instance filter only the instances whose actions are listed (single-instance mode)', () => {
    const single = structuredClone(doc);
    single.instances.push(instance('us', { name: 'Okta US' }));
    single.results.us = single.results.eu!;
    single.settings.instanceMode = 'single';
    single.settings.secureScoreInstance.okta = 'us';
    const ctx = context(single, catalog);
    const once = press(INITIAL, ctx, '3', 'I').state;
    expect(once.filter.instance).toBe('us');
    expect(press(once, ctx, 'I').state.filter.instance).toBeUndefined(); // eu is not counted
  });

  it('names a status filter by its label', () => {
    expect(describeFilter(doc, { ...NO_FILTER, status: 'risk_accepted' })).toContain('status: Risk accepted');
  });

  it('filters by a status typed as its id or its label, and names them all for one it does not know', () => {
    const ctx = context(doc, catalog);
    const typed = (text: string) =>
      press(INITIAL, ctx, ':', ...[...text].map((c) => (c === ' ' ? 'space' : c)), 'enter').state;
    expect(typed('status risk accepted').filter.status).toBe('risk_accepted');
    expect(typed('status Planned').filter.status).toBe('planned');
    expect(typed('status third-party').filter.status).toBe('third_party');
    expect(typed('status bogus').message).toBe(
      'unknown status "bogus" (to_address, planned, risk_accepted, third_party, alternate_mitigation, completed, not_applicable)',
    );
  });
});
