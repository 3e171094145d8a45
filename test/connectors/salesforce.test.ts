import { describe, expect, it } from 'vitest';
import { ConnectorError, HttpClient } from '../../source/connectors/http.js';
import {
  API_VERSION,
  salesforce,
  salesforceVendor,
  SOQL,
  sfGap,
} from '../../source/connectors/salesforce/index.js';
import type { Datasets } from '../../source/domain/rules.js';
import { salesforceDemo, salesforceSim } from '../../source/simulator/salesforce.js';
import type { Simulator } from '../../source/simulator/server.js';
import type { DemoTenant } from '../../source/simulator/types.js';
import { VENDOR_SIMS } from '../../source/simulator/vendors.js';
import { fakeClock } from '../helpers/clock.js';
import { answering } from '../helpers/faults.js';
import { collect, evaluateApp, instanceFor, simulate, startSim, tenantCopy } from '../helpers/sim.js';

const [contoso, contosoDe] = salesforceDemo as [DemoTenant, DemoTenant];
const ALL = ['ApiEnabled', 'ViewSetup', 'TwoFactorApi'];
const DATA = `/services/data/${API_VERSION}`;

const resultsOf = (datasets: Datasets) => evaluateApp('salesforce', datasets);

const failure = (p: Promise<unknown>) => p.then(() => undefined).catch((e: unknown) => e as ConnectorError);
const apiCalls = (s: Simulator) => s.log.filter((r) => r.path.startsWith('/services/data/'));
const tokenCalls = (s: Simulator) => s.log.filter((r) => r.path === '/services/oauth2/token');
const soapCalls = (s: Simulator) => s.log.filter((r) => r.path.startsWith('/services/Soap/m/'));

/** A copy of a demo org with changes to its data. */
function org(patch: Record<string, unknown>, extra: Partial<DemoTenant> = {}, from = contoso): DemoTenant {
  const t = tenantCopy(from, extra);
  return { ...t, data: { ...t.data, ...patch } };
}
/** A copy of the demo org whose run-as user has these permissions (API names). */
const runAs = (...permissions: string[]) => org({ runAs: { language: 'en_US', permissions } });

