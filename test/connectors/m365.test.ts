import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { m365 } from '../../source/connectors/m365/index.js';
import { endpoints } from '../../source/connectors/m365/graph.js';
import { ConnectorError } from '../../source/connectors/http.js';
import type { Datasets } from '../../source/domain/rules.js';
import { m365Demo } from '../../source/simulator/m365.js';
import type { DemoTenant } from '../../source/simulator/types.js';
import { collect, evaluateApp, simulate, tenantCopy } from '../helpers/sim.js';

const [contoso] = m365Demo as [DemoTenant];
const results = (datasets: Datasets) => evaluateApp('m365', datasets);
const data = (t: DemoTenant) => t.data as Record<string, unknown> & { permissions: string[] };
const withData = (patch: Record<string, unknown>) =>
  tenantCopy(contoso, { data: { ...structuredClone(contoso.data), ...patch } });
const certificate = readFileSync(
  new URL('../fixtures/m365/test-app-certificate.pem', import.meta.url),
  'utf8',
);

describe('Microsoft 365 connector against the simulator', () => {
  it('signs in with client credentials, pages every collection and judges the demo tenant', async () => {
    const sim = await simulate([contoso]);
    const { datasets } = await collect(m365, sim, contoso);
    const r = results(datasets);
    // The token request: a form POST to the tenant's v2.0 endpoint for Graph's .default scope.
    const token = sim.log.find((l) => l.path.endsWith('/oauth2/v2.0/token'));
    expect(token).toMatchObject({ method: 'POST', path: '/contoso.onmicrosoft.com/oauth2/v2.0/token' });
    // Every Graph request carries the bearer token, never the client secret.
    for (const l of sim.log.filter((x) => x.path.startsWith('/v1.0/')))
      expect(l.headers.authorization).toMatch(/^Bearer (?!demo-m365)/);
    // Five policies at two a page: three pages followed through @odata.nextLink.
    expect(sim.log.filter((l) => l.path === '/v1.0/identity/conditionalAccess/policies')).toHaveLength(3);
    const ca = datasets['m365:conditionalAccess/policies'];
    expect(ca?.ok && ca.items).toHaveLength(5);
    expect(r['m365.ca.legacy_auth']?.outcome).toBe('pass');
    expect(r['m365.ca.mfa_all_users']?.outcome).toBe('pass');
    // The phishing-resistant policy for admins is report-only: not enforced, so not a pass.
    expect(r['m365.ca.phishing_resistant_admins']?.outcome).toBe('fail');
    expect(r['m365.ca.admin_session']?.outcome).toBe('pass');
    expect(r['m365.ca.device_code']?.outcome).toBe('pass');
    expect(r['m365.roles.global_admin_count']).toMatchObject({ outcome: 'pass' });
    expect(r['m365.roles.cloud_only_admins']).toMatchObject({ outcome: 'fail' });
    expect(r['m365.roles.cloud_only_admins']?.failing?.map((f) => f.id)).toEqual([
      '11111111-aaaa-4bbb-8ccc-000000000003',
      '11111111-aaaa-4bbb-8ccc-000000000005',
    ]);
    expect(r['m365.passwords.never_expire']).toMatchObject({
      outcome: 'fail',
      failing: [{ id: 'sales.contoso.com' }],
    });
    expect(r['m365.authmethods.weak_methods']).toMatchObject({ outcome: 'fail', failing: [{ id: 'Sms' }] });
    expect(r['m365.authmethods.authenticator_context']?.outcome).toBe('fail');
    expect(r['m365.apps.user_consent']?.outcome).toBe('fail');
    expect(r['m365.apps.admin_consent_workflow']?.outcome).toBe('pass');
    expect(r['m365.apps.password_lifetime']?.outcome).toBe('pass');
    expect(r['m365.sharepoint.external_sharing']?.outcome).toBe('fail');
    expect(r['m365.sharepoint.guest_resharing']?.outcome).toBe('pass');
  });

  it('is unknown, naming the licence, for a feature the tenant is not licensed for, never a fail', async () => {
    const sim = await simulate([contoso]);
    const r = results((await collect(m365, sim, contoso)).datasets);
    // Contoso has P1, not P2: risk-based policies cannot exist there.
    for (const id of ['m365.ca.high_risk_users', 'm365.ca.high_risk_signins']) {
      expect(r[id]).toMatchObject({
        outcome: 'unknown',
        reason: expect.stringMatching(/no Microsoft Entra ID P2 licence/),
      });
      expect(r[id]?.missing).toBeUndefined();
    }
    const free = withData({ subscribedSkus: [] });
    const sim2 = await simulate([free]);
    const { datasets } = await collect(m365, sim2, free);
    const r2 = results(datasets);
    expect(r2['m365.ca.legacy_auth']).toMatchObject({
      outcome: 'unknown',
      reason: expect.stringMatching(/P1/),
    });
    expect(r2['m365.users.mfa_registered']?.outcome).toBe('unknown');
    // Without a licence for it, conditional access is not even asked for.
    expect(sim2.log.some((l) => l.path.includes('conditionalAccess'))).toBe(false);
  });

  it('names the missing application permission on the controls it could not judge, and only those', async () => {
    const sim = await simulate([contoso]);
    const { datasets } = await collect(m365, sim, contoso);
    const r = results(datasets);
    // The demo app has no AuditLog.Read.All.
    expect(r['m365.users.mfa_registered']).toMatchObject({
      outcome: 'unknown',
      missing: 'the AuditLog.Read.All application permission',
    });
    for (const [key, ds] of Object.entries(datasets))
      expect(ds.ok, key).toBe(
        key !== 'm365:users/registration' &&
          key !== 'm365:conditionalAccess/policies/p2' &&
          !key.startsWith('m365:pim/'),
      );

    const narrow = tenantCopy(contoso, {
      data: {
        ...structuredClone(contoso.data),
        permissions: data(contoso).permissions.filter((p) => p !== 'Policy.Read.All'),
      },
    });
    const sim2 = await simulate([narrow]);
    const r2 = results((await collect(m365, sim2, narrow)).datasets);
    expect(r2['m365.ca.legacy_auth']?.missing).toBe('the Policy.Read.All application permission');
    expect(r2['m365.authmethods.migration']?.missing).toMatch(/Policy\.Read\.AuthenticationMethod/);
    expect(r2['m365.passwords.never_expire']?.outcome).toBe('fail');
  });

  it('does not take a role member Graph returned with its id only for a cloud-only account', async () => {
    // Without User.Read.All, Graph returns each user in a role with its type and id, the rest null.
    const noUsers = withData({ permissions: data(contoso).permissions.filter((p) => p !== 'User.Read.All') });
    const sim = await simulate([noUsers]);
    const r = results((await collect(m365, sim, noUsers)).datasets);
    expect(r['m365.roles.cloud_only_admins']).toMatchObject({
      outcome: 'unknown',
      missing: 'the User.Read.All application permission',
    });
    // Counting Global Administrators needs only the type and id of each member.
    expect(r['m365.roles.global_admin_count']?.outcome).toBe('pass');
  });

  it('judges MFA registration of member users only, proportionally', async () => {
    const full = withData({ permissions: [...data(contoso).permissions, 'AuditLog.Read.All'] });
    const sim = await simulate([full]);
    const r = results((await collect(m365, sim, full)).datasets);
    expect(r['m365.users.mfa_registered']).toMatchObject({ outcome: 'partial', count: 3, total: 4 });
    expect(r['m365.users.mfa_registered']?.failing).toEqual([
      { id: '11111111-aaaa-4bbb-8ccc-000000000007', name: 'AdeleV@contoso.com' },
    ]);
    const reg = sim.log.find((l) => l.path.endsWith('/userRegistrationDetails'));
    expect(new URLSearchParams(reg?.query).get('$filter')).toBe("userType eq 'member'");
  });

  it('weighs Global Administrators against users holding only other privileged roles (MS.AAD.7.2)', async () => {
    const sim = await simulate([contoso]);
    const r = results((await collect(m365, sim, contoso)).datasets);
    // Three Global Administrators (MeganB also holds Privileged Role Administrator, so she is not
    // counted among the others) against LynneR, DiegoS and IsaiahL.
    expect(r['m365.roles.finer_grained']).toMatchObject({ outcome: 'pass' });
    // Each role's members are read once a poll, though three controls read them.
    const ga = "/v1.0/directoryRoles(roleTemplateId='62e90394-69f5-4237-9190-012177145e10')/members";
    expect(sim.log.filter((l) => decodeURIComponent(l.path) === ga)).toHaveLength(2);

    const roles = structuredClone(contoso.data.directoryRoles) as Record<string, unknown[]>;
    roles['62e90394-69f5-4237-9190-012177145e10']!.push({
      '@odata.type': '#microsoft.graph.user',
      id: '11111111-aaaa-4bbb-8ccc-000000000004',
      displayName: 'Lynne Robbins',
      userPrincipalName: 'LynneR@contoso.com',
      onPremisesSyncEnabled: null,
    });
    const more = withData({ directoryRoles: roles });
    const sim2 = await simulate([more]);
    const r2 = results((await collect(m365, sim2, more)).datasets);
    // Four Global Administrators against two users with only other privileged roles.
    expect(r2['m365.roles.finer_grained']).toMatchObject({ outcome: 'fail' });
    expect(r2['m365.roles.finer_grained']?.failing).toEqual([
      {
        id: 'privileged-roles',
        name: '4 Global Administrator(s), 2 user(s) with other privileged roles only',
      },
    ]);
  });

  describe('Privileged Identity Management (MS.AAD.7.4 to 7.9)', () => {
    /** Contoso with Microsoft Entra ID P2 added to its enabled subscription. */
    const withP2 = (patch: Record<string, unknown> = {}) => {
      const copy = structuredClone(contoso.data) as Record<string, unknown> & {
        subscribedSkus: { servicePlans: unknown[] }[];
      };
      copy.subscribedSkus[0]!.servicePlans.push({
        servicePlanId: 'eec0eb4f-6444-4f95-aba0-50c24d67f998',
        servicePlanName: 'AAD_PREMIUM_P2',
        provisioningStatus: 'Success',
        appliesTo: 'User',
      });
      return tenantCopy(contoso, { data: { ...copy, ...patch } });
    };
    const PIM_IDS = [
      'm365.pim.no_permanent_active',
      'm365.pim.assigned_in_pim',
      'm365.pim.global_admin_approval',
      'm365.pim.assignment_alerts',
      'm365.pim.global_admin_activation_alert',
      'm365.pim.activation_alerts',
    ];

    it("reads each privileged role's policy and the active assignments, paged, and judges them", async () => {
      const tenant = withP2();
      const sim = await simulate([tenant]);
      const r = results((await collect(m365, sim, tenant)).datasets);
      const policies = sim.log.filter((l) => l.path === '/v1.0/policies/roleManagementPolicyAssignments');
      // Nine policies at two a page: five pages, each with the scope filter and the rules expanded.
      expect(policies).toHaveLength(5);
      for (const l of policies) {
        const q = new URLSearchParams(l.query);
        expect(q.get('$filter')).toBe("scopeId eq '/' and scopeType eq 'Directory'");
        expect(q.get('$expand')).toBe('policy($expand=rules)');
      }
      expect(
        sim.log.filter((l) => l.path === '/v1.0/roleManagement/directory/roleAssignmentScheduleInstances'),
      ).toHaveLength(4);
      // breakglass1 holds Global Administrator permanently; AlexW's was assigned outside PIM.
      expect(r['m365.pim.no_permanent_active']).toMatchObject({ outcome: 'fail' });
      expect(r['m365.pim.no_permanent_active']?.failing?.map((f) => f.id)).toEqual([
        'inst-0002-0002',
        'inst-0003-0003',
      ]);
      expect(r['m365.pim.assigned_in_pim']?.failing?.map((f) => f.id)).toEqual(['inst-0003-0003']);
      expect(r['m365.pim.global_admin_approval']?.outcome).toBe('pass');
      expect(r['m365.pim.assignment_alerts']?.failing).toEqual([
        { id: 'fe930be7-5e62-47db-91af-98c3a49a38b1', name: 'User Administrator' },
      ]);
      expect(r['m365.pim.global_admin_activation_alert']?.outcome).toBe('pass');
      // Global Reader has no activation alert either, but it is not a highly privileged role.
      expect(r['m365.pim.activation_alerts']?.failing).toEqual([
        { id: '29232cdf-9323-42fd-ade2-1d097af3e4de', name: 'Exchange Administrator' },
      ]);
    });

    it('is unknown, naming the P2 licence, without asking Graph when the tenant has P1 only', async () => {
      const sim = await simulate([contoso]);
      const r = results((await collect(m365, sim, contoso)).datasets);
      for (const id of PIM_IDS)
        expect(r[id], id).toMatchObject({
          outcome: 'unknown',
          reason:
            'the tenant has no Microsoft Entra ID P2 licence, which Privileged Identity Management needs',
        });
      expect(sim.log.some((l) => /roleManagement/i.test(l.path))).toBe(false);
    });

    it("takes Graph's licence error for unknown when the licences could not be read", async () => {
      // The app cannot read subscriptions: it asks, and Graph refuses PIM to a tenant without P2.
      const blind = withData({
        permissions: data(contoso).permissions.filter((p) => p !== 'LicenseAssignment.Read.All'),
      });
      const sim = await simulate([blind]);
      const r = results((await collect(m365, sim, blind)).datasets);
      for (const id of PIM_IDS) {
        expect(r[id]?.outcome, id).toBe('unknown');
        expect(r[id]?.reason, id).toMatch(
          /^the tenant has no Microsoft Entra ID P2 licence, which Privileged Identity Management needs .*AadPremiumLicenseRequired/,
        );
      }
    });

    it('reads the settings with RoleManagement.Read.Directory or the narrower RoleManagementPolicy one', async () => {
      const without = (...drop: string[]) => data(contoso).permissions.filter((p) => !drop.includes(p));
      // Neither: the settings and the assignments are unknown, each naming what it needs.
      const none = withP2({ permissions: without('RoleManagement.Read.Directory') });
      const sim = await simulate([none]);
      const r = results((await collect(m365, sim, none)).datasets);
      for (const id of PIM_IDS.slice(2))
        expect(r[id], id).toMatchObject({
          outcome: 'unknown',
          missing:
            'the RoleManagementPolicy.Read.Directory (or RoleManagement.Read.Directory) application permission',
        });
      for (const id of PIM_IDS.slice(0, 2))
        expect(r[id], id).toMatchObject({
          outcome: 'unknown',
          missing: 'the RoleManagement.Read.Directory application permission',
        });
      // RoleManagementPolicy.Read.Directory alone reads the settings, not the assignments.
      const narrow = withP2({
        permissions: [...without('RoleManagement.Read.Directory'), 'RoleManagementPolicy.Read.Directory'],
      });
      const sim2 = await simulate([narrow]);
      const r2 = results((await collect(m365, sim2, narrow)).datasets);
      expect(r2['m365.pim.global_admin_approval']?.outcome).toBe('pass');
      expect(r2['m365.pim.no_permanent_active']?.outcome).toBe('unknown');
    });
  });

  it('signs in with a certificate: a signed client assertion, never the key', async () => {
    const withCert = withData({ certificate });
    const sim = await simulate([withCert]);
    const { datasets } = await collect(m365, sim, withCert, certificate);
    expect(datasets['m365:authorizationPolicy']?.ok).toBe(true);
    const other = withData({});
    const sim2 = await simulate([other]);
    // The tenant has no certificate registered: the sign-in fails with Entra's own words.
    await expect(collect(m365, sim2, other, certificate)).rejects.toMatchObject({
      kind: 'auth',
      message: expect.stringMatching(/^Microsoft Entra sign-in failed: AADSTS700027/),
    });
  });

  it('fails the poll in one line, secret redacted, when the client secret is wrong', async () => {
    const sim = await simulate([contoso]);
    const error = await collect(m365, sim, contoso, 'wrong-secret-123').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).kind).toBe('auth');
    expect((error as ConnectorError).message).toMatch(
      /AADSTS7000215: Invalid client secret provided.*\(invalid_client\)$/,
    );
    expect((error as ConnectorError).message).not.toContain('wrong-secret-123');
    expect(sim.log.filter((l) => l.path.startsWith('/v1.0/'))).toHaveLength(0);
  });

  it('waits out a 429 for the Retry-After Graph gives, then goes on', async () => {
    const sim = await simulate(
      [contoso],
      [{ kind: 'rateLimit', path: '/v1.0/domains', times: 1, resetSeconds: 3 }],
    );
    const { datasets, clock } = await collect(m365, sim, contoso);
    expect(datasets['m365:domains']?.ok).toBe(true);
    expect(clock.sleeps).toContain(3000);
  });

  it('reads Graph error bodies into one line', async () => {
    const sim = await simulate([contoso], [{ kind: 'status', status: 500, path: '/v1.0/domains' }]);
    await expect(collect(m365, sim, contoso)).rejects.toThrow(
      /^Microsoft Graph 500: An unexpected error occurred .* \(generalException\)$/,
    );
  });
});

describe('Microsoft 365 national clouds', () => {
  it('sends the secret only to the login host of the instance cloud', () => {
    expect(endpoints('https://graph.microsoft.com', undefined)).toEqual({
      login: 'https://login.microsoftonline.com',
      graph: 'https://graph.microsoft.com',
    });
    expect(endpoints('https://graph.microsoft.us', 'usgovhigh').login).toBe(
      'https://login.microsoftonline.us',
    );
    expect(endpoints('https://dod-graph.microsoft.us', 'dod').login).toBe('https://login.microsoftonline.us');
    expect(endpoints('https://microsoftgraph.chinacloudapi.cn', 'china').login).toBe(
      'https://login.chinacloudapi.cn',
    );
    // A URL that is not the cloud's Graph endpoint would receive the token: refused.
    expect(() => endpoints('https://graph.example.com', 'global')).toThrow(
      /must be the Microsoft Graph endpoint/,
    );
    expect(() => endpoints('https://graph.microsoft.com', 'usgovhigh')).toThrow(/usgovhigh/);
    expect(() => endpoints('https://graph.microsoft.com', 'mars')).toThrow(/cloud must be one of/);
  });
});
