import { describe, it } from 'vitest';
import { actionKey } from '../../../source/domain/scoring.js';
import type { UIState } from '../../../source/ui/state.js';
import { check, type Row } from './table.js';

/** The reducer per view: moving, opening, filtering, and the effects each key asks for. */

const action = (n: number) => actionKey('eu', `okta.c${n}`);
const drawer: Partial<UIState> = { view: 'drawer', app: 'okta', stack: ['apps'] };
const detail: Partial<UIState> = {
  view: 'detail',
  stack: ['actions'],
  detailId: action(1),
  detailTab: 0,
  detailScroll: 0,
};

const views: Record<string, Row[]> = {
  'Connected apps': [
    {
      name: 'j moves to the next app',
      keys: ['j'],
      state: { selected: { apps: 'github' }, index: { apps: 1 } },
    },
    { name: 'k at the top stays there', keys: ['k'], state: { selected: { apps: 'okta' } } },
    { name: 'Enter opens the app’s drawer', keys: ['enter'], state: drawer },
    {
      name: 'j, Enter opens the next app’s drawer',
      keys: ['j', 'enter'],
      state: { view: 'drawer', app: 'github' },
    },
    {
      name: '/ opens the filter with the text so far',
      from: { appText: 'ok' },
      keys: ['/'],
      state: { overlay: { kind: 'input', purpose: 'filter', value: 'ok' } },
    },
    {
      name: 'Esc clears the filter first',
      from: { appText: 'git' },
      keys: ['escape'],
      state: { appText: '' },
    },
    {
      name: 'r polls every instance',
      keys: ['r'],
      state: { pollNote: 'polling all instances…', message: undefined },
      effects: [{ type: 'poll' }],
    },
    {
      name: 'r in read-only mode says why and polls nothing',
      keys: ['r'],
      ctx: { readOnly: true },
      state: { message: 'read-only: changes are disabled' },
      effects: [],
    },
    { name: 'p pauses polling', keys: ['p'], effects: [{ type: 'pause' }] },
    { name: 'q quits', keys: ['q'], effects: [{ type: 'quit' }] },
    { name: '2, 3, 4 switch views', keys: ['4'], state: { view: 'history', stack: [] } },
    { name: 'a key bound to nothing changes nothing', keys: ['z'], unchanged: true, effects: [] },
    { name: 'too small, j does nothing', keys: ['j'], ctx: { tooSmall: true }, unchanged: true },
    {
      name: 'too small, ? still opens help',
      keys: ['?'],
      ctx: { tooSmall: true },
      state: { overlay: { kind: 'help' } },
    },
    { name: 'too small, q still quits', keys: ['q'], ctx: { tooSmall: true }, effects: [{ type: 'quit' }] },
  ],
  'Instance drawer': [
    {
      name: 'Space turns the selected instance’s recommendations off',
      from: drawer,
      keys: ['space'],
      state: { message: 'Okta EU: Secure Score recommendations off · u undoes' },
      effects: [{ type: 'toggle', instanceId: 'eu', on: false }],
    },
    {
      name: 'j, Space turns the next one’s on',
      from: drawer,
      keys: ['j', 'space'],
      state: { message: 'Okta US: Secure Score recommendations on · u undoes' },
      effects: [{ type: 'toggle', instanceId: 'us', on: true }],
    },
    {
      name: 'Space in read-only mode changes nothing',
      from: drawer,
      keys: ['space'],
      ctx: { readOnly: true },
      state: { message: 'read-only: changes are disabled' },
      effects: [],
    },
    {
      name: 'r polls the selected instance only',
      from: drawer,
      keys: ['r'],
      state: { pollNote: 'polling Okta EU…', message: undefined },
      effects: [{ type: 'poll', instanceIds: ['eu'] }],
    },
    {
      name: '. opens the options menu',
      from: drawer,
      keys: ['.'],
      state: { overlay: { kind: 'menu', choice: 0 } },
    },
    {
      name: 'a opens the add form on the drawer’s app, at the name',
      from: drawer,
      keys: ['a'],
      state: { overlay: { kind: 'add', field: 1, values: { app: 'okta' }, confirm: false } },
    },
    {
      name: 'a in read-only mode opens nothing',
      from: drawer,
      keys: ['a'],
      ctx: { readOnly: true },
      state: { overlay: undefined, message: 'read-only: changes are disabled' },
    },
    { name: 'Esc goes back to the apps', from: drawer, keys: ['escape'], state: { view: 'apps', stack: [] } },
    {
      name: '/ filters the instances by name',
      from: drawer,
      keys: ['/', 'u', 's', 'enter'],
      state: { drawerText: 'us', overlay: undefined },
    },
  ],
  'Recommended actions': [
    { name: '3 opens the list', keys: ['3'], state: { view: 'actions', stack: [] } },
    {
      name: 'Enter opens the selected action on its Overview',
      keys: ['3', 'j', 'enter'],
      state: { view: 'detail', detailId: action(2), detailTab: 0, stack: ['actions'] },
    },
    {
      name: 'P filters by the first product with instances',
      keys: ['3', 'P'],
      state: { filter: { product: 'okta' } },
    },
    { name: 'P again cycles on', keys: ['3', 'P', 'P'], state: { filter: { product: 'github' } } },
    { name: 'I filters by a counted instance', keys: ['3', 'I'], state: { filter: { instance: 'eu' } } },
    { name: 'A shows accepted risks', keys: ['3', 'A'], state: { filter: { showAccepted: true } } },
    { name: 'o sorts by the next column', keys: ['3', 'o', 'o'], state: { sort: 'product' } },
    { name: '> sorts by the next column too', keys: ['3', '>'], state: { sort: 'title' } },
    { name: '< sorts by the previous column', keys: ['3', '<'], state: { sort: 'severity' } },
    { name: 'O reverses the order', keys: ['3', 'O'], state: { sort: 'rank', sortReverse: true } },
    {
      name: 'a new column starts in its own order',
      keys: ['3', 'O', 'o'],
      state: { sort: 'title', sortReverse: false },
    },
    {
      name: 'reversed, the last ranked action is first',
      keys: ['3', 'O', 'g'],
      state: { selected: { actions: action(10) } },
    },
    { name: 'ctrl-w turns wide mode on and off', keys: ['3', 'ctrl+w'], state: { wide: true } },
    { name: 'W too', keys: ['3', 'W', 'W'], state: { wide: false } },
    {
      name: 's opens the status dialog on the selected action',
      keys: ['3', 'j', 's'],
      state: { overlay: { kind: 'status', actionId: action(2), step: 'pick', choice: 0 } },
    },
    {
      name: 's in read-only mode says why',
      keys: ['3', 's'],
      ctx: { readOnly: true },
      state: { overlay: undefined, message: 'read-only: changes are disabled' },
    },
    { name: 'G selects the last row', keys: ['3', 'G'], state: { selected: { actions: action(10) } } },
    {
      name: 'with 4 rows shown, G moves the window to the last page',
      keys: ['3', 'G'],
      ctx: { listRows: 4 },
      window: 6,
    },
    {
      name: 'leaving the window scrolls it by half a page',
      keys: ['3', 'j', 'j', 'j', 'j'],
      ctx: { listRows: 4 },
      state: { index: { actions: 4 } },
      window: 2,
    },
    {
      name: 'moving within the window does not scroll it',
      keys: ['3', 'G', 'k', 'k', 'k'],
      ctx: { listRows: 4 },
      state: { index: { actions: 6 } },
      window: 6,
    },
    {
      name: 'pagedown moves a page less a row',
      keys: ['3', 'pagedown'],
      ctx: { listRows: 4 },
      state: { index: { actions: 3 } },
      window: 0,
    },
  ],
  'Action detail': [
    {
      name: 'Tab shows Implementation',
      from: detail,
      keys: ['tab'],
      state: { detailTab: 1, detailScroll: 0 },
    },
    { name: 'Shift-Tab wraps to History', from: detail, keys: ['shift+tab'], state: { detailTab: 2 } },
    {
      name: 'j scrolls no further than the page’s last line',
      from: detail,
      keys: Array<string>(10).fill('j'),
      ctx: { detailMaxScroll: () => 3 },
      state: { detailScroll: 3 },
    },
    {
      name: 'one k back up shows at once',
      from: { ...detail, detailScroll: 3 },
      keys: ['k'],
      ctx: { detailMaxScroll: () => 3 },
      state: { detailScroll: 2 },
    },
    {
      name: 'G goes to the last line',
      from: detail,
      keys: ['G'],
      ctx: { detailMaxScroll: () => 7 },
      state: { detailScroll: 7 },
    },
    {
      name: 's opens the status dialog on this action',
      from: detail,
      keys: ['s'],
      state: { overlay: { kind: 'status', actionId: action(1), step: 'pick' } },
    },
    {
      name: 'Esc goes back to the list',
      from: detail,
      keys: ['escape'],
      state: { view: 'actions', stack: [] },
    },
  ],
  'Secure Score': [
    { name: 'v shows the planned score', keys: ['2', 'v'], state: { view: 'score', scoreView: 'planned' } },
    { name: 'v cycles back to current', keys: ['2', 'v', 'v', 'v'], state: { scoreView: 'current' } },
    {
      name: 'Enter on a product opens its Recommended actions, Esc comes back',
      keys: ['2', 'enter'],
      state: { view: 'actions', stack: ['score'], filter: { product: 'okta', text: '' } },
    },
    {
      name: 'Enter on an instance (below the products) opens its actions alone',
      keys: ['2', 'j', 'enter'],
      state: { view: 'actions', filter: { instance: 'eu', text: '', showAccepted: false } },
    },
    {
      name: 'the drill-down drops the text filter and starts at the top of the list',
      from: { filter: { text: 'zzz', showAccepted: false }, selected: { actions: action(5) } },
      keys: ['2', 'enter'],
      state: { filter: { text: '' }, selected: {}, index: { actions: 0 } },
    },
    {
      name: 'Esc goes back to the score',
      keys: ['2', 'enter', 'escape'],
      state: { view: 'score', stack: [] },
    },
    { name: 'G selects the last instance', keys: ['2', 'G'], state: { selected: { score: 'instance:eu' } } },
    {
      name: 'Esc with nowhere to go back stays',
      from: { view: 'score' },
      keys: ['escape'],
      state: { view: 'score' },
    },
  ],
  History: [
    {
      name: 'j moves to the next poll',
      keys: ['4', 'j'],
      state: { view: 'history', selected: { history: '1' } },
    },
    {
      name: 'G goes to the oldest poll, its window on the last page',
      keys: ['4', 'G'],
      // 20 list rows: a daily table of 7 and 11 rows of changes.
      state: { selected: { history: '39' } },
      window: 29,
    },
    {
      name: 'g comes back to the newest',
      keys: ['4', 'G', 'g'],
      state: { index: { history: 0 } },
      window: 0,
    },
  ],
};

for (const [view, rows] of Object.entries(views))
  describe(`the reducer in ${view}`, () => {
    it.each(rows)('$name', (row) => check(row));
  });