describe('Salesforce connector against the simulator', () => {
  it('signs in with client credentials and evaluates the demo org to a mix of outcomes', async () => {
    const sim = await simulate([contoso]);
    const { datasets, requests } = await collect(salesforce, sim, contoso);
    const r = resultsOf(datasets);
    const outcomes = Object.fromEntries(Object.entries(r).map(([id, res]) => [id, res.outcome]));
    expect(outcomes).toEqual({
      'sf.healthcheck.score': 'fail',
      'sf.mfa.ui_login': 'unknown',
      'sf.mfa.registration_verify': 'fail',
      'sf.pwd.min_length': 'fail',
      'sf.pwd.complexity': 'pass',
      'sf.pwd.lockout': 'pass',
      'sf.pwd.history': 'pass',
      'sf.session.timeout': 'fail',
      'sf.session.force_logout': 'fail',
      'sf.session.ip_every_request': 'pass',
      'sf.session.httponly': 'pass',
      'sf.session.clickjack': 'partial',
      'sf.session.csrf': 'pass',
      'sf.session.lock_domain': 'pass',
      'sf.perm.modify_all': 'pass',
      // The rest of the Baseline Standard, read from the same Health Check rows.
      'sf.identity.mfa_required': 'pass',
      'sf.session.sms_identity': 'pass',
      'sf.eca.metadata_api': 'pass',
      'sf.files.hybrid_types': 'fail',
      'sf.certs.expired': 'fail',
      'sf.sharing.owd': 'pass',
      'sf.network.trusted_ips': 'pass',
      'sf.pwd.min_lifetime': 'fail',
      'sf.session.force_relogin': 'pass',
      'sf.session.terminate_on_reset': 'pass',
      'sf.session.browser_protections': 'partial',
      'sf.access.admin_login_as': 'fail',
      'sf.pwd.expiration': 'pass',
      'sf.pwd.secret_question': 'partial',
      'sf.session.ic_email_change': 'pass',
      'sf.integrations.remote_sites': 'pass',
      'sf.pwd.lockout_interval': 'pass',
      'sf.certs.strength': 'pass',
      'sf.guest.access': 'partial',
      'sf.session.redirects': 'pass',
      'sf.session.lock_ip': 'fail',
      'sf.users.name_visibility': 'pass',
      'sf.identity.saml': 'pass',
      'sf.admin.count': 'fail',
      'sf.users.custom_profiles': 'fail',
      'sf.oauth.admin_approved': 'partial',
      // No one holds "Is Single Sign-On Enabled"; the run-as user may not use the Metadata API.
      'sf.sso.users_sso_enabled': 'fail',
      'sf.sso.salesforce_login_disabled': 'unknown',
      'sf.profiles.login_ip_ranges': 'unknown',
    });
    expect(r['sf.session.clickjack']).toMatchObject({ count: 3, total: 4 });
    expect(r['sf.guest.access']).toMatchObject({ count: 2, total: 3 });
    // The demo run-as user lacks "Manage Multi-Factor Authentication in API": Salesforce hides the
    // object (INVALID_TYPE), so MFA is unknown naming the permission, never a fail.
    expect(r['sf.mfa.ui_login']).toMatchObject({
      missing: 'the Manage Multi-Factor Authentication in API user permission',
      reason: expect.stringMatching(
        /^Salesforce hides TwoFactorMethodsInfo from the run-as user: it needs the Manage Multi-Factor Authentication in API user permission \(Salesforce 400: sObject type 'TwoFactorMethodsInfo' is not supported\..*\(INVALID_TYPE\)\)$/,
      ),
    });
    expect(r['sf.healthcheck.score']?.evidence).toEqual([
      { item: 'Health Check', path: '/Score', value: '68' },
    ]);
    // One person holding Modify All Data through the profile and a permission set counts once; inactive users not at all.
    expect(datasets['salesforce:permissions/modify-all']).toMatchObject({
      ok: true,
      items: [{ activeUsers: 4 }],
    });

    // The client secret goes only to the token endpoint, as a form field; the API sees the access token.
    const [token] = tokenCalls(sim);
    expect(token?.method).toBe('POST');
    expect(token?.headers.authorization).toBeUndefined();
    const api = apiCalls(sim);
    // Two Metadata API calls (SecuritySettings, listMetadata of profiles), each refused once, never retried.
    expect(soapCalls(sim)).toHaveLength(2);
    expect(api.length).toBe(requests - 3);
    expect(api.every((c) => /^Bearer 00D\w+!AQ[\w-]+$/.test(String(c.headers.authorization)))).toBe(true);
    expect(JSON.stringify(sim.log)).not.toContain(contoso.token);
  });

  it('follows relative nextRecordsUrl batches until done, without resending the query', async () => {
    const sim = await simulate([contoso]);
    const { datasets } = await collect(salesforce, sim, contoso);
    const rows =
      (contoso.data.tooling as Record<string, { Setting: string }[]>).SecurityHealthCheckRisks ?? [];
    const risks = datasets['salesforce:healthcheck/risks'];
    expect(risks?.ok && risks.items.map((i) => (i as { Setting: string }).Setting)).toEqual(
      rows.map((r) => r.Setting),
    );
    const batches = apiCalls(sim).filter((c) => c.path.startsWith(`${DATA}/tooling/query`));
    // One Score query, then the risks in batches of 5.
    expect(batches.length).toBe(1 + Math.ceil(rows.length / 5));
    expect(rows.length).toBeGreaterThan(10);
    const follow = batches.slice(2);
    expect(follow.every((c) => /^\/services\/data\/v62\.0\/tooling\/query\/01g\w+-\d+$/.test(c.path))).toBe(
      true,
    );
    expect(follow.every((c) => c.query === '')).toBe(true);
    expect(follow.map((c) => Number(c.path.split('-').pop()))).toEqual(follow.map((_, i) => 5 * (i + 1)));
    // REST queries page the same way: 13 active standard users come in three batches.
    const users = apiCalls(sim).filter((c) => c.path.startsWith(`${DATA}/query`));
    expect(users.slice(0, 3).map((c) => c.path.replace(/01g\w+/, '01g…'))).toEqual([
      `${DATA}/query`,
      `${DATA}/query/01g…-5`,
      `${DATA}/query/01g…-10`,
    ]);
  });

  it('scores MFA by the share of active users with a verifier Salesforce accepts, failing users first by Id', async () => {
    const t = runAs(...ALL);
    const sim = await simulate([t]);
    const r = resultsOf((await collect(salesforce, sim, t)).datasets);
    // kendall.singh has only a U2F key registered before Summer '22 (HasU2F): that counts.
    expect(r['sf.mfa.ui_login']).toMatchObject({ outcome: 'partial', count: 9, total: 13 });
    // SMS and email verification (finley, morgan) and no row at all (logan, the integration user) do not.
    expect(r['sf.mfa.ui_login']?.failing).toEqual([
      { id: '005Cont0000006AAA', name: 'finley.rossi@contoso.com' },
      { id: '005Cont0000010AAA', name: 'logan.alvarez@contoso.com' },
      { id: '005Cont0000011AAA', name: 'morgan.becker@contoso.com' },
      { id: '005Cont0000012AAA', name: 'posture.integration@contoso.com' },
    ]);
    expect(r['sf.mfa.ui_login']?.evidence.slice(0, 4).map((e) => e.value)).toEqual([
      'false',
      'false',
      'false',
      'false',
    ]);
    const query = apiCalls(sim).find((c) => c.query.includes('TwoFactorMethodsInfo'))?.query ?? '';
    expect(new URLSearchParams(query).get('q')).toBe(
      'SELECT UserId, HasSalesforceAuthenticator, HasTotp, HasSecurityKey, HasU2F, HasBuiltInAuthenticator FROM TwoFactorMethodsInfo',
    );
  });

  it('makes Health Check and Modify All Data unknown, naming View Setup and Configuration, when the run-as user lacks it', async () => {
    const t = runAs('ApiEnabled', 'TwoFactorApi');
    const sim = await simulate([t]);
    const r = resultsOf((await collect(salesforce, sim, t)).datasets);
    for (const id of [
      'sf.healthcheck.score',
      'sf.pwd.min_length',
      'sf.session.clickjack',
      'sf.perm.modify_all',
    ]) {
      expect(r[id]?.outcome, id).toBe('unknown');
      expect(r[id]?.missing, id).toBe('the View Setup and Configuration user permission');
      expect(r[id]?.reason, id).toMatch(
        /^Salesforce hides (SecurityHealthCheck|SecurityHealthCheckRisks|PermissionSetAssignment) from the run-as user: .*\(Salesforce 400: sObject type '\w+' is not supported\..*\(INVALID_TYPE\)\)$/,
      );
    }
    // What the user may see is still judged.
    expect(r['sf.mfa.ui_login']?.outcome).toBe('partial');
  });

  it('judges each active person by the profile their profile-owned permission set names, leaving out guests and API-only users', async () => {
    const sim = await simulate([contosoDe]);
    const { datasets } = await collect(salesforce, sim, contosoDe);
    const r = resultsOf(datasets);
    // Lena and Jonas on the standard Systemadministrator profile, Mia on Standardbenutzer; four on a
    // custom profile. Karl is inactive; the integration user holds API Only User and is no person.
    expect(r['sf.users.custom_profiles']).toMatchObject({ outcome: 'partial', count: 4, total: 7 });
    expect(r['sf.users.custom_profiles']?.failing).toEqual([
      { id: '005CoDE0000001AAA', name: 'lena.schmidt@contoso.de (Systemadministrator)' },
      { id: '005CoDE0000002AAA', name: 'jonas.weber@contoso.de (Systemadministrator)' },
      { id: '005CoDE0000003AAA', name: 'mia.fischer@contoso.de (Standardbenutzer)' },
    ]);
    // The profile's name comes through two parents, serialised as Salesforce nests them.
    const query = apiCalls(sim).find((c) => c.query.includes('IsOwnedByProfile'))?.query ?? '';
    expect(new URLSearchParams(query).get('q')).toBe(SOQL.profiles);
    // Both connected apps of the German org let only admin-approved users in.
    expect(r['sf.oauth.admin_approved']).toMatchObject({ outcome: 'pass', count: 2, total: 2 });
  });

  it('fails each connected app that lets all users self-authorize, naming it, and passes an org with none', async () => {
    const sim = await simulate([contoso]);
    const r = resultsOf((await collect(salesforce, sim, contoso)).datasets);
    expect(r['sf.oauth.admin_approved']).toMatchObject({ outcome: 'partial', count: 2, total: 4 });
    expect(r['sf.oauth.admin_approved']?.failing).toEqual([
      { id: '0H4Cont0000002AAA', name: 'Marketing Sync' },
      { id: '0H4Cont0000003AAA', name: 'Data Loader Bulk' },
    ]);
    const objects = contoso.data.objects as Record<string, unknown[]>;
    const none = org({ objects: { ...objects, ConnectedApplication: [] } });
    const sim2 = await simulate([none]);
    const r2 = resultsOf((await collect(salesforce, sim2, none)).datasets);
    expect(r2['sf.oauth.admin_approved']?.outcome).toBe('pass');
  });

  it('makes profiles and connected apps unknown, naming View Setup and Configuration, never pass or fail, without it', async () => {
    const t = runAs('ApiEnabled', 'TwoFactorApi');
    const sim = await simulate([t]);
    const r = resultsOf((await collect(salesforce, sim, t)).datasets);
    for (const [id, object] of [
      ['sf.users.custom_profiles', 'PermissionSetAssignment'],
      ['sf.oauth.admin_approved', 'ConnectedApplication'],
    ] as const) {
      expect(r[id], id).toMatchObject({
        outcome: 'unknown',
        missing: 'the View Setup and Configuration user permission',
        reason: expect.stringContaining(`Salesforce hides ${object} from the run-as user`),
      });
    }
  });

  it('makes every dataset unknown, naming API Enabled, when the run-as user may not use the API', async () => {
    const t = runAs('ViewSetup', 'TwoFactorApi');
    const sim = await simulate([t]);
    const { datasets } = await collect(salesforce, sim, t);
    for (const [id, ds] of Object.entries(datasets))
      expect(ds, id).toMatchObject({
        ok: false,
        missing: 'the API Enabled user permission',
        // REST answers 403; the Metadata API answers every fault as a 500.
        reason: expect.stringMatching(
          /^Salesforce refuses API calls from the run-as user \(Salesforce (403|500): API is disabled for this User \(API_CURRENTLY_DISABLED\)\)$/,
        ),
      });
  });

  it('names the dataset right on a 403 INSUFFICIENT_ACCESS', async () => {
    const t = tenantCopy(contoso, { forbidden: ['/tooling'] });
    const sim = await simulate([t]);
    const r = resultsOf((await collect(salesforce, sim, t)).datasets);
    expect(r['sf.healthcheck.score']).toMatchObject({
      outcome: 'unknown',
      missing: salesforce.rights['salesforce:healthcheck/score'],
      reason: expect.stringMatching(/^the run-as user may not read this: .*\(INSUFFICIENT_ACCESS\)\)$/),
    });
  });

  it("judges a German run-as user's Health Check by DurableId, exactly as an English one", async () => {
    const de = contosoDe;
    // The same settings with English labels: the verdicts must not move.
    const rows = (de.data.tooling as { SecurityHealthCheckRisks: Record<string, unknown>[] })
      .SecurityHealthCheckRisks;
    const english = org(
      {
        runAs: { language: 'en_US', permissions: [...ALL, 'ModifyMetadata'] },
        tooling: {
          ...(de.data.tooling as object),
          SecurityHealthCheckRisks: rows.map((r) => ({
            ...r,
            Setting: `English label of ${String(r.DurableId)}`,
          })),
        },
      },
      { id: 'salesforce-contoso-en' },
      de,
    );
    const sim = await simulate([de, english]);
    const german = resultsOf((await collect(salesforce, sim, de)).datasets);
    const same = resultsOf((await collect(salesforce, sim, english)).datasets);
    const outcomes = (r: typeof german) =>
      Object.fromEntries(Object.entries(r).map(([id, res]) => [id, res.outcome]));
    expect(outcomes(german)).toEqual(outcomes(same));
    expect(outcomes(german)).toMatchObject({
      'sf.pwd.min_length': 'pass',
      'sf.session.timeout': 'pass',
      'sf.session.csrf': 'partial',
      'sf.mfa.registration_verify': 'fail',
      'sf.mfa.ui_login': 'partial',
    });
    expect(german['sf.session.csrf']?.failing).toEqual([
      {
        id: 'SessionSettings.csrfPost',
        name: 'CSRF-Schutz für POST-Anforderungen auf Nicht-Setup-Seiten aktivieren',
      },
    ]);
    // Users registered with each kind of verifier count; SMS/email only, a temporary code, or nothing do not.
    expect(german['sf.mfa.ui_login']).toMatchObject({ count: 5, total: 8 });
    expect(german['sf.mfa.ui_login']?.failing?.map((f) => f.name)).toEqual([
      'paul.hoffmann@contoso.de',
      'hannah.koch@contoso.de',
      'posture.integration@contoso.de',
    ]);
  });

  it('ends at the token endpoint with one clear message when the client secret is wrong', async () => {
    const sim = await simulate([contoso]);
    const err = await failure(collect(salesforce, sim, contoso, 'wrong-secret-98765'));
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err?.message).toBe('Salesforce sign-in failed: invalid client credentials (invalid_client)');
    expect(err?.kind).toBe('auth');
    // Reworded, the error still carries the OAuth error as its code.
    expect(err).toMatchObject({ code: 'invalid_client', vendorMessage: 'invalid client credentials' });
    expect(sim.log.length).toBe(1);
  });

  it('asks for the clientId option before sending anything', async () => {
    const sim = await simulate([contoso]);
    const clock = fakeClock();
    const err = await failure(
      salesforce.collect({
        instance: instanceFor(sim, contoso, { options: {} }),
        secret: contoso.token,
        clock,
        deadline: clock.now() + 60_000,
      }),
    );
    expect(err?.kind).toBe('auth');
    expect(err?.message).toMatch(/needs the clientId option/);
    expect(sim.log.length).toBe(0);
  });

  it('refreshes an expired session once and carries on', async () => {
    const sim = await simulate(
      [contoso],
      [{ kind: 'status', status: 401, tenant: contoso.id, path: '/services/data/', times: 1 }],
    );
    const { datasets } = await collect(salesforce, sim, contoso);
    expect(datasets['salesforce:healthcheck/score']).toMatchObject({ ok: true, items: [{ Score: 68 }] });
    expect(tokenCalls(sim).length).toBe(2);
    // The retried request carries the new token, not the expired one.
    const [first, second] = apiCalls(sim);
    expect(second?.headers.authorization).not.toBe(first?.headers.authorization);
  });

  it('gives up with a clear error when the session is still refused after a refresh', async () => {
    const sim = await simulate(
      [contoso],
      [{ kind: 'status', status: 401, tenant: contoso.id, path: '/services/data/' }],
    );
    const err = await failure(collect(salesforce, sim, contoso));
    expect(err?.message).toBe('Salesforce 401: Session expired or invalid (INVALID_SESSION_ID)');
    expect(err?.kind).toBe('auth');
    expect(tokenCalls(sim).length).toBe(2);
    expect(apiCalls(sim).length).toBe(2);
  });

  it('treats the 403 REQUEST_LIMIT_EXCEEDED as a rate limit and ends the poll rather than waiting a day', async () => {
    const sim = await simulate(
      [contoso],
      [{ kind: 'rateLimit', tenant: contoso.id, path: '/services/data/' }],
    );
    const { promise, clock } = (() => {
      const clock = fakeClock(Date.parse('2026-11-02T22:15:00Z'));
      const promise = salesforce.collect({
        instance: instanceFor(sim, contoso),
        secret: contoso.token,
        clock,
        deadline: clock.now() + 120_000,
      });
      return { promise, clock };
    })();
    const err = await failure(promise);
    expect(err?.kind).toBe('rate_limited');
    // No Retry-After from Salesforce: wait for the next UTC midnight, at least an hour.
    expect(err?.message).toBe('rate limited by Salesforce until 2026-11-03T00:00:00.000Z');
    expect(clock.sleeps).toEqual([]);
    expect(apiCalls(sim).length).toBe(1);
  });

  it('is rate limited by the org itself once its daily requests are spent', async () => {
    const t = org({ apiLimit: 15000, apiUsed: 15000 });
    const sim = await simulate([t]);
    const err = await failure(collect(salesforce, sim, t));
    expect(err?.kind).toBe('rate_limited');
    expect(err?.message).toMatch(/^rate limited by Salesforce until \d{4}-\d\d-\d\dT/);
    expect(apiCalls(sim).length).toBe(1);
  });

  it('stops before using the last 10% of the org daily API requests', async () => {
    const t = org({ apiLimit: 15000, apiUsed: 13600 });
    const sim = await simulate([t]);
    const err = await failure(collect(salesforce, sim, t));
    expect(err?.kind).toBe('rate_limited');
    expect(err?.message).toMatch(/has used 13601 of its 15000 daily API requests/);
    expect(apiCalls(sim).length).toBe(1);
  });

  it('rejects a query result that does not have the documented shape', async () => {
    const sim = await simulate(
      [contoso],
      [{ kind: 'wrongTypes', tenant: contoso.id, path: '/tooling/query' }],
    );
    const err = await failure(collect(salesforce, sim, contoso));
    expect(err?.kind).toBe('malformed');
    expect(err?.message).toMatch(/^unexpected response for the Health Check score/);
  });

  it('rejects a cut-off body', async () => {
    const sim = await simulate([contoso], [{ kind: 'truncate', tenant: contoso.id, path: '/tooling/query' }]);
    const err = await failure(collect(salesforce, sim, contoso));
    expect(err?.message).toBe(
      `Salesforce returned malformed or truncated JSON (/${contoso.id}${DATA}/tooling/query)`,
    );
  });

  it('retries a 500 a bounded number of times, then fails with the Salesforce message', async () => {
    const sim = await simulate(
      [contoso],
      [{ kind: 'status', status: 500, tenant: contoso.id, path: '/services/data/' }],
    );
    const { promise, clock } = (() => {
      const clock = fakeClock();
      return {
        clock,
        promise: salesforce.collect({
          instance: instanceFor(sim, contoso),
          secret: contoso.token,
          clock,
          deadline: clock.now() + 120_000,
        }),
      };
    })();
    const err = await failure(promise);
    expect(err?.kind).toBe('http');
    expect(err?.message).toMatch(/^Salesforce 500: An unexpected error occurred\. .*\(UNKNOWN_EXCEPTION\)$/);
    expect(apiCalls(sim).length).toBe(3);
    expect(clock.sleeps.length).toBe(2);
  });

  it('refuses to send the token to an instance_url on another host', async () => {
    const vendor = {
      ...salesforceSim,
      handle: (req: Parameters<typeof salesforceSim.handle>[0]) => {
        const reply = salesforceSim.handle(req);
        if (req.path !== '/services/oauth2/token') return reply;
        return { ...reply, body: { ...(reply.body as object), instance_url: 'https://evil.example.com' } };
      },
    };
    const sim = await startSim({ tenants: [contoso], vendors: { salesforce: vendor } });
    const err = await failure(collect(salesforce, sim, contoso));
    expect(err?.kind).toBe('auth');
    expect(err?.message).toMatch(
      /^Salesforce sent instance_url https:\/\/evil\.example\.com, which is not the configured My Domain/,
    );
    expect(sim.log.length).toBe(1);
  });
});

