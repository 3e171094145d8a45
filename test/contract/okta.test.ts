import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import spec from '../fixtures/okta/management-api.json' with { type: 'json' };
import { okta } from '../../source/connectors/okta/index.js';
import {
  requiresPhishingResistance,
  requiresTwoFactors,
  usesNetworkZone,
} from '../../source/connectors/okta/fields.js';
import type { Datasets, Gap } from '../../source/domain/rules.js';
import type { Instance } from '../../source/domain/schemas.js';
import { disposeWhenDone } from '../helpers/cleanup.js';
import { fakeClock } from '../helpers/clock.js';
import { evaluateApp } from '../helpers/sim.js';

/**
 * The Okta connector against Okta's own published description of its Management API
 * (okta/okta-management-openapi-spec; see test/fixtures/okta/README.md): a loopback server answers
 * each operation the connector calls with that operation's named example, and every request is
 * checked against the operation's declared path, query parameters and required headers.
 */

type OperationId = keyof typeof spec.operations;
type Operation = (typeof spec.operations)[OperationId];
const operations = Object.entries(spec.operations) as [OperationId, Operation][];
const ops = spec.operations;
const examples = spec.ruleExamples;

// The declared path as a pattern: each `{parameter}` is one path segment.
const pattern = (op: Operation) => new RegExp(`^${op.path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
const operationOf = (method: string, path: string) =>
  operations.find(([, op]) => op.method === method && pattern(op).test(path));

// Okta's app examples name no Admin Console ("saasure") or Dashboard ("okta_enduser") app and
// link no access policy; its three ResponseExample2 apps stand in for them and for one other app,
// renamed and linked to an access policy, as the only adaptation.
const ADMIN_POLICY = 'rstAdminConsole';
const DASHBOARD_POLICY = 'rstDashboard';
const APPS_POLICY = 'rstApps';
const linked = (app: (typeof appExamples)[number], name: string, policy: string) => ({
  ...app,
  name,
  _links: { ...app._links, accessPolicy: { href: `https://{yourOktaDomain}/api/v1/policies/${policy}` } },
});
const appExamples = ops.listApplications.examples.ResponseExample2;
const adminConsoleApp = linked(appExamples[0]!, 'saasure', ADMIN_POLICY);
const dashboardApp = linked(appExamples[1]!, 'okta_enduser', DASHBOARD_POLICY);
const otherApp = linked(appExamples[2]!, appExamples[2]!.name, APPS_POLICY);
const catchAll = ops.listPolicyRules.examples.access[0]!;

/** What the loopback server answers for a declared operation, by its example. */
function answer(id: OperationId, url: URL): unknown {
  const e = ops;
  switch (id) {
    case 'listPolicies': {
      const type = url.searchParams.get('type');
      if (type === 'PASSWORD') return e.listPolicies.examples.password;
      if (type === 'OKTA_SIGN_ON') return e.listPolicies.examples['okta-sign-on-policy'];
      return [];
    }
    case 'getPolicy':
      return e.getPolicy.examples['access-policy'];
    case 'listPolicyRules':
      // The sign-on policy example's rules, with Okta's DENY rule example; the access policies get
      // the access-policy rule examples, each with the example Catch-all rule.
      if (url.pathname.includes(ADMIN_POLICY))
        return [
          catchAll,
          examples['twofa-enabled-disallow-password-allow-phishing-response'],
          examples['twofa-enabled-post-auth-kmsi-enabled-response'],
        ];
      if (url.pathname.includes(DASHBOARD_POLICY))
        return [examples['device-condition-with-oamp-response'], catchAll];
      if (url.pathname.includes(APPS_POLICY))
        return [examples['create-auth-policy-rule-condition-response'], catchAll];
      return [...e.listPolicyRules.examples['okta-sign-on'], examples['deny-rule-response']];
    case 'listApplications': {
      const filter = url.searchParams.get('filter');
      if (filter === 'name eq "saasure"') return [adminConsoleApp];
      if (filter === 'name eq "okta_enduser"') return [dashboardApp];
      return filter ? [] : [adminConsoleApp, dashboardApp, otherApp];
    }
    case 'listNetworkZones':
      return e.listNetworkZones.examples.RetrieveAllZones;
    case 'listAuthenticators':
      return e.listAuthenticators.examples.OrgAuthenticatorsEx;
    case 'listUsersWithRoleAssignments': {
      // The example's `_links.next` points at Okta's example host, which the client refuses to
      // follow (another origin): served as the last page.
      const { _links: _next, ...page } = e.listUsersWithRoleAssignments.examples['User List'];
      return page;
    }
    default: {
      const op: Operation = e[id];
      return Object.values(op.examples)[0];
    }
  }
}

