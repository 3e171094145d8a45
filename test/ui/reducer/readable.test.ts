import { describe, expect, it } from 'vitest';
import { appRows } from '../../../source/ui/model.js';
import { INITIAL, type UIState } from '../../../source/ui/state.js';
import { sortApps, sortInstances, stepSort } from '../../../source/ui/column-sort.js';
import { helpLines, instanceLines, keyColumns } from '../../../source/ui/views/pages.js';
import { DEFAULT_KEYMAP } from '../../../source/ui/keys.js';
import { world } from '../../helpers/fixtures.js';
import { baseDoc, check, context, CONTROLS, NOW, press, type Row } from './table.js';

/** What the console leaves readable: help and an instance's details scroll, every list sorts by any column. */

const drawer: Partial<UIState> = { view: 'drawer', app: 'okta', stack: ['apps'] };

describe('pages that scroll (help, an instance described whole)', () => {
  const rows: Row[] = [
    {
      name: 'j scrolls the help down, k back, within the page',
      from: { overlay: { kind: 'help' } },
      ctx: { overlayMaxScroll: () => 3 },
      keys: ['j', 'j', 'j', 'j', 'k'],
      state: { overlay: { kind: 'help', scroll: 2 } },
    },
    {
      name: 'End goes to the last line of the help, Home back to the first',
      from: { overlay: { kind: 'help' } },
      ctx: { overlayMaxScroll: () => 30 },
      keys: ['end'],
      state: { overlay: { kind: 'help', scroll: 30 } },
    },
    {
      name: 'Enter on an instance in the drawer describes it whole',
      from: drawer,
      keys: ['j', 'enter'],
      state: { overlay: { kind: 'instance', instanceId: 'us' } },
    },
    {
      name: 'a read-only console may read the details too',
      from: drawer,
      ctx: { readOnly: true },
      keys: ['enter'],
      state: { overlay: { kind: 'instance', instanceId: 'eu' } },
    },
    {
      name: 'the details scroll and Esc closes them',
      from: { ...drawer, overlay: { kind: 'instance', instanceId: 'eu' } },
      ctx: { overlayMaxScroll: () => 5 },
      keys: ['pagedown', 'escape'],
      state: { overlay: undefined, view: 'drawer' },
    },
  ];
  it.each(rows)('$name', (row) => check(row));
});

describe('the help at 80 columns', () => {
  const lines = helpLines(DEFAULT_KEYMAP, 79, 'drawer');

  it('cuts nothing: every line fits, and every help text is there whole', () => {
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(79);
    const text = lines.join(' ').replace(/\s+/g, ' ');
    for (const h of [
      'cycle current / planned / achievable',
      'undo the last score change',
      'toggle Secure Score recommendations',
    ])
      expect(text).toContain(h);
  });

  it('lists the text fields keys and every command', () => {
    expect(lines).toContain('In text fields (filter, command line, forms)');
    expect(lines.join('\n')).toMatch(/ctrl-w\s+delete the word before/);
    expect(lines.join('\n')).toMatch(/:mode single\|multiple/);
  });

  it('uses two columns only when nothing in them would be cut', () => {
    const short = [
      { keys: 'a', help: 'one' },
      { keys: 'b', help: 'two' },
    ];
    expect(keyColumns(short, 79)).toHaveLength(1);
    const long = [...short, { keys: 'c', help: 'x'.repeat(50) }];
    expect(keyColumns(long, 79)).toHaveLength(3);
  });
});

describe('an instance described whole', () => {
  it('wraps a long vendor error instead of cutting it', () => {
    const error = `Okta API 403: ${'the token lacks okta.policies.read for this organisation; '.repeat(5)}end.`;
    const { doc, catalog } = world(CONTROLS, [], {});
    doc.instances.push({
      ...baseDoc().instances[0]!,
      lastPoll: { at: new Date(NOW).toISOString(), outcome: 'error', error },
    });
    const lines = instanceLines(doc.instances[0]!, doc, catalog, 79, NOW);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(79);
    const joined = lines
      .map((l) => l.slice(14))
      .join(' ')
      .replace(/\s+/g, ' ');
    expect(joined).toContain(error.replace(/\s+/g, ' ').trim());
  });
});

describe('sorting Connected apps and the drawer by any column', () => {
  const rows: Row[] = [
    {
      name: 'o in Connected apps sorts by App, again by Instances; O reverses',
      keys: ['o', 'o', 'O'],
      state: { columnSorts: { apps: { column: 1, reverse: true } } },
    },
    {
      name: '< from the store order sorts by the last column (Recs in the drawer)',
      from: drawer,
      keys: ['<'],
      state: { columnSorts: { drawer: { column: 4, reverse: false } } },
    },
    {
      name: 'the cursor stays on its instance as the rows move',
      from: drawer,
      keys: ['j', '<'],
      state: { selected: { 'drawer:okta': 'us' } },
    },
  ];
  it.each(rows)('$name', (row) => check(row));

  it('steps through every column and back to the store order', () => {
    let s = stepSort('apps', undefined, 'next');
    const seen: (number | undefined)[] = [];
    for (let n = 0; n < 6; n++) {
      seen.push(s?.column);
      s = stepSort('apps', s, 'next');
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, undefined]);
  });

  it('Recs: counted first, the store order kept among equals', () => {
    const doc = baseDoc();
    const okta = doc.instances.filter((i) => i.app === 'okta');
    const sorted = sortInstances(okta, { column: 4, reverse: false }, doc, NOW).map((i) => i.id);
    expect(sorted).toEqual(['eu', 'us']);
    expect(sortInstances(okta, { column: 4, reverse: true }, doc, NOW).map((i) => i.id)).toEqual([
      'us',
      'eu',
    ]);
  });

  it('App: A to Z by name', () => {
    const ctx = context();
    const rows = appRows(ctx.doc, ctx.appScores, '', NOW);
    expect(sortApps(rows, { column: 0, reverse: false }, ctx.doc, NOW).map((r) => r.label)).toEqual(
      rows.map((r) => r.label).sort((a, b) => a.localeCompare(b)),
    );
  });
});

describe('the Connected apps "N (M on)" column', () => {
  it('counts only what counts in single-instance mode: the main instance, if on', () => {
    const doc = baseDoc();
    // Both Okta instances on; single mode counts one of them.
    doc.instances.find((i) => i.id === 'us')!.recommendations = true;
    doc.settings.instanceMode = 'single';
    // No main instance chosen among two: none counts.
    expect(appRows(doc, context(doc).appScores, '', NOW).find((r) => r.id === 'okta')!.counted).toBe(0);
    // A new document, as the store hands over after each change (selectors keep the last one).
    const chosen = structuredClone(doc);
    chosen.settings.secureScoreInstance.okta = 'us';
    const ctx = context(chosen);
    const okta = appRows(chosen, ctx.appScores, '', NOW).find((r) => r.id === 'okta')!;
    expect(okta.instances).toBe(2);
    expect(okta.counted).toBe(1);
    const multiple = context(baseDoc());
    const both = baseDoc();
    both.instances.find((i) => i.id === 'us')!.recommendations = true;
    expect(appRows(both, multiple.appScores, '', NOW).find((r) => r.id === 'okta')!.counted).toBe(2);
  });
});

it('the state type keeps the sorts apart from Recommended actions', () => {
  const { state } = press({ ...INITIAL, view: 'actions' }, context(), 'o');
  expect(state.columnSorts).toBeUndefined();
  expect(state.sort).not.toBe('rank');
});
