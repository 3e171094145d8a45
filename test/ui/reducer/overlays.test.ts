import { describe, expect, it } from 'vitest';
import { actionKey } from '../../../source/domain/scoring.js';
import type { Overlay, UIState } from '../../../source/ui/state.js';
import { baseDoc, check, fakeFiles, type Row, typed } from './table.js';

/** The reducer in each overlay: help, the filter and command lines, the options menu, the status dialog, the add form. */

const action = (n: number) => actionKey('eu', `okta.c${n}`);
const drawer: Partial<UIState> = { view: 'drawer', app: 'okta', stack: ['apps'] };
const on = (overlay: Overlay, from: Partial<UIState> = {}): Partial<UIState> => ({ ...from, overlay });
const status = (patch: Partial<Extract<Overlay, { kind: 'status' }>> = {}): Partial<UIState> => ({
  view: 'actions',
  overlay: { kind: 'status', actionId: action(1), step: 'pick', choice: 0, reason: '', expiry: '', ...patch },
});
const form = (values: Record<string, string>, field = 1): Partial<UIState> =>
  on({ kind: 'add', field, values: { app: 'okta', ...values }, confirm: false }, drawer);

/** A new Okta instance's form, filled in: name, URL, then the credential fields as given. */
const filled = { name: 'Okta New', url: 'https://new.okta.com' };
const newInstance = {
  app: 'okta' as const,
  name: 'Okta New',
  baseUrl: 'https://new.okta.com',
  options: {},
  recommendations: false,
  pollIntervalMinutes: 60,
};
const files = fakeFiles({ '/keys/okta.token': 0o600, '/keys/loose.token': 0o644, '/etc/ca.pem': 0o644 });

