import { describe, it } from 'vitest';
import { actionKey } from '../../../source/domain/scoring.js';
import type { Overlay, UIState } from '../../../source/ui/state.js';
import { baseDoc, check, type Row, typed } from './table.js';

/** Text fields edit as readline does; pastes stay text; the command line completes and remembers. */

const filter = (value: string, cursor?: number) => ({
  overlay: { kind: 'input', purpose: 'filter', value, ...(cursor === undefined ? {} : { cursor }) },
  appText: value,
});
const drawer: Partial<UIState> = { view: 'drawer', app: 'okta', stack: ['apps'] };
const form = (values: Record<string, string>, field = 1): Partial<UIState> => ({
  ...drawer,
  overlay: { kind: 'add', field, values: { app: 'okta', ...values }, confirm: false },
});
const command = (value: string, extra: Partial<Extract<Overlay, { kind: 'input' }>> = {}) => ({
  overlay: { kind: 'input', purpose: 'command', value, ...extra },
});

const tables: Record<string, Row[]> = {
  'the filter line': [
    {
      name: 'left moves back: typing inserts there',
      keys: ['/', ...typed('okta'), 'left', 'left', 'X'],
      state: filter('okXta', 3),
    },
    { name: 'right moves on', keys: ['/', ...typed('ab'), 'home', 'right', 'X'], state: filter('aXb', 2) },
    {
      name: 'ctrl+b and ctrl+f move too',
      keys: ['/', ...typed('ab'), 'ctrl+b', 'ctrl+b', 'ctrl+f', 'X'],
      state: filter('aXb'),
    },
    { name: 'home goes to the start', keys: ['/', ...typed('kta'), 'home', 'o'], state: filter('okta', 1) },
    {
      name: 'ctrl+a goes to the start',
      keys: ['/', ...typed('kta'), 'ctrl+a', 'o'],
      state: filter('okta', 1),
    },
    { name: 'end goes to the end', keys: ['/', ...typed('ab'), 'home', 'end', 'c'], state: filter('abc', 3) },
    {
      name: 'ctrl+e goes to the end',
      keys: ['/', ...typed('ab'), 'ctrl+a', 'ctrl+e', 'c'],
      state: filter('abc', 3),
    },
    {
      name: 'backspace deletes before the cursor',
      keys: ['/', ...typed('okXta'), 'left', 'left', 'backspace'],
      state: filter('okta', 2),
    },
    {
      name: 'backspace at the start deletes nothing',
      keys: ['/', ...typed('ok'), 'home', 'backspace'],
      state: filter('ok', 0),
    },
    {
      name: 'delete deletes under the cursor',
      keys: ['/', ...typed('okXta'), 'left', 'left', 'left', 'delete'],
      state: filter('okta', 2),
    },
    {
      name: 'ctrl+d deletes under the cursor',
      keys: ['/', ...typed('Xok'), 'home', 'ctrl+d'],
      state: filter('ok', 0),
    },
    {
      name: 'ctrl+u deletes to the start',
      keys: ['/', ...typed('ok ta'), 'left', 'left', 'ctrl+u'],
      state: filter('ta', 0),
    },
    {
      name: 'ctrl+k deletes to the end',
      keys: ['/', ...typed('ok ta'), 'left', 'left', 'ctrl+k'],
      state: filter('ok ', 3),
    },
    {
      name: 'ctrl+w deletes the word before the cursor',
      keys: ['/', ...typed('okta eu  '), 'ctrl+w'],
      state: filter('okta ', 5),
    },
    {
      name: 'ctrl+w in the middle keeps what follows',
      keys: ['/', ...typed('okta eu'), 'left', 'left', 'left', 'ctrl+w'],
      state: filter(' eu', 0),
    },
    {
      name: 'a wide character is one step',
      keys: ['/', '表', '👍', 'left', 'backspace'],
      state: filter('👍', 0),
    },
    { name: 'j and k are text, not moves', keys: ['/', 'j', 'k'], state: filter('jk') },
  ],
  'the dialogs': [
    {
      name: "the status dialog's reason edits in the middle",
      from: {
        view: 'actions',
        overlay: {
          kind: 'status',
          actionId: actionKey('eu', 'okta.c1'),
          step: 'reason',
          choice: 0,
          state: 'third_party',
          reason: 'IdP',
          expiry: '',
        },
      },
      keys: ['home', ...typed('Our '), 'end', '!'],
      state: { overlay: { reason: 'Our IdP!', reasonCursor: 8 } },
    },
    {
      name: "the add form's field edits in the middle",
      from: form({ name: 'Okta New' }),
      keys: ['home', 'X', 'ctrl+e', 'Y'],
      state: { overlay: { values: { name: 'XOkta NewY' } } },
    },
    {
      name: 'a field of the add form is entered at its end',
      from: form({ name: 'Okta New' }),
      keys: ['home', 'down', 'up', 'X'],
      state: { overlay: { values: { name: 'Okta NewX' } } },
    },
  ],
  'a bracketed paste': [
    {
      name: 'its line break does not submit the filter: it is a space',
      keys: ['/', 'paste-start', 'o', 'k', 'enter', 't', 'a', 'paste-end'],
      state: { ...filter('ok ta'), pasting: undefined },
    },
    {
      name: 'with no field open, it runs no key',
      keys: ['paste-start', 'q', '3', ':', 'paste-end'],
      state: { view: 'apps', overlay: undefined, pasting: undefined },
      effects: [],
    },
    {
      name: 'keys after it work again',
      keys: ['paste-start', 'x', 'paste-end', '3'],
      state: { view: 'actions' },
    },
    {
      name: 'it goes in at the cursor',
      keys: ['/', ...typed('ab'), 'left', 'paste-start', 'X', 'Y', 'paste-end'],
      state: filter('aXYb', 3),
    },
  ],
  'the command line': [
    { name: 'Tab completes a command', keys: [':', ...typed('pro'), 'tab'], state: command('product ') },
    {
      name: "Tab completes a command's argument",
      keys: [':', ...typed('product gi'), 'tab'],
      state: command('product github'),
    },
    {
      name: 'Tab shows the candidates when more than one is left',
      keys: [':', 's', 'tab'],
      state: command('s', { candidates: ['status', 'score'] }),
    },
    {
      name: 'typing on drops the candidates',
      keys: [':', 's', 'tab', 't'],
      state: command('st', { candidates: undefined }),
    },
    {
      name: 'Tab completes instance names as far as they agree, quoted, then whole',
      keys: [':', ...typed('instance ok'), 'tab'],
      state: command('instance "Okta ', { candidates: ['Okta EU', 'Okta US'] }),
    },
    {
      name: 'a completed instance name runs',
      keys: [':', ...typed('instance ok'), 'tab', 'E', 'tab', 'enter'],
      state: { view: 'actions', filter: { instance: 'eu' } },
    },
    {
      name: 'Tab completes a status',
      keys: [':', ...typed('status risk'), 'tab'],
      state: command('status risk_accepted'),
    },
    { name: 'Tab completes a mode', keys: [':', ...typed('mode m'), 'tab'], state: command('mode multiple') },
    {
      name: 'Tab with no match changes nothing',
      keys: [':', ...typed('bogus'), 'tab'],
      state: command('bogus', { candidates: [] }),
    },
    {
      name: 'up recalls the last command',
      keys: [':', ...typed('product okta'), 'enter', '3', ':', 'up'],
      state: command('product okta'),
    },
    {
      name: 'up walks back, down forward, and down past the last gives back what was typed',
      keys: [
        ':',
        ...typed('apps'),
        'enter',
        ':',
        ...typed('score'),
        'enter',
        ':',
        'x',
        'up',
        'up',
        'down',
        'down',
      ],
      state: command('x', { recalled: undefined }),
    },
    {
      name: 'up twice reaches the command before',
      keys: [':', ...typed('apps'), 'enter', ':', ...typed('score'), 'enter', ':', 'up', 'up', 'up'],
      state: command('apps'),
    },
    {
      name: 'a recalled command runs again',
      keys: [':', ...typed('score'), 'enter', '1', ':', 'up', 'enter'],
      state: { view: 'score', history: ['score'] },
    },
    {
      name: 'the history keeps a repeated command once, the last first',
      keys: [
        ':',
        ...typed('apps'),
        'enter',
        ':',
        ...typed('score'),
        'enter',
        ':',
        ...typed('score'),
        'enter',
      ],
      state: { history: ['score', 'apps'] },
    },
  ],
};

for (const [what, rows] of Object.entries(tables))
  describe(`the reducer in ${what}`, () => {
    it.each(rows)('$name', (row) => check(row, baseDoc()));
  });
