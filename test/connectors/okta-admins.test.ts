import { describe, expect, it } from 'vitest';
import { okta } from '../../source/connectors/okta/index.js';
import type { Datasets } from '../../source/domain/rules.js';
import { oktaDemo } from '../../source/simulator/okta.js';
import type { DemoTenant } from '../../source/simulator/types.js';
import { collect, evaluateApp, simulate, tenantCopy } from '../helpers/sim.js';

const [eu, us] = oktaDemo as [DemoTenant, DemoTenant];
const resultsOf = (datasets: Datasets) => evaluateApp('okta', datasets);

describe('Okta administrators, API token owners, trusted origins and authorization servers', () => {
  it('reads every admin of the EU tenant with an API token, and passes the well-run org', async () => {
    const sim = await simulate([eu]);
    const { datasets } = await collect(okta, sim, eu);
    const r = resultsOf(datasets);
    for (const id of [
      'okta.admins.super_admin_count',
      'okta.admins.phishing_resistant_factor',
      'okta.admins.inactive',
      'okta.api_token.not_super_admin',
      'okta.authenticators.security_question',
      'okta.authenticators.phone',
      'okta.pwd.recovery_factors',
      'okta.trusted_origins.https',
      'okta.authz_servers.key_rotation',
    ])
      expect(r[id]?.outcome, id).toBe('pass');
    // Four users hold roles (one user holds none and is not an admin).
    expect(r['okta.admins.inactive']).toMatchObject({ count: 4, total: 4 });
    // A token created 200 days ago is due for rotation.
    expect(r['okta.api_token.age']).toMatchObject({ outcome: 'partial', count: 2, total: 3 });
    expect(r['okta.api_token.age']?.failing).toEqual([{ id: '00T1eu3', name: 'Old provisioning script' }]);
  });

  it("follows listUsersWithRoleAssignments' `_links.next` in the body across pages of two", async () => {
    const sim = await simulate([us]);
    const { datasets } = await collect(okta, sim, us);
    const pages = sim.log.filter((l) => l.path.endsWith('/api/v1/iam/assignees/users'));
    expect(pages.length).toBe(3); // six admins, two a page
    const r = resultsOf(datasets);
    expect(r['okta.admins.super_admin_count']?.outcome).toBe('fail');
    expect(r['okta.admins.super_admin_count']?.evidence).toEqual([
      { item: 'Super Administrators', path: '/count', value: '5' },
    ]);
  });

  it('names okta.users.read when the OAuth token may read roles but not users, and judges the count', async () => {
    const sim = await simulate([us]);
    const r = resultsOf((await collect(okta, sim, us)).datasets);
    for (const id of ['okta.admins.inactive', 'okta.admins.phishing_resistant_factor'])
      expect(r[id], id).toMatchObject({
        outcome: 'unknown',
        missing: 'the okta.users.read scope',
        reason: expect.stringContaining('could not judge 6 of 6 administrators'),
      });
    // Okta refuses getUser to that token with E0000006 and names the scope in its challenge.
    const denied = await fetch(`${sim.baseUrl(us.id)}/api/v1/users/00u1admin/factors`, {
      headers: { authorization: `Bearer ${us.token}` },
    });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ errorCode: 'E0000006' });
    expect(denied.headers.get('www-authenticate')).toContain('scope="okta.users.read"');
  });

  it('judges the US admins with okta.users.read: a dormant super admin and admins without phishing-resistant factors', async () => {
    const scopes = [...((us.data as { oauthScopes: string[] }).oauthScopes ?? []), 'okta.users.read'];
    const t = tenantCopy(us, { data: { ...us.data, oauthScopes: scopes } });
    const sim = await simulate([t]);
    const r = resultsOf((await collect(okta, sim, t)).datasets);
    expect(r['okta.admins.inactive']?.failing).toEqual([
      { id: '00u7old', name: 'former.admin@contoso.com' },
      { id: '00u8apps', name: 'apps.team@contoso.com' },
    ]);
    expect(r['okta.admins.phishing_resistant_factor']).toMatchObject({
      outcome: 'partial',
      count: 2,
      total: 6,
    });
  });

  it("leaves a token's owner unknown, naming the admin role, when an API token may not list role assignments", async () => {
    const narrow = tenantCopy(eu, { forbidden: ['/api/v1/iam/'] });
    const sim = await simulate([narrow]);
    const r = resultsOf((await collect(okta, sim, narrow)).datasets);
    expect(r['okta.api_token.not_super_admin']).toMatchObject({ outcome: 'unknown' });
    expect(r['okta.api_token.not_super_admin']?.missing).toMatch(/Read-Only Administrator/);
    expect(r['okta.admins.super_admin_count']?.outcome).toBe('unknown');
    // The tokens were read: their other controls still judge them.
    expect(r['okta.api_token.zone']?.outcome).toBe('partial');
  });

  it('answers users and role assignments as Okta does: a body-paged object, plain arrays, and E0000007 for no user', async () => {
    const sim = await simulate([eu]);
    const get = (path: string) =>
      fetch(`${sim.baseUrl(eu.id)}${path}`, { headers: { authorization: `SSWS ${eu.token}` } });
    const page = await get('/api/v1/iam/assignees/users?limit=3');
    const body = (await page.json()) as { value: { id: string }[]; _links: { next?: { href: string } } };
    expect(page.headers.get('link')).toBeNull();
    expect(page.headers.get('x-rate-limit-remaining')).not.toBeNull();
    expect(body.value.map((u) => u.id)).toEqual(['00u1admin', '00u2ops', '00u3help']);
    expect(body._links.next?.href).toContain('after=00u3help');
    const user = (await (await get('/api/v1/users/00u1admin')).json()) as Record<string, unknown>;
    expect(user).toMatchObject({ id: '00u1admin', status: 'ACTIVE' });
    expect(user.roles).toBeUndefined();
    expect(Date.parse(String(user.lastLogin))).toBeGreaterThan(Date.now() - 2 * 86_400_000);
    expect(await (await get('/api/v1/users/00u1admin/roles')).json()).toMatchObject([
      { type: 'SUPER_ADMIN' },
    ]);
    const missing = await get('/api/v1/users/00unobody');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ errorCode: 'E0000007' });
  });
});
