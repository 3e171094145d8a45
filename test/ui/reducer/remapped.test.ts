import { describe, it } from 'vitest';
import { actionKey } from '../../../source/domain/scoring.js';
import { bindingsOf, checkKeymap, DEFAULT_KEYMAP, type Keymap } from '../../../source/ui/keys.js';
import type { Overlay, UIState } from '../../../source/ui/state.js';
import { check, type Row } from './table.js';

/**
 * Dialogs answer to the keys their hints name: the keymap's bindings of `open` and `back`, besides
 * Enter and Esc. In a text field a letter is text, so only a binding that types nothing acts there.
 */

const keymap: Keymap = { ...DEFAULT_KEYMAP, open: ['l'], back: ['x'] };
checkKeymap(keymap);
const named: Keymap = { ...DEFAULT_KEYMAP, open: ['ctrl+o'], back: ['ctrl+b'] };
checkKeymap(named);
const letters = { bindings: bindingsOf(keymap) };
const ctrl = { bindings: bindingsOf(named) };

const drawer: Partial<UIState> = { view: 'drawer', app: 'okta', stack: ['apps'] };
const on = (overlay: Overlay, from: Partial<UIState> = drawer): Partial<UIState> => ({ ...from, overlay });
const status = (step: 'pick' | 'reason'): Partial<UIState> => ({
  view: 'actions',
  overlay: { kind: 'status', actionId: actionKey('eu', 'okta.c1'), step, choice: 0, reason: '', expiry: '' },
});
const form = on({ kind: 'add', field: 1, values: { app: 'okta' }, confirm: false });

const rows: Row[] = [
  {
    name: 'back (x) closes the options menu',
    from: on({ kind: 'menu', choice: 0 }),
    keys: ['x'],
    ctx: letters,
    state: { overlay: undefined },
  },
  {
    name: 'Esc still closes it',
    from: on({ kind: 'menu', choice: 0 }),
    keys: ['escape'],
    ctx: letters,
    state: { overlay: undefined },
  },
  {
    name: 'open (l) chooses in it',
    from: on({ kind: 'menu', choice: 1 }),
    keys: ['l'],
    ctx: letters,
    effects: [{ type: 'poll', instanceIds: ['eu'] }],
  },
  {
    name: 'back (x) closes help',
    from: on({ kind: 'help' }),
    keys: ['x'],
    ctx: letters,
    state: { overlay: undefined },
  },
  {
    name: 'back (x) closes the credential overlay',
    from: on({ kind: 'access', app: 'okta', name: 'Okta EU' }),
    keys: ['x'],
    ctx: letters,
    state: { overlay: undefined },
  },
  {
    name: 'back (x) cancels the status choice',
    from: status('pick'),
    keys: ['x'],
    ctx: letters,
    state: { overlay: undefined },
  },
  {
    name: 'in the reason field x is text',
    from: status('reason'),
    keys: ['x'],
    ctx: letters,
    state: { overlay: { kind: 'status', reason: 'x' } },
  },
  {
    name: 'in the reason field a named back (ctrl+b) cancels',
    from: status('reason'),
    keys: ['ctrl+b'],
    ctx: ctrl,
    state: { overlay: undefined },
  },
  {
    name: 'in the add form x is text',
    from: form,
    keys: ['x'],
    ctx: letters,
    state: { overlay: { kind: 'add', values: { name: 'x' } } },
  },
  {
    name: 'in the add form a named open (ctrl+o) goes to the next field',
    from: form,
    keys: ['ctrl+o'],
    ctx: ctrl,
    state: { overlay: { kind: 'add', field: 2 } },
  },
  {
    name: 'in the add form a named back (ctrl+b) cancels',
    from: form,
    keys: ['ctrl+b'],
    ctx: ctrl,
    state: { overlay: undefined },
  },
];

describe('the reducer with open and back remapped', () => {
  it.each(rows)('$name', (row) => check(row));
});
