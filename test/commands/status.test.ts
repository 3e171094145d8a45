import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../source/catalog/index.js';
import { FORBIDDEN, HOSTILE } from '../helpers/hostile.js';
import { BACKENDS, instance, runIn, seed, storeWith, workspace } from './helpers.js';

const catalog = loadCatalog();
const [first, second] = catalog.forApp('okta');

describe.each(BACKENDS)('posture status on $name', ({ backend }) => {
  it('prints the score, the breakdown by product and the top actions as aligned tables', async () => {
    const t = await workspace(backend);
    const r = await runIn(['status', '--demo', '--store', t.store], t);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^Secure Score \d+\.\d% {2}[\d.]+ \/ [\d.]+ points$/);
    expect(lines[1]).toMatch(/^planned \d+\.\d% · achievable \d+\.\d%$/);
    expect(r.stdout).toMatch(/^Product\s+Score\s+Points$/m);
    const head = lines.findIndex((l) => l.startsWith('#   Recommended action'));
    expect(head).toBeGreaterThan(0);
    const rows = lines.slice(head + 2).filter((l) => /^\d+ /.test(l));
    expect(rows).toHaveLength(10);
    const col = lines[head]!.indexOf('Product');
    for (const row of rows)
      expect(row.slice(col)).toMatch(/^(Okta|Salesforce|ServiceNow|GitHub|Microsoft 365) /);
    // The longest product name is printed whole, never cut to an ellipsis.
    const m365 = await runIn(
      ['status', '--product', 'm365', '--limit', '3', '--demo', '--store', t.store],
      t,
    );
    expect(m365.stdout).toMatch(/^Microsoft 365 +\d/m);
    const m365Rows = m365.stdout.split('\n').filter((l) => /^\d+ /.test(l));
    expect(m365Rows.length).toBeGreaterThan(0);
    for (const row of m365Rows) expect(row).toContain('Microsoft 365  ');
    expect(m365.stdout).not.toContain('Microsoft…');
    expect(rows[0]).toMatch(/^1 /);
    expect(r.stdout).toMatch(/… and \d+ more \(--limit N shows more\)/);
    // What failed, by name, under the table; what could not be seen, with the rights the credentials lack.
    expect(r.stdout).toMatch(/^What failed$/m);
    expect(r.stdout).toMatch(/^ {2}#\d+ +\d+ of \d+ .+ failed: .+/m);
    expect(r.stdout).toMatch(
      /^Not scored: \d+ results could not be evaluated.* \(posture doctor says more\)$/m,
    );
  });

  it('filters by --product and --instance, and cuts at --limit', async () => {
    const t = await workspace(backend);
    const okta = await runIn(
      ['status', '--product', 'Okta', '--limit', '3', '--demo', '--store', t.store],
      t,
    );
    expect(okta.code).toBe(0);
    const rows = okta.stdout.split('\n').filter((l) => /^\d+ /.test(l));
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toContain('Okta Contoso US');
    expect(okta.stdout).not.toMatch(/Salesforce|ServiceNow|GitHub/);
    const one = await runIn(
      ['status', '--json', '--instance', 'GitHub Contoso', '--demo', '--store', t.store],
      t,
    );
    const out = JSON.parse(one.stdout);
    expect(out.actions.length).toBeGreaterThan(0);
    for (const a of out.actions) expect(a).toMatchObject({ instance: 'GitHub Contoso', product: 'github' });
    expect(Object.keys(out.byProduct)).toEqual(['github']);
    const mismatch = await runIn(
      ['status', '--product', 'okta', '--instance', 'GitHub Contoso', '--demo', '--store', t.store],
      t,
    );
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(/instance "GitHub Contoso" is a GitHub instance, not Okta/);
  });

  it('prints JSON with the score views, breakdowns and the open actions in rank order', async () => {
    const t = await workspace(backend);
    const r = await runIn(['status', '--json', '--limit', '5', '--demo', '--store', t.store], t);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out.score)).toEqual(['current', 'planned', 'achievable']);
    expect(out.actions).toHaveLength(5);
    expect(out.openActions).toBeGreaterThan(5);
    expect(out.actions.map((a: { rank: number }) => a.rank)).toEqual([1, 2, 3, 4, 5]);
    for (const a of out.actions) expect(a.achieved).toBeLessThan(a.max);
  });

  it('keeps an accepted risk in the possible points, as the console does, and hides it from the list', async () => {
    const t = await workspace(backend);
    const doc = storeWith([instance('a', { name: 'Okta A' })]);
    doc.statuses.push({
      instanceId: 'a',
      controlId: first!.id,
      state: 'risk_accepted',
      reason: 'compensating control',
      by: 'alice',
      at: '2026-01-02T00:00:00.000Z',
      expires: '2099-01-01T00:00:00.000Z',
    });
    await seed(t.store, doc);
    const r = await runIn(['status', '--json', '--store', t.store], t);
    const out = JSON.parse(r.stdout);
    const possible = catalog.forApp('okta').reduce((n, c) => n + c.maxPoints, 0);
    expect(out.score.current.possible).toBe(possible);
    expect(out.score.achievable.possible).toBe(possible - first!.maxPoints);
    expect(out.actions.map((a: { controlId: string }) => a.controlId)).toEqual([second!.id]);
  });

  it('says so when nothing counts, and sanitizes what came from an API', async () => {
    const t = await workspace(backend);
    const hostile = HOSTILE.map((h) => h.text).join(' ');
    await seed(
      t.store,
      storeWith([
        instance('a', {
          recommendations: false,
          lastPoll: { at: new Date().toISOString(), outcome: 'error', error: hostile },
        }),
      ]),
    );
    const r = await runIn(['status', '--store', t.store], t);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No instance has Secure Score recommendations turned on.');
    expect(r.stdout).toContain('! Okta a: last poll failed: Policy');
    expect(r.stdout).not.toMatch(FORBIDDEN);
  });
});

describe.each(BACKENDS)('products in one order everywhere, on $name', ({ backend }) => {
  it('status, its JSON and the export list products in the apps order, whatever the instances order', async () => {
    const t = await workspace(backend);
    // GitHub's instance comes first in the store; Okta still comes first in every list.
    await seed(
      t.store,
      storeWith([
        instance('g', { app: 'github', name: 'GitHub G', options: { org: 'g' } }),
        instance('o', { name: 'Okta O' }),
      ]),
    );
    const text = await runIn(['status', '--store', t.store], t);
    const rows = text.stdout.split('\n').filter((l) => /^(Okta|GitHub) +\d/.test(l));
    expect(rows.map((l) => l.split(' ')[0])).toEqual(['Okta', 'GitHub']);
    const json = JSON.parse((await runIn(['status', '--json', '--store', t.store], t)).stdout);
    expect(Object.keys(json.byProduct)).toEqual(['okta', 'github']);
    const exported = JSON.parse((await runIn(['export', '--format', 'json', '--store', t.store], t)).stdout);
    expect(Object.keys(exported.byProduct)).toEqual(['okta', 'github']);
  });
});
