import { describe, expect, it } from 'vitest';
import { emptyStore } from '../../source/domain/schemas.js';
import { FORBIDDEN, HOSTILE } from '../helpers/hostile.js';
import { BACKENDS, instance, runIn, seed, stored, storeWith, workspace } from './helpers.js';
import { DEMO_TENANTS } from '../../source/simulator/vendors.js';

describe.each(BACKENDS)('posture instances on $name', ({ backend }) => {
  it('lists the demo instances as an aligned table', async () => {
    const t = await workspace(backend);
    const r = await runIn(['instances', '--demo', '--store', t.store], t);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+App\s+Name\s+URL\s+Recommendations\s+Last poll\s+Health$/);
    expect(lines[1]).toMatch(/^-+( {2}-+){6}$/);
    expect(lines).toHaveLength(2 + DEMO_TENANTS.length);
    const eu = lines.find((l) => l.includes('Okta Contoso EU'));
    const us = lines.find((l) => l.includes('Okta Contoso US'));
    expect(eu).toMatch(
      /^okta-contoso-eu\s+Okta\s+Okta Contoso EU\s+http:\/\/127\.0\.0\.1:\d+\/okta-contoso-eu\s+Off\s+/,
    );
    expect(us).toMatch(/\sOn\s.*\sok$/);
    // Columns line up: every row's App column starts where the header's does.
    const at = lines[0]!.indexOf('App');
    for (const l of lines.slice(2)) expect(l.slice(at, at + 3)).toMatch(/^(Okt|Sal|Ser|Git|Mic)/);
  });

  it('prints JSON with --json: ids, endpoints, the variable name, recommendations, last poll and health', async () => {
    const t = await workspace(backend);
    const r = await runIn(['instances', '--json', '--demo', '--store', t.store], t);
    const list = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(list).toHaveLength(DEMO_TENANTS.length);
    expect(list.find((i) => i.id === 'okta-contoso-eu')).toMatchObject({
      app: 'okta',
      name: 'Okta Contoso EU',
      credential: { kind: 'env', variable: 'POSTURE_DEMO_OKTA_EU_TOKEN' },
      recommendations: false,
      counted: false,
      health: 'ok',
      lastPoll: { outcome: 'ok', error: null },
    });
  });

  it('says how to add one when there are none', async () => {
    const t = await workspace(backend);
    await seed(t.store, emptyStore());
    const r = await runIn(['instances', '--store', t.store], t);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^No instances yet: add one with `posture connect/);
  });

  it('shows a failed poll below the table, sanitized, and never polled as never', async () => {
    const t = await workspace(backend);
    const hostile = HOSTILE.map((h) => h.text).join(' ');
    await seed(
      t.store,
      storeWith([
        instance('bad', {
          name: 'Okta Bad',
          lastPoll: { at: new Date().toISOString(), outcome: 'error', error: `401 ${hostile}` },
        }),
      ]),
    );
    const doc = await stored(t.store);
    doc.instances.push({ ...instance('new', { name: 'Okta New' }) });
    await seed(t.store, doc);
    const r = await runIn(['instances', '--store', t.store], t);
    expect(r.stdout).toMatch(/Okta Bad .* error\n/);
    expect(r.stdout).toMatch(/Okta New .* never\s+never\n/);
    expect(r.stdout).toContain('! Okta Bad: last poll failed: 401 Policy');
    expect(r.stdout).not.toMatch(FORBIDDEN);
    const json = await runIn(['instances', '--json', '--store', t.store], t);
    expect(json.stdout).not.toMatch(/\\u001b|\\u009b|\u202e/);
  });
});