interface Seen {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
}

/** A loopback server speaking Okta's examples; `deny` answers one operation with Okta's 403 example. */
async function oktaExamples(deny?: OperationId) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    seen.push({ method: req.method ?? '', url, headers: req.headers });
    const found = operationOf(req.method ?? '', url.pathname);
    const [status, body] = !found
      ? [404, { errorCode: 'E0000007', errorSummary: 'Not found: Resource not found' }]
      : found[0] === deny
        ? [403, spec.errors.accessDenied]
        : [200, answer(found[0], url)];
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  disposeWhenDone(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { seen, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function collect(baseUrl: string, auth: 'ssws' | 'bearer') {
  const instance: Instance = {
    id: 'okta-contract',
    app: 'okta',
    name: 'Okta examples',
    baseUrl,
    credential: { kind: 'env', variable: 'POSTURE_OKTA_CONTRACT_TOKEN' },
    options: { auth },
    recommendations: true,
    pollIntervalMinutes: 60,
    createdAt: '2026-11-01T00:00:00.000Z',
  };
  const clock = fakeClock();
  const { datasets } = await okta.collect({
    instance,
    secret: 'example-token',
    clock,
    deadline: clock.now() + 60_000,
  });
  return datasets;
}

describe('Okta connector against Okta OpenAPI examples', () => {
  for (const auth of ['ssws', 'bearer'] as const)
    it(`makes only declared operations, with declared query parameters and Okta's headers (${auth})`, async () => {
      const server = await oktaExamples();
      const datasets = await collect(server.baseUrl, auth);
      for (const [key, ds] of Object.entries(datasets)) expect(ds.ok, key).toBe(true);
      const called = new Set<OperationId>();
      for (const r of server.seen) {
        const found = operationOf(r.method, r.url.pathname);
        expect(found, `${r.method} ${r.url.pathname}`).toBeDefined();
        const [id, op] = found!;
        called.add(id);
        const query = [...r.url.searchParams.keys()];
        expect(op.queryParameters, `${id} ${r.url.search}`).toEqual(expect.arrayContaining(query));
        expect(query, id).toEqual(expect.arrayContaining(op.requiredQueryParameters));
        expect(r.headers.authorization).toBe(`${auth === 'ssws' ? 'SSWS' : 'Bearer'} example-token`);
        expect(r.headers.accept).toBe('application/json');
      }
      // The description's apiToken scheme is `SSWS {API Token}`, its oauth2 scheme `Bearer {access_token}`.
      expect(spec.securitySchemes.apiToken).toContain('Authorization: SSWS');
      expect(spec.securitySchemes.oauth2).toContain('Authorization: Bearer');
      expect([...called].sort()).toEqual(operations.map(([id]) => id).sort());
    });

  it('names, for each operation refused to an OAuth token, the scope the description requires for it', async () => {
    for (const [id, op] of operations) {
      const server = await oktaExamples(id);
      const datasets: Datasets = await collect(server.baseUrl, 'bearer');
      const refused = Object.entries(datasets).filter(([, ds]) => !ds.ok);
      // A user's own fields (getUser, listFactors) are unseen on its item, the list still read.
      const unseen = Object.entries(datasets).flatMap(([key, ds]) =>
        ds.ok
          ? ds.items.flatMap((item) =>
              Object.values((item as { _unseenFields?: Record<string, Gap> })._unseenFields ?? {}).map(
                (gap) => [key, gap.missing] as const,
              ),
            )
          : [],
      );
      expect(refused.length + unseen.length, id).toBeGreaterThan(0);
      for (const [key, ds] of refused)
        expect(!ds.ok && ds.missing, `${id} -> ${key}`).toBe(`the ${op.scopes[0]} scope`);
      for (const [key, missing] of unseen)
        expect(missing, `${id} -> ${key}`).toBe(`the ${op.scopes[0]} scope`);
      // A 403 is for that request only: every dataset that does not need the operation was read.
      const readable = Object.entries(datasets).filter(([, ds]) => ds.ok).length;
      expect(readable + refused.length).toBe(Object.keys(datasets).length);
      expect(refused.length, id).toBeLessThan(Object.keys(datasets).length);
    }
  });

  it("judges Okta's own examples by what their values mean", async () => {
    const server = await oktaExamples();
    const r = evaluateApp('okta', await collect(server.baseUrl, 'ssws'));
    const value = (id: string, path: string) => r[id]?.evidence.find((e) => e.path === path)?.value;

    // Password example: minLength 8, minNumber null (the description's default, 1), minSymbol 0,
    // common passwords allowed, history 4, maxAttempts 0 ("no limit").
    expect(value('okta.pwd.complexity', '/settings/password/complexity/minNumber')).toBe('1');
    expect(r['okta.pwd.complexity']?.outcome).toBe('fail');
    expect(r['okta.pwd.min_length']).toMatchObject({ outcome: 'fail', count: 0, total: 1 });
    for (const id of ['okta.pwd.lockout', 'okta.pwd.common_check', 'okta.pwd.history'])
      expect(r[id]?.outcome, id).toBe('fail');

    // Sign-on: the ALLOW rule idles 720 minutes and never expires; Okta's DENY rule is not judged.
    expect(r['okta.session.idle_timeout']).toMatchObject({ outcome: 'fail', count: 0, total: 1 });
    expect(r['okta.session.idle_timeout']?.failing).toEqual([
      { id: '0prh1sd28q5sXGW08697', name: 'Policy name › Test rule' },
    ]);
    expect(r['okta.session.lifetime']?.outcome).toBe('fail');
    expect(r['okta.session.persistent_cookie']).toMatchObject({ outcome: 'pass', count: 1, total: 1 });

    // Admin Console: the catch-all rule takes one factor; the two 2FA rule examples take two.
    expect(r['okta.admin_console.mfa']).toMatchObject({ outcome: 'fail', count: 2, total: 3 });
    expect(r['okta.admin_console.mfa']?.failing).toEqual([
      { id: 'ruleId', name: 'Policy name › Catch-all rule' },
    ]);
    expect(r['okta.admin_console.idle']?.outcome).toBe('pass');

    // Phishing resistance: the Catch-all rule has no constraint; Okta's two 2FA examples give
    // `constraints` as an object, not the array the description declares, so they stay unknown.
    expect(r['okta.admin_console.phishing_resistant']).toMatchObject({ outcome: 'fail' });
    expect(r['okta.admin_console.phishing_resistant']?.failing).toEqual([
      { id: 'ruleId', name: 'Policy name › Catch-all rule' },
    ]);
    // Dashboard: the OAMP example requires a phishing-resistant possession factor but one factor.
    expect(r['okta.dashboard.phishing_resistant']).toMatchObject({ outcome: 'fail', count: 1, total: 2 });
    expect(r['okta.dashboard.mfa']).toMatchObject({ outcome: 'fail', count: 0, total: 2 });

    // Network: the sign-on policy's first rule is from anywhere; RetrieveAllZones has an active
    // DYNAMIC_V2 blocklist of ALL_ANONYMIZERS; no app's Catch-all rule denies.
    expect(r['okta.session.network_zone']?.failing).toEqual([
      { id: '0prh1sd28q5sXGW08697', name: 'Policy name › Test rule' },
    ]);
    expect(r['okta.network.block_anonymizers']?.outcome).toBe('pass');
    expect(r['okta.apps.network_zones']).toMatchObject({ outcome: 'fail', count: 0, total: 3 });

    // ThreatInsight "none", support ENABLED, an ACTIVE log stream, and two tokens usable from
    // anywhere: one says ANYWHERE, the other has no network condition at all.
    expect(r['okta.threatinsight']?.outcome).toBe('fail');
    expect(r['okta.support_access']?.outcome).toBe('fail');
    expect(r['okta.logstream']?.outcome).toBe('pass');
    expect(r['okta.api_token.zone']).toMatchObject({ outcome: 'fail', count: 0, total: 2 });

    // Admins: the one user with role assignments holds the Standard roles example (no Super
    // Administrator); getUser's example last signed in in 2013; ListFactorsResponse enrols a
    // security question, a TOTP and SMS, none phishing-resistant.
    expect(r['okta.admins.super_admin_count']).toMatchObject({ outcome: 'pass' });
    expect(value('okta.admins.super_admin_count', '/count')).toBe('0');
    expect(r['okta.admins.inactive']).toMatchObject({ outcome: 'fail', count: 0, total: 1 });
    expect(r['okta.admins.phishing_resistant_factor']).toMatchObject({ outcome: 'fail', count: 0, total: 1 });
    expect(r['okta.admins.inactive']?.failing).toEqual([
      { id: '00u118oQYT4TBGuay0g4', name: 'isaac.brock@example.com' },
    ]);
    // Both tokens belong to a user with no role assignment Okta listed, created in 2021.
    expect(r['okta.api_token.not_super_admin']).toMatchObject({ outcome: 'pass', count: 2, total: 2 });
    expect(r['okta.api_token.age']).toMatchObject({ outcome: 'fail', count: 0, total: 2 });
    // Authenticators: Phone is INACTIVE and there is no Security Question; the password policy
    // example recovers with a security question (SMS and voice INACTIVE).
    expect(r['okta.authenticators.phone']?.outcome).toBe('pass');
    expect(r['okta.authenticators.security_question']?.outcome).toBe('pass');
    expect(r['okta.pwd.recovery_factors']?.outcome).toBe('fail');
    // TrustedOriginsResponse trusts http://example.com; ListAuthServers rotates its keys (AUTO).
    expect(r['okta.trusted_origins.https']).toMatchObject({ outcome: 'fail', count: 0, total: 1 });
    expect(r['okta.authz_servers.key_rotation']).toMatchObject({ outcome: 'pass', count: 1, total: 1 });
  });

  it("reads the verification methods of Okta's access-policy rule examples", () => {
    const method = (rule: unknown) =>
      (rule as { actions: { appSignOn: { verificationMethod: unknown } } }).actions.appSignOn
        .verificationMethod;
    // Two chains: password then SMS, or Okta Verify with user verification: each takes two factors.
    expect(requiresTwoFactors(method(examples['amc-two-chain']))).toBe(true);
    expect(requiresTwoFactors(method(examples['create-auth-policy-rule-condition-response']))).toBe(true);
    expect(requiresTwoFactors(method(ops.listPolicyRules.examples.access[0]))).toBe(false);
    // ID_PROOFING, and any type added later, is not a factor requirement posture can read.
    expect(requiresTwoFactors({ type: 'ID_PROOFING', id: 'idp1' })).toBeUndefined();
    expect(requiresTwoFactors({ type: 'ASSURANCE' })).toBeUndefined();
  });

  it("reads phishing resistance and network zones from Okta's rule examples", () => {
    const method = (rule: unknown) =>
      (rule as { actions: { appSignOn: { verificationMethod: unknown } } }).actions.appSignOn
        .verificationMethod;
    expect(requiresPhishingResistance(method(examples['device-condition-with-oamp-response']))).toBe(true);
    expect(requiresPhishingResistance(method(ops.listPolicyRules.examples.access[0]))).toBe(false);
    // A chain of password then SMS is phishable; a constraints object is not what the description declares.
    expect(requiresPhishingResistance(method(examples['amc-two-chain']))).toBe(false);
    expect(
      requiresPhishingResistance(method(examples['twofa-enabled-disallow-password-allow-phishing-response'])),
    ).toBeUndefined();
    expect(usesNetworkZone(examples['skip-factor-challenge-on-prem-rule-response'])).toBe(true);
    expect(usesNetworkZone(examples['create-auth-policy-rule-condition-response'])).toBe(true);
    expect(usesNetworkZone(examples['deny-rule-response'])).toBe(false);
  });
});
