import { describe, expect, it } from 'vitest';
import type { StoreDoc } from '../../../source/domain/schemas.js';
import { actionKey } from '../../../source/domain/scoring.js';
import {
  type Context,
  selectAdded,
  selectedAction,
  selectedInstance,
} from '../../../source/ui/controller.js';
import { bindingsOf, DEFAULT_KEYMAP } from '../../../source/ui/keys.js';
import { INITIAL, type UIState } from '../../../source/ui/state.js';
import { instance } from '../../helpers/fixtures.js';
import { baseDoc, check, context, press, type Row, typed } from './table.js';

/**
 * What changes the score acts on the row the operator sees, says what it did and can be taken
 * back; single-instance mode says what counts before anything is typed.
 */

const drawer: Partial<UIState> = { view: 'drawer', app: 'okta', stack: ['apps'] };
const start = (patch: Partial<UIState> = {}): UIState => ({ ...INITIAL, ...patch });

function single(patch: (doc: StoreDoc) => void = () => {}): StoreDoc {
  const doc = baseDoc();
  doc.settings.instanceMode = 'single';
  patch(doc);
  return doc;
}

const undo: Row[] = [
  {
    name: 'Space then u turns the recommendations off and back on, saying each',
    from: drawer,
    keys: ['space', 'u'],
    state: { message: 'undone: Okta EU: Secure Score recommendations on again', undo: [] },
    effects: [
      { type: 'toggle', instanceId: 'eu', on: false },
      { type: 'toggle', instanceId: 'eu', on: true },
    ],
  },
  {
    name: 'Space twice before the store shows the first takes the first back',
    from: drawer,
    keys: ['space', 'space'],
    state: { message: 'Okta EU: Secure Score recommendations on · u undoes' },
    effects: [
      { type: 'toggle', instanceId: 'eu', on: false },
      { type: 'toggle', instanceId: 'eu', on: true },
    ],
  },
  {
    name: 'u takes back the newest change first, then the one before',
    from: drawer,
    keys: ['space', 'j', 'space', 'u', 'u'],
    state: { message: 'undone: Okta EU: Secure Score recommendations on again', undo: [] },
    effects: [
      { type: 'toggle', instanceId: 'eu', on: false },
      { type: 'toggle', instanceId: 'us', on: true },
      { type: 'toggle', instanceId: 'us', on: false },
      { type: 'toggle', instanceId: 'eu', on: true },
    ],
  },
  {
    name: 'u works from another view, and says what it took back',
    from: drawer,
    keys: ['space', '2', 'u'],
    state: { view: 'score', message: 'undone: Okta EU: Secure Score recommendations on again' },
  },
  {
    name: 'u with nothing to undo says so',
    keys: ['u'],
    state: { message: 'nothing to undo' },
    effects: [],
  },
  {
    name: 'the options menu’s toggle is undone the same way',
    from: { ...drawer, overlay: { kind: 'menu', choice: 0 } },
    keys: ['enter', 'u'],
    effects: [
      { type: 'toggle', instanceId: 'eu', on: false },
      { type: 'toggle', instanceId: 'eu', on: true },
    ],
  },
  {
    name: 'a status change is undone by recording the status before it',
    keys: ['3', 's', 'j', 'enter', 'u'],
    state: { message: 'undone: Control 1 on Okta EU is To address again' },
    effects: [
      { type: 'status', instanceId: 'eu', controlId: 'okta.c1', state: 'planned', reason: '' },
      { type: 'status', instanceId: 'eu', controlId: 'okta.c1', state: 'to_address', reason: '' },
    ],
  },
];

describe('undo', () => {
  it.each(undo)('$name', (row) => check(row));

  it('the menu’s "Set as Secure Score instance" is undone: the main before, and its recommendations', () => {
    const doc = single((d) => {
      d.settings.secureScoreInstance.okta = 'eu';
    });
    const ctx = context(doc);
    // Okta US (off) is chosen: it becomes the main instance, on; u puts back EU and US off.
    const menu = press(start({ ...drawer, selected: { 'drawer:okta': 'us' } }), ctx, '.', 'j', 'j', 'enter');
    expect(menu.state.message).toBe('Okta US is the Secure Score instance for Okta · u undoes');
    const undone = press(menu.state, ctx, 'u');
    expect([...menu.effects, ...undone.effects]).toEqual([
      { type: 'secureScoreInstance', instanceId: 'us' },
      { type: 'restoreMain', app: 'okta', main: 'eu', instanceId: 'us', recommendations: false },
    ]);
    expect(undone.state.message).toBe('undone: Okta EU is the Secure Score instance for Okta again');
  });

  it('a remapped undo key is the one the message names', () => {
    const bindings = bindingsOf({ ...DEFAULT_KEYMAP, undo: ['z'] });
    const after = press(start(drawer), context(baseDoc(), { bindings }), 'space');
    expect(after.state.message).toBe('Okta EU: Secure Score recommendations off · z undoes');
  });

  it('in read-only mode u changes nothing', () => {
    const ctx = context();
    const toggled = press(start(drawer), ctx, 'space');
    const after = press(toggled.state, { ...ctx, readOnly: true }, 'u');
    expect(after.effects).toEqual([]);
    expect(after.state.message).toBe('read-only: changes are disabled');
  });
});