const overlays: Record<string, Row[]> = {
  Help: [
    { name: '? opens it', keys: ['?'], state: { overlay: { kind: 'help' } } },
    ...['escape', 'enter', '?', 'q'].map((key): Row => ({
      name: `${key} closes it`,
      from: on({ kind: 'help' }),
      keys: [key],
      state: { overlay: undefined },
    })),
    { name: 'other keys do nothing', from: on({ kind: 'help' }), keys: ['j'], unchanged: true },
    {
      name: 'ctrl+c quits from it',
      from: on({ kind: 'help' }),
      keys: ['ctrl+c'],
      effects: [{ type: 'quit' }],
    },
  ],
  'Filter line': [
    {
      name: 'typing filters as you type',
      keys: ['/', ...typed('ok')],
      state: { appText: 'ok', overlay: { kind: 'input', purpose: 'filter', value: 'ok' } },
    },
    { name: 'backspace takes a character back', keys: ['/', 'o', 'k', 'backspace'], state: { appText: 'o' } },
    {
      name: 'Enter keeps the filter',
      keys: ['/', 'o', 'enter'],
      state: { appText: 'o', overlay: undefined },
    },
    { name: 'Esc clears it', keys: ['/', 'o', 'escape'], state: { appText: '', overlay: undefined } },
    {
      name: 'in Recommended actions it filters by text',
      keys: ['3', '/', ...typed('c1'), 'enter'],
      state: { filter: { text: 'c1' } },
    },
  ],
  'Command line': [
    {
      name: ':product filters the actions by product',
      keys: [':', ...typed('product okta'), 'enter'],
      state: { view: 'actions', filter: { product: 'okta' } },
    },
    {
      name: ':instance takes a quoted name',
      keys: [':', ...typed('instance "Okta EU"'), 'enter'],
      state: { filter: { instance: 'eu' } },
    },
    {
      name: ':mode single asks for the mode',
      keys: [':', ...typed('mode single'), 'enter'],
      effects: [{ type: 'mode', mode: 'single' }],
    },
    {
      name: ':mode without a mode says which mode is on',
      keys: [':', ...typed('mode'), 'enter'],
      state: {
        message: 'multiple-instance mode is on: each instance with recommendations on counts',
      },
      effects: [],
    },
    {
      name: ':mode with another word says how',
      keys: [':', ...typed('mode both'), 'enter'],
      state: { message: 'usage: :mode single | :mode multiple' },
      effects: [],
    },
    {
      name: ':mode single names the main instance it chooses where an app has several',
      keys: [':', ...typed('mode single'), 'enter'],
      state: {
        message:
          'single-instance mode: Secure Score instances chosen: Okta: Okta EU (. in the drawer changes them)',
      },
    },
    {
      name: ':mode multiple when it is on already changes nothing and says so',
      keys: [':', ...typed('mode multiple'), 'enter'],
      state: { message: expect.stringMatching(/^already on: multiple-instance mode is on/) },
      effects: [],
    },
    {
      name: ':mode in read-only mode changes nothing',
      keys: [':', ...typed('mode single'), 'enter'],
      ctx: { readOnly: true },
      state: { message: 'read-only: changes are disabled' },
      effects: [],
    },
    { name: ':q quits', keys: [':', 'q', 'enter'], effects: [{ type: 'quit' }] },
    {
      name: ':clear clears every filter',
      from: { appText: 'x', filter: { text: 'y', showAccepted: true } },
      keys: [':', ...typed('clear'), 'enter'],
      state: { appText: '', filter: { text: '', showAccepted: false } },
    },
    {
      name: 'an unknown command is named',
      keys: [':', ...typed('bogus'), 'enter'],
      state: { message: expect.stringMatching(/^unknown command ":bogus"/) },
    },
    { name: 'Esc closes it', keys: [':', 'x', 'escape'], state: { overlay: undefined } },
  ],
  'Options menu': [
    {
      name: 'Enter on the first item toggles the recommendations',
      from: on({ kind: 'menu', choice: 0 }, drawer),
      keys: ['enter'],
      state: { overlay: undefined },
      effects: [{ type: 'toggle', instanceId: 'eu', on: false }],
    },
    {
      name: 'j, Enter polls the instance',
      from: on({ kind: 'menu', choice: 0 }, drawer),
      keys: ['j', 'enter'],
      state: { pollNote: 'polling Okta EU…', message: undefined },
      effects: [{ type: 'poll', instanceIds: ['eu'] }],
    },
    {
      name: 'j stops at the last item (the credential check, in multiple mode)',
      from: on({ kind: 'menu', choice: 0 }, drawer),
      keys: ['j', 'j', 'j', 'j', 'j'],
      state: { overlay: { kind: 'menu', choice: 3 } },
    },
    {
      name: 'the credential check opens what the instance can evaluate',
      from: on({ kind: 'menu', choice: 3 }, drawer),
      keys: ['enter'],
      state: { overlay: { kind: 'access', app: 'okta', name: 'Okta EU' } },
    },
    {
      name: 'it reads and changes nothing, so a read-only console opens it too',
      from: on({ kind: 'menu', choice: 3 }, drawer),
      keys: ['enter'],
      ctx: { readOnly: true },
      state: { overlay: { kind: 'access', app: 'okta', name: 'Okta EU' } },
    },
    {
      name: 'Esc closes it',
      from: on({ kind: 'access', app: 'okta', name: 'Okta EU' }, drawer),
      keys: ['escape'],
      state: { overlay: undefined },
    },
    {
      name: 'Edit opens the form with the instance’s values',
      from: on({ kind: 'menu', choice: 2 }, drawer),
      keys: ['enter'],
      state: {
        overlay: {
          kind: 'add',
          field: 1,
          editId: 'eu',
          values: {
            app: 'okta',
            name: 'Okta EU',
            url: 'https://example.okta.com',
            variable: 'TOKEN',
            tokenFile: '',
            caFile: '',
          },
        },
      },
    },
    {
      name: 'in read-only mode Enter says why and closes',
      from: on({ kind: 'menu', choice: 0 }, drawer),
      keys: ['enter'],
      ctx: { readOnly: true },
      state: { overlay: undefined, message: 'read-only: changes are disabled' },
      effects: [],
    },
    {
      name: 'Esc closes it',
      from: on({ kind: 'menu', choice: 1 }, drawer),
      keys: ['escape'],
      state: { overlay: undefined },
    },
  ],
  'Status dialog': [
    {
      name: 'j, Enter sets Planned',
      from: status(),
      keys: ['j', 'enter'],
      state: { overlay: undefined, message: 'status set to Planned · u undoes' },
      effects: [{ type: 'status', instanceId: 'eu', controlId: 'okta.c1', state: 'planned', reason: '' }],
    },
    {
      name: 'Risk accepted asks for a reason',
      from: status(),
      keys: ['j', 'j', 'enter'],
      state: { overlay: { step: 'reason', state: 'risk_accepted' } },
      effects: [],
    },
    {
      name: 'a reason under 3 characters is refused',
      from: status({ step: 'reason', state: 'risk_accepted' }),
      keys: ['o', 'k', 'enter'],
      state: { overlay: { step: 'reason', error: 'a reason is required (at least 3 characters)' } },
    },
    {
      name: 'a risk accepted needs an expiry date after its reason',
      from: status({ step: 'reason', state: 'risk_accepted' }),
      keys: [...typed('IdP covers it'), 'enter'],
      state: { overlay: { step: 'expiry', reason: 'IdP covers it' } },
    },
    {
      name: 'a date that is not one is refused',
      from: status({ step: 'expiry', state: 'risk_accepted', reason: 'IdP covers it' }),
      keys: [...typed('2026-02-30'), 'enter'],
      state: { overlay: { error: 'not a real date' } },
      effects: [],
    },
    {
      name: 'a date in the future sets it, until the end of that day',
      from: status({ step: 'expiry', state: 'risk_accepted', reason: 'IdP covers it' }),
      keys: [...typed('2027-01-31'), 'enter'],
      effects: [
        {
          type: 'status',
          instanceId: 'eu',
          controlId: 'okta.c1',
          state: 'risk_accepted',
          reason: 'IdP covers it',
          expires: '2027-01-31T23:59:59.999Z',
        },
      ],
    },
    {
      name: 'third party needs a reason but no date',
      from: status({ step: 'reason', state: 'third_party' }),
      keys: [...typed('vendor'), 'enter'],
      effects: [
        { type: 'status', instanceId: 'eu', controlId: 'okta.c1', state: 'third_party', reason: 'vendor' },
      ],
    },
    { name: 'Esc cancels', from: status(), keys: ['escape'], state: { overlay: undefined }, effects: [] },
  ],
  'Add form': [
    {
      name: 'Enter moves to the next field',
      from: form({}),
      keys: ['enter'],
      state: { overlay: { field: 2 } },
    },
    { name: 'Shift-Tab moves back', from: form({}), keys: ['shift+tab'], state: { overlay: { field: 0 } } },
    {
      name: 'typing fills the field',
      from: form({}),
      keys: typed('Okta N'),
      state: { overlay: { values: { name: 'Okta N' } } },
    },
    {
      name: 'Enter on the last field asks to confirm a complete form',
      from: form({ ...filled, variable: 'NEW_TOKEN' }, 6),
      keys: ['enter'],
      state: { overlay: { confirm: true, error: undefined } },
      effects: [],
    },
    {
      name: 'y then adds it, with the variable’s name as its credential',
      from: form({ ...filled, variable: 'NEW_TOKEN' }, 6),
      keys: ['enter', 'y'],
      // What the new instance's credential can evaluate shows as soon as it is read.
      state: { overlay: { kind: 'access', app: 'okta', name: newInstance.name } },
      effects: [
        { type: 'add', instance: { ...newInstance, credential: { kind: 'env', variable: 'NEW_TOKEN' } } },
      ],
    },
    {
      name: 'n goes back to the form',
      from: form({ ...filled, variable: 'NEW_TOKEN' }, 6),
      keys: ['enter', 'n'],
      state: { overlay: { kind: 'add', confirm: false } },
      effects: [],
    },
    {
      name: 'a token file of mode 0600 and a CA file are added as given',
      from: form({ ...filled, tokenFile: '/keys/okta.token', caFile: '/etc/ca.pem' }, 6),
      keys: ['enter', 'y'],
      ctx: { stat: files },
      effects: [
        {
          type: 'add',
          instance: {
            ...newInstance,
            credential: { kind: 'file', path: '/keys/okta.token' },
            caFile: '/etc/ca.pem',
          },
        },
      ],
    },
    {
      name: 'a token file others can read is refused, naming its mode',
      from: form({ ...filled }, 4),
      keys: [...typed('/keys/loose.token'), 'enter', 'enter', 'enter'],
      ctx: { stat: files },
      state: {
        overlay: {
          confirm: false,
          error: 'Token file: /keys/loose.token must be mode 0600 or stricter (it is 0644)',
        },
      },
      effects: [],
    },
    {
      name: 'a token file that does not exist is refused',
      from: form({ ...filled, tokenFile: '/keys/none.token' }, 6),
      keys: ['enter'],
      ctx: { stat: files },
      state: { overlay: { error: 'Token file: /keys/none.token does not exist' } },
    },
    {
      name: 'a CA file that does not exist is refused',
      from: form({ ...filled, variable: 'NEW_TOKEN', caFile: '/etc/none.pem' }, 6),
      keys: ['enter'],
      ctx: { stat: files },
      state: { overlay: { error: 'CA file: /etc/none.pem does not exist' } },
    },
    {
      name: 'a token variable and a token file both are refused',
      from: form({ ...filled, variable: 'NEW_TOKEN', tokenFile: '/keys/okta.token' }, 6),
      keys: ['enter'],
      ctx: { stat: files },
      state: { overlay: { error: 'Token file: give a token variable or a token file, not both' } },
    },
    {
      name: 'a token’s value typed as the token variable is refused, cleared from the form and not repeated',
      from: form({ ...filled }, 3),
      keys: [...typed('ghp_Canary0123456789abcdef'), 'enter', 'enter', 'enter', 'enter'],
      ctx: { env: { GH_TOKEN: 'ghp_Canary0123456789abcdef' } },
      state: {
        overlay: {
          field: 3,
          values: { ...filled, app: 'okta', variable: '' },
          error:
            'Token variable: takes the name of an environment variable (e.g. OKTA_TOKEN), not its value; the value given was not stored',
        },
      },
      effects: [],
    },
    {
      name: 'the variable’s name is taken, the value it holds set or not',
      from: form({ ...filled, variable: 'GH_TOKEN' }, 6),
      keys: ['enter'],
      ctx: { env: { GH_TOKEN: 'ghp_Canary0123456789abcdef' } },
      state: { overlay: { confirm: true, error: undefined } },
    },
    {
      name: 'a URL with a bidi override is refused in one line',
      from: form({ ...filled, url: 'https://new.okta.com/\u202egnp', variable: 'T' }, 6),
      keys: ['enter'],
      state: { overlay: { error: 'Base URL: must not contain control or formatting characters' } },
    },
    {
      name: 'an option value with an escape sequence is refused in one line, without the value',
      from: form({ ...filled, variable: 'T', extra: 'clientId=a\u001b]52;c;aGk=\u0007b' }, 6),
      keys: ['enter'],
      state: {
        overlay: {
          error: 'Options: the value of clientId must not contain control or formatting characters',
        },
      },
    },
    {
      name: 'a duplicate name is refused with the field named',
      from: form({ ...filled, name: 'okta eu', variable: 'T' }, 6),
      keys: ['enter'],
      state: { overlay: { error: 'Name: Okta already has an instance named "okta eu"' } },
    },
    {
      name: 'Esc cancels: nothing was added',
      from: form({ ...filled }),
      keys: ['escape'],
      state: { overlay: undefined, message: 'nothing was added' },
      effects: [],
    },
    {
      name: 'editing saves at once, without asking',
      from: on(
        {
          kind: 'add',
          field: 6,
          editId: 'us',
          confirm: false,
          values: { app: 'okta', ...filled, variable: 'T' },
        },
        drawer,
      ),
      keys: ['enter'],
      state: { overlay: undefined, message: 'saved Okta New' },
      effects: [
        {
          type: 'edit',
          instanceId: 'us',
          instance: { ...newInstance, credential: { kind: 'env', variable: 'T' } },
        },
      ],
    },
    {
      name: 'editing cannot change the app',
      from: on({ kind: 'add', field: 0, editId: 'us', confirm: false, values: { app: 'okta' } }, drawer),
      keys: ['x'],
      unchanged: true,
    },
  ],
};

for (const [overlay, rows] of Object.entries(overlays))
  describe(`the reducer in the ${overlay}`, () => {
    it.each(rows)('$name', (row) => check(row, baseDoc()));
  });