describe('Salesforce Metadata API (SOAP)', () => {
  const METADATA = salesforce.rights['salesforce:metadata/security-settings'];

  it('makes SSO enforcement and login IP ranges unknown for a least-privilege user, naming Modify Metadata, never pass or fail', async () => {
    const t = runAs(...ALL);
    const sim = await simulate([t]);
    const r = resultsOf((await collect(salesforce, sim, t)).datasets);
    for (const id of ['sf.sso.salesforce_login_disabled', 'sf.profiles.login_ip_ranges'])
      expect(r[id], id).toMatchObject({
        outcome: 'unknown',
        missing: METADATA,
        reason: expect.stringMatching(
          /^Salesforce refused the run-as user: use of the Metadata API requires a user with the ModifyAllData or ModifyMetadata permission; it needs the Modify Metadata Through Metadata API Functions user permission .*\(INSUFFICIENT_ACCESS\)\)$/,
        ),
      });
    expect(METADATA).toMatch(
      /^the Modify Metadata Through Metadata API Functions user permission \(or Modify All Data\)/,
    );
    // The fault is an answer, not an outage: one call each, no retries.
    expect(soapCalls(sim)).toHaveLength(2);
  });

  it('reads SSO enforcement and every profile, ten per readMetadata, for a user with Modify Metadata or Modify All Data', async () => {
    const profiles = Array.from({ length: 12 }, (_, i) => ({
      fullName: i === 0 ? 'Admin' : `Custom%3A Team ${i}`,
      custom: i > 0,
      loginIpRanges:
        i === 0
          ? [{ startAddress: '0.0.0.0', endAddress: '255.255.255.255' }]
          : [{ startAddress: `198.51.100.${i}`, endAddress: `198.51.100.${i}`, description: 'office' }],
    }));
    for (const perm of ['ModifyMetadata', 'ModifyAllData']) {
      const t = org({
        runAs: { language: 'en_US', permissions: ['ApiEnabled', 'ViewSetup', perm] },
        metadata: {
          SecuritySettings: { singleSignOnSettings: { isLoginWithSalesforceCredentialsDisabled: false } },
          Profile: profiles,
        },
      });
      const sim = await simulate([t]);
      const r = resultsOf((await collect(salesforce, sim, t)).datasets);
      expect(r['sf.sso.salesforce_login_disabled'], perm).toMatchObject({ outcome: 'fail' });
      expect(r['sf.profiles.login_ip_ranges'], perm).toMatchObject({
        outcome: 'partial',
        count: 11,
        total: 12,
      });
      expect(r['sf.profiles.login_ip_ranges']?.failing).toEqual([{ id: 'Admin', name: 'Admin' }]);
      // SecuritySettings, listMetadata, then readMetadata of 10 and of 2 profiles (the simulator,
      // as Salesforce, refuses more than 10 names in one call).
      const calls = soapCalls(sim);
      expect(calls).toHaveLength(4);
      // Signed with the session in the SOAP header; the client secret never leaves the token call.
      expect(calls.every((c) => c.method === 'POST' && c.headers.soapaction === '""')).toBe(true);
      expect(JSON.stringify(calls)).not.toContain(t.token);
    }
  });

  it('judges the German demo org: SSO enforced, a profile open to the whole internet, one role with SSO', async () => {
    const sim = await simulate([contosoDe]);
    const r = resultsOf((await collect(salesforce, sim, contosoDe)).datasets);
    expect(r['sf.sso.salesforce_login_disabled']).toMatchObject({ outcome: 'pass' });
    expect(r['sf.profiles.login_ip_ranges']).toMatchObject({ outcome: 'partial', count: 2, total: 3 });
    expect(r['sf.sso.users_sso_enabled']?.outcome).toBe('partial');
    const query = apiCalls(sim).find((c) => c.query.includes('PermissionsIsSsoEnabled'))?.query ?? '';
    expect(new URLSearchParams(query).get('q')).toBe(SOQL.sso);
  });

  it('answers a request without SOAPAction, or with a stale session, with the SOAP fault Salesforce sends', async () => {
    const t = tenantCopy(contosoDe);
    const sim = await startSim({ tenants: [t], vendors: VENDOR_SIMS });
    {
      const url = `${sim.baseUrl(t.id)}/services/Soap/m/62.0`;
      const post = (headers: Record<string, string>) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'text/xml', ...headers },
          body: '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><SessionHeader><sessionId>00Dx!AQstale</sessionId></SessionHeader></soapenv:Header><soapenv:Body><readMetadata><type>Profile</type><fullNames>Admin</fullNames></readMetadata></soapenv:Body></soapenv:Envelope>',
        });
      const noAction = await post({});
      expect(noAction.status).toBe(500);
      expect(await noAction.text()).toContain('<faultstring>No SOAPAction header!</faultstring>');
      const stale = await post({ soapaction: '""' });
      expect(stale.status).toBe(500);
      expect(salesforceVendor.readError(await stale.text())).toMatchObject({ code: 'INVALID_SESSION_ID' });
    }
  });
});