describe('a key acts on the row the operator sees when the list changes between frames', () => {
  it('Space on a drawer opened and never moved acts on the instance that was under the cursor', () => {
    const opened = press(start(), context(), 'enter');
    expect(opened.state.view).toBe('drawer');
    // Another process (or a reload) puts an instance before it: the row under the cursor moves.
    const changed = baseDoc();
    changed.instances.unshift(instance('ap', { name: 'Okta APAC' }));
    const after = press(opened.state, context(changed), 'space');
    expect(after.effects).toEqual([{ type: 'toggle', instanceId: 'eu', on: false }]);
  });

  it('s on Recommended actions, never moved, opens the action that was first, after a poll re-ranks', () => {
    const opened = press(start(), context(), '3');
    const first = selectedAction(opened.state, context());
    expect(first?.id).toBe(actionKey('eu', 'okta.c1'));
    // The poll finds okta.c1 nearly done (9 of 10): with 1 point left it drops down the ranking.
    const polled = baseDoc();
    polled.results.eu!.results[0] = {
      controlId: 'okta.c1',
      outcome: 'partial',
      count: 9,
      total: 10,
      evidence: [],
    };
    expect(selectedAction({ ...opened.state, selected: {} }, context(polled))?.id).not.toBe(first?.id);
    const after = press(opened.state, context(polled), 's');
    expect(after.state.overlay).toMatchObject({ kind: 'status', actionId: actionKey('eu', 'okta.c1') });
  });
});

describe('after adding an instance', () => {
  const form = (patch: Partial<UIState>): UIState =>
    start({
      ...drawer,
      ...patch,
      overlay: {
        kind: 'add',
        field: 6,
        confirm: true,
        values: {
          app: 'github',
          name: 'GitHub Fabrikam',
          url: 'https://api.github.com',
          variable: 'T',
          extra: 'org=fabrikam',
        },
      },
    });

  it('the drawer is the new instance’s app’s, with a filter that would hide it cleared, and says so', () => {
    const after = press(form({ drawerText: 'okta' }), context(), 'y');
    expect(after.state).toMatchObject({ app: 'github', drawerText: '' });
    expect(after.state.message).toBe(
      'added GitHub Fabrikam (the drawer filter that hid it is cleared); turn on its recommendations with Space',
    );
  });

  it('a filter that shows it stays', () => {
    const after = press(form({ drawerText: 'fab' }), context(), 'y');
    expect(after.state.drawerText).toBe('fab');
  });

  it('once committed, the cursor is on it, not on the row it was on', () => {
    const committed = baseDoc();
    const added = instance('gh-fab', { app: 'github', name: 'GitHub Fabrikam' });
    committed.instances.push(added);
    const ctx: Context = context(committed);
    const s = selectAdded(
      start({ view: 'drawer', app: 'github', selected: { 'drawer:github': 'gh' } }),
      added,
    );
    expect(selectedInstance(s, ctx)?.id).toBe('gh-fab');
    expect(press(s, ctx, 'space').effects).toEqual([{ type: 'toggle', instanceId: 'gh-fab', on: false }]);
  });
});

describe('single-instance mode', () => {
  it('a on an app that has its instance refuses at once, without opening the form', () => {
    const after = press(start(drawer), context(single()), 'a');
    expect(after.state.overlay).toBeUndefined();
    expect(after.state.message).toBe(
      'single-instance mode: Okta already has an instance (:mode multiple allows more)',
    );
  });

  it('the form refuses an app that has its instance as the app field is left, before the rest is typed', () => {
    const doc = single((d) => {
      d.instances = d.instances.filter((i) => i.app === 'github');
    });
    const ctx = context(doc);
    const opened = press(start(drawer), ctx, 'a');
    expect(opened.state.overlay).toMatchObject({ kind: 'add', field: 1 });
    const after = press(opened.state, ctx, 'up', ...Array(4).fill('backspace'), ...typed('github'), 'tab');
    expect(after.state.overlay).toMatchObject({
      field: 0,
      error: 'single-instance mode: GitHub already has an instance',
    });
    // An app with no instance goes on.
    const okta = press(after.state, ctx, ...Array(6).fill('backspace'), ...typed('okta'), 'tab');
    expect(okta.state.overlay).toMatchObject({ field: 1, error: undefined });
  });

  it('Space on an instance that does not count says so', () => {
    const doc = single((d) => {
      d.settings.secureScoreInstance.okta = 'eu';
    });
    const after = press(start({ ...drawer, selected: { 'drawer:okta': 'us' } }), context(doc), 'space');
    expect(after.state.message).toBe(
      'Okta US: Secure Score recommendations on (not counted: not the Secure Score instance) · u undoes',
    );
  });

  it(':mode says which mode is on', () => {
    const after = press(start(), context(single()), ':', ...typed('mode'), 'enter');
    expect(after.state.message).toBe(
      "single-instance mode is on: only each app's Secure Score instance counts",
    );
    expect(after.effects).toEqual([]);
  });
});
