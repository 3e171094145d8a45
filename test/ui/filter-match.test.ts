import { describe, expect, it } from 'vitest';
import { NO_FILTER } from '../../source/domain/action-filter.js';
import { matchParts } from '../../source/text/highlight.js';
import { actionRows, appRows, drawerRows } from '../../source/ui/model.js';
import { baseDoc, context, NOW } from './reducer/table.js';

describe('the / filter matches only what the list shows', () => {
  const ctx = context(baseDoc());
  it("Connected apps: the app's name, not its instances' (they are not on the row)", () => {
    expect(appRows(ctx.doc, ctx.appScores, 'okta', NOW).map((r) => r.id)).toEqual(['okta']);
    // "Contoso" is only in an instance's name: no app row shows it.
    expect(appRows(ctx.doc, ctx.appScores, 'contoso', NOW)).toEqual([]);
  });
  it("the drawer: the instance's name and its endpoint", () => {
    const doc = baseDoc();
    doc.instances[0]!.baseUrl = 'https://eu-tenant.okta.com';
    expect(drawerRows(doc, 'okta', 'eu-tenant').map((i) => i.id)).toEqual(['eu']);
    expect(drawerRows(doc, 'okta', 'us').map((i) => i.id)).toEqual(['us']);
  });
  it("Recommended actions: title, product, instance and status, not the control's hidden id", () => {
    const rows = (text: string) => actionRows(ctx.actions, { ...NO_FILTER, text }, 'rank');
    expect(rows('okta.c1')).toEqual([]);
    expect(rows('Control 10').map((a) => a.control.id)).toEqual(['okta.c10']);
    expect(rows('to address').length).toBe(rows('').length);
    expect(rows('okta eu').length).toBe(rows('').length);
  });
});

describe('matchParts', () => {
  it('cuts a row into matches and the rest, ignoring case, every occurrence', () => {
    expect(matchParts('Okta  ok  2', 'OK')).toEqual([
      { text: 'Ok', hit: true },
      { text: 'ta  ', hit: false },
      { text: 'ok', hit: true },
      { text: '  2', hit: false },
    ]);
    expect(matchParts('abc', '')).toEqual([{ text: 'abc', hit: false }]);
    expect(matchParts('abc', 'x')).toEqual([{ text: 'abc', hit: false }]);
    expect(matchParts('表表', '表')).toEqual([
      { text: '表', hit: true },
      { text: '表', hit: true },
    ]);
  });
});