describe('Salesforce errors that leave a dataset unreadable', () => {
  /** The error the client makes of a Salesforce error body `[{message, errorCode}]`. */
  const err = (status: number, message: string, code: string, kind: 'forbidden' | 'http' = 'http') =>
    new ConnectorError(`Salesforce ${status}: ${message} (${code})`, kind, status, {
      code,
      vendorMessage: message,
    });

  it('names what is missing for each documented refusal, and fails the poll on anything else', () => {
    expect(
      sfGap(
        err(403, 'The REST API is not enabled for this Organization.', 'API_DISABLED_FOR_ORG', 'forbidden'),
        'x',
      ),
    ).toEqual({
      reason: "the org's Salesforce edition does not include API access",
      missing: 'API access for the org (an edition or add-on that includes the API)',
    });
    expect(
      sfGap(err(400, "sObject type 'Foo' is not supported. If you are … names.", 'INVALID_TYPE'), 'x'),
    ).toBe('the org does not have Foo');
    expect(
      sfGap(err(400, "No such column 'HasU2F' on entity 'TwoFactorMethodsInfo'. …", 'INVALID_FIELD'), 'x'),
    ).toMatch(/^Salesforce refused a field of the query: field-level security/);
    expect(sfGap(err(400, 'unexpected token: FROM', 'MALFORMED_QUERY'), 'x')).toBeUndefined();
  });

  it('decides on the error code, never on text that merely ends like one', () => {
    // A message of the vendor's (or a name it echoes) that ends in "(INVALID_TYPE)", with no code.
    const echoed = new ConnectorError(
      "Salesforce 400: sObject type 'Foo' is not supported (INVALID_TYPE)",
      'http',
      400,
      {
        vendorMessage: "sObject type 'Foo' is not supported (INVALID_TYPE)",
      },
    );
    expect(sfGap(echoed, 'x')).toBeUndefined();
    // The object is named by the vendor's message, not by the line around it.
    const named = new ConnectorError("Salesforce 400: sObject type 'Bar' is not supported", 'http', 400, {
      code: 'INVALID_TYPE',
      vendorMessage: "sObject type 'Foo' is not supported.",
    });
    expect(sfGap(named, 'x')).toBe('the org does not have Foo');
  });
});

describe('Salesforce error codes as data', () => {
  const mfaQuery = (req: { path: string; query: URLSearchParams }) =>
    req.path.endsWith('/query') && (req.query.get('q') ?? '').includes('FROM TwoFactorMethodsInfo');

  it("arrive on the client's error from the body's errorCode", async () => {
    const sim = await simulate([contoso]);
    const token = (await (
      await fetch(`${sim.baseUrl(contoso.id)}/services/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: String(contoso.options?.clientId),
          client_secret: contoso.token,
        }),
      })
    ).json()) as { access_token: string; instance_url: string };
    const client = new HttpClient({
      baseUrl: token.instance_url,
      vendor: salesforceVendor,
      auth: () => ({ authorization: `Bearer ${token.access_token}` }),
      secrets: () => [token.access_token],
    });
    // The demo's run-as user lacks the MFA API permission: Salesforce hides the object.
    const err = await failure(client.get(`${DATA}/query`, { q: SOQL.mfa }));
    expect(err).toMatchObject({
      kind: 'http',
      status: 400,
      code: 'INVALID_TYPE',
      vendorMessage: expect.stringContaining("sObject type 'TwoFactorMethodsInfo' is not supported."),
    });
    expect(err?.vendorMessage).not.toContain('(INVALID_TYPE)');
  });

  it('fails the poll on a 400 whose message only ends in "(INVALID_TYPE)"', async () => {
    // Without an errorCode, Salesforce has not said INVALID_TYPE: this is no hidden object.
    const body = [
      { message: "No policy named sObject type 'TwoFactorMethodsInfo' is not supported (INVALID_TYPE)" },
    ];
    const sim = await startSim({
      tenants: [contoso],
      vendors: VENDOR_SIMS,
      intercept: answering(mfaQuery, { status: 400, body }),
    });
    const err = await failure(collect(salesforce, sim, contoso));
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err?.code).toBeUndefined();
    expect(err?.message).toBe(`Salesforce 400: ${body[0]!.message}`);
  });

  it('still reads the hidden object from the same answer with its errorCode', async () => {
    const body = [
      { message: "sObject type 'TwoFactorMethodsInfo' is not supported.", errorCode: 'INVALID_TYPE' },
    ];
    const sim = await startSim({
      tenants: [contoso],
      vendors: VENDOR_SIMS,
      intercept: answering(mfaQuery, { status: 400, body }),
    });
    const r = resultsOf((await collect(salesforce, sim, contoso)).datasets);
    expect(r['sf.mfa.ui_login']).toMatchObject({
      outcome: 'unknown',
      missing: 'the Manage Multi-Factor Authentication in API user permission',
    });
  });
});

describe('Salesforce rate-limit signal', () => {
  const res = (status: number, body: unknown) => ({
    status,
    headers: {},
    body,
    url: 'https://x.my.salesforce.com/',
  });
  const now = Date.parse('2026-11-02T23:30:00Z');

  it('waits at least an hour for the daily limit, seconds for the concurrency limit, not at all for a plain 403', () => {
    const daily = [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }];
    const concurrent = [
      { message: 'ConcurrentPerOrgLongTxn Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
    ];
    const denied = [
      { message: 'insufficient access rights on cross-reference id', errorCode: 'INSUFFICIENT_ACCESS' },
    ];
    // 30 minutes to midnight is too soon: an hour at least.
    expect(salesforceVendor.rateLimitWait(res(403, daily), now)).toBe(3_600_000);
    expect(salesforceVendor.rateLimitWait(res(403, daily), Date.parse('2026-11-02T10:00:00Z'))).toBe(
      14 * 3_600_000,
    );
    expect(salesforceVendor.rateLimitWait(res(403, concurrent), now)).toBe(5_000);
    expect(salesforceVendor.rateLimitWait(res(403, denied), now)).toBeUndefined();
    expect(salesforceVendor.rateLimitWait(res(500, daily), now)).toBeUndefined();
  });
});

describe('Salesforce simulator', () => {
  async function signIn(s: Simulator, t = contoso): Promise<{ access: string; base: string }> {
    const res = await fetch(`${s.baseUrl(t.id)}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: String(t.options?.clientId),
        client_secret: t.token,
      }),
    });
    const body = (await res.json()) as { access_token: string; instance_url: string };
    return { access: body.access_token, base: body.instance_url };
  }

  it('answers in Salesforce error arrays with Sforce-Limit-Info on every response', async () => {
    const sim = await simulate([contoso]);
    const { access, base } = await signIn(sim);
    expect(base).toBe(sim.baseUrl(contoso.id));
    const get = (q: string, token = access) =>
      fetch(`${base}${DATA}/query?q=${encodeURIComponent(q)}`, {
        headers: { authorization: `Bearer ${token}` },
      });

    const bad = await get('SELECT Nickname FROM User');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/15000$/);
    expect(await bad.json()).toEqual([
      {
        message: expect.stringMatching(/^No such column 'Nickname' on entity 'User'/),
        errorCode: 'INVALID_FIELD',
      },
    ]);

    const tooling = await get('SELECT Score FROM SecurityHealthCheck');
    expect(tooling.status).toBe(400);
    expect(((await tooling.json()) as { errorCode: string }[])[0]?.errorCode).toBe('INVALID_TYPE');

    const expired = await get('SELECT Id FROM User', 'stale');
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual([
      { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
    ]);

    const ok = await get("SELECT Id, Username FROM User WHERE IsActive = false AND UserType = 'Standard'");
    expect(ok.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/15000$/);
    expect(await ok.json()).toEqual({
      totalSize: 1,
      done: true,
      records: [
        {
          attributes: { type: 'User', url: `${DATA}/sobjects/User/005Cont0000013AAA` },
          Id: '005Cont0000013AAA',
          Username: 'quinn.halvorsen@contoso.com',
        },
      ],
    });
  });

  it('answers the token endpoint in the OAuth error form', async () => {
    const sim = await simulate([contoso]);
    const res = await fetch(`${sim.baseUrl(contoso.id)}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'nope', client_secret: 'x' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_client_id',
      error_description: 'client identifier invalid',
    });
  });

  it('knows the TwoFactorMethodsInfo fields of v62.0 and refuses any other with INVALID_FIELD', async () => {
    const t = runAs(...ALL);
    const sim = await simulate([t]);
    const { access, base } = await signIn(sim, t);
    const get = (q: string, version = 'v62.0') =>
      fetch(`${base}/services/data/${version}/query?q=${encodeURIComponent(q)}`, {
        headers: { authorization: `Bearer ${access}` },
      });
    const all =
      'SELECT ExternalId, HasBuiltInAuthenticator, HasSalesforceAuthenticator, HasSecurityKey, HasTempCode, HasTotp, HasU2F, HasUserVerifiedEmailAddress, HasUserVerifiedMobileNumber, HasVerifiedMobileNumber, UserId FROM TwoFactorMethodsInfo';
    expect((await get(all)).status).toBe(200);
    const bad = await get('SELECT UserId, HasWebAuthn FROM TwoFactorMethodsInfo');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual([
      {
        message: expect.stringMatching(/^No such column 'HasWebAuthn' on entity 'TwoFactorMethodsInfo'\. /),
        errorCode: 'INVALID_FIELD',
      },
    ]);
    // HasBuiltInAuthenticator "is available in API version 53.0 and later".
    expect((await get('SELECT HasBuiltInAuthenticator FROM TwoFactorMethodsInfo', 'v52.0')).status).toBe(400);
    expect((await get('SELECT HasBuiltInAuthenticator FROM TwoFactorMethodsInfo', 'v53.0')).status).toBe(200);
  });

  it('serialises a child-to-parent path as nested records with their attributes, and checks every step', async () => {
    const sim = await simulate([contosoDe]);
    const { access, base } = await signIn(sim, contosoDe);
    const get = (q: string, version = 'v62.0') =>
      fetch(`${base}/services/data/${version}/query?q=${encodeURIComponent(q)}`, {
        headers: { authorization: `Bearer ${access}` },
      });
    const ok = await get(
      "SELECT AssigneeId, PermissionSet.IsCustom, PermissionSet.Profile.Name FROM PermissionSetAssignment WHERE Assignee.Username = 'lena.schmidt@contoso.de' AND PermissionSet.IsOwnedByProfile = true",
    );
    expect(await ok.json()).toEqual({
      totalSize: 1,
      done: true,
      records: [
        {
          attributes: { type: 'PermissionSetAssignment', url: expect.any(String) },
          AssigneeId: '005CoDE0000001AAA',
          PermissionSet: {
            attributes: {
              type: 'PermissionSet',
              url: `${DATA}/sobjects/PermissionSet/0PSCoDE00000AdmAAA`,
            },
            IsCustom: false,
            Profile: {
              attributes: { type: 'Profile', url: `${DATA}/sobjects/Profile/00eCoDE000000AdmAAA` },
              Name: 'Systemadministrator',
            },
          },
        },
      ],
    });
    const bad = await get('SELECT PermissionSet.Profile.Nickname FROM PermissionSetAssignment');
    expect(await bad.json()).toEqual([
      {
        message: expect.stringMatching(/^No such column 'Nickname' on entity 'Profile'\. /),
        errorCode: 'INVALID_FIELD',
      },
    ]);
    const badRel = await get('SELECT PermissionSet.Owner.Name FROM PermissionSetAssignment');
    expect(((await badRel.json()) as { message: string }[])[0]?.message).toMatch(
      /^Didn't understand relationship 'Owner' in field path\./,
    );
    // PermissionSet.IsCustom "is available in API version 39.0 and later".
    expect((await get('SELECT IsCustom FROM PermissionSet', 'v38.0')).status).toBe(400);
  });
});
