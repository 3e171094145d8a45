import type { Datasets } from '../../source/domain/rules.js';
import { describe, expect, it } from 'vitest';
import { ConnectorError, HttpClient } from '../../source/connectors/http.js';
import { okta, oktaVendor } from '../../source/connectors/okta/index.js';
import { oktaDemo } from '../../source/simulator/okta.js';
import type { DemoTenant } from '../../source/simulator/types.js';
import { VENDOR_SIMS } from '../../source/simulator/vendors.js';
import { answering } from '../helpers/faults.js';
import { collect, evaluateApp, simulate, startSim, tenantCopy } from '../helpers/sim.js';

const [eu, us] = oktaDemo as [DemoTenant, DemoTenant];

const resultsOf = (datasets: Datasets) => evaluateApp('okta', datasets);

const item = (datasets: Datasets, key: string, id: string) => {
  const ds = datasets[key];
  return ds?.ok
    ? (ds.items.find((i) => (i as { id?: string }).id === id) as Record<string, unknown>)
    : undefined;
};

describe('Okta connector against the simulator', () => {
  it('reads the EU tenant with an API token and the US tenant with a scoped OAuth token', async () => {
    const sim = await simulate([eu, us]);
    const a = resultsOf((await collect(okta, sim, eu)).datasets);
    const b = resultsOf((await collect(okta, sim, us)).datasets);
    expect(a['okta.pwd.min_length']?.outcome).toBe('pass');
    expect(b['okta.pwd.min_length']).toMatchObject({ outcome: 'partial', count: 1, total: 3 });
    expect(a['okta.logstream']?.outcome).toBe('pass');
    const auth = sim.log.map((r) => r.headers.authorization);
    expect(new Set(auth)).toEqual(new Set([`SSWS ${eu.token}`, `Bearer ${us.token}`]));
    expect(new Set(sim.log.map((r) => r.headers.accept))).toEqual(new Set(['application/json']));
  });

  it('names the scope the OAuth token lacks on the controls it could not judge, and only those', async () => {
    const sim = await simulate([us]);
    const { datasets } = await collect(okta, sim, us);
    const b = resultsOf(datasets);
    for (const id of ['okta.logstream', 'okta.api_token.zone'])
      expect(b[id]).toMatchObject({ outcome: 'unknown', reason: expect.stringMatching(/may not read/) });
    expect(b['okta.logstream']?.missing).toBe('the okta.logStreams.read scope');
    expect(b['okta.api_token.zone']?.missing).toBe('the okta.apiTokens.read scope');
    // Okta answers a missing scope per request: everything else was read.
    for (const [key, ds] of Object.entries(datasets))
      expect(ds.ok, key).toBe(key !== 'okta:logStreams' && key !== 'okta:api-tokens');
    expect(b['okta.threatinsight']?.outcome).toBe('fail');
  });

  it('names the missing admin role, not a scope, when an API token is refused', async () => {
    const narrow = tenantCopy(eu, { forbidden: ['/api/v1/threats'] });
    const sim = await simulate([narrow]);
    const r = resultsOf((await collect(okta, sim, narrow)).datasets)['okta.threatinsight'];
    expect(r).toMatchObject({ outcome: 'unknown' });
    expect(r?.missing).toMatch(/Read-Only Administrator/);
  });

  it('answers a missing scope as Okta does: 403 E0000006 for that request, with the scope in WWW-Authenticate', async () => {
    const sim = await simulate([us]);
    const get = (path: string) =>
      fetch(`${sim.baseUrl(us.id)}${path}`, {
        headers: { authorization: `Bearer ${us.token}`, accept: 'application/json' },
      });
    const denied = await get('/api/v1/logStreams');
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({
      errorCode: 'E0000006',
      errorSummary: 'You do not have permission to perform the requested action',
      errorCauses: [],
    });
    const challenge = denied.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="okta.logStreams.read"');
    expect((await get('/api/v1/threats/configuration')).status).toBe(200);
    // An access token is not an API token: the SSWS scheme is refused.
    const wrongScheme = await fetch(`${sim.baseUrl(us.id)}/api/v1/threats/configuration`, {
      headers: { authorization: `SSWS ${us.token}` },
    });
    expect(wrongScheme.status).toBe(401);
  });

  it('judges only the rules that allow access: a DENY rule gives no session', async () => {
    const sim = await simulate([eu]);
    const a = resultsOf((await collect(okta, sim, eu)).datasets);
    // EU's DENY rules carry a 120-minute idle time, no lifetime and a 1FA method.
    for (const id of [
      'okta.session.idle_timeout',
      'okta.session.lifetime',
      'okta.session.persistent_cookie',
      'okta.admin_console.mfa',
    ])
      expect(a[id]?.outcome, id).toBe('pass');
    expect(a['okta.session.idle_timeout']).toMatchObject({ count: 1, total: 1 });
  });

  it('computes two factors for assurance and method-chain rules, and names the rules that take one', async () => {
    const sim = await simulate([eu, us]);
    const euRules = (await collect(okta, sim, eu)).datasets;
    expect(item(euRules, 'okta:admin-console/rules', '0pr1euac1')?._twoFactors).toBe(true);
    expect(item(euRules, 'okta:admin-console/rules', '0pr1euac2')?._twoFactors).toBe(true);
    expect(resultsOf(euRules)['okta.admin_console.mfa']).toMatchObject({ count: 2, total: 2 });
    const b = resultsOf((await collect(okta, sim, us)).datasets)['okta.admin_console.mfa'];
    expect(b?.outcome).toBe('fail');
    expect(b?.failing).toEqual([
      { id: '0pr1usac0', name: 'Okta Admin Console › Break-glass: password only' },
      { id: '0pr1usac1', name: 'Okta Admin Console › Default admin rule' },
    ]);
  });

  it('leaves an Admin Console rule whose verification method it does not know unknown', async () => {
    const t = tenantCopy(eu);
    const policy = (t.data.policies as { id: string; rules: { actions: unknown }[] }[]).find(
      (p) => p.id === 'rst1euadmin',
    )!;
    policy.rules[1]!.actions = {
      appSignOn: { access: 'ALLOW', verificationMethod: { type: 'ID_PROOFING' } },
    };
    const sim = await simulate([t]);
    const r = resultsOf((await collect(okta, sim, t)).datasets)['okta.admin_console.mfa'];
    expect(r?.outcome).toBe('unknown');
  });

  it("reads a null or absent field as Okta's description defines it, never as hidden", async () => {
    const sim = await simulate([eu, us]);
    // Okta's own example has `minNumber: null`; the description's default is 1.
    const usPolicies = (await collect(okta, sim, us)).datasets;
    const complexity = (
      item(usPolicies, 'okta:policies/password', '00p1usdefault')?.settings as {
        password: { complexity: Record<string, unknown> };
      }
    ).password.complexity;
    expect(complexity.minNumber).toBe(1);
    // A token without a network condition may be used from anywhere.
    const a = resultsOf((await collect(okta, sim, eu)).datasets)['okta.api_token.zone'];
    expect(a).toMatchObject({ outcome: 'partial', count: 2, total: 3 });
    expect(a?.failing).toEqual([{ id: '00T1eu3', name: 'Old provisioning script' }]);
  });

  it('sends only the query parameters each operation declares', async () => {
    const sim = await simulate([eu]);
    await collect(okta, sim, eu);
    const query = (path: string) => sim.log.filter((r) => r.path === path).map((r) => r.query);
    expect(query('/api/v1/api-tokens')).toEqual(['']);
    expect(query('/api/v1/authenticators')).toEqual(['']);
  });

  it('follows Link headers across at least three pages', async () => {
    const many = tenantCopy(us, { pageSize: 1 });
    const passwordPolicies = (many.data.policies as { type: string }[]).filter((p) => p.type === 'PASSWORD');
    const sim = await simulate([many]);
    const { datasets } = await collect(okta, sim, many);
    const ds = datasets['okta:policies/password'];
    expect(ds?.ok && ds.items.map((p) => (p as { id: string }).id)).toEqual(
      passwordPolicies.map((p) => (p as unknown as { id: string }).id),
    );
    const pages = sim.log.filter((r) => r.path === '/api/v1/policies' && r.query.includes('type=PASSWORD'));
    expect(pages.length).toBe(passwordPolicies.length);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    // Pages after the first carry Okta's `after` cursor from the Link header.
    expect(pages.slice(1).every((r) => /after=/.test(r.query))).toBe(true);
  });

  it('turns a 401 into one clear error that does not contain the token', async () => {
    const sim = await simulate([eu]);
    const err = await collect(okta, sim, eu, 'wrong-token-123456').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).message).toBe('Okta 401: Invalid token provided (E0000011)');
    expect((err as ConnectorError).kind).toBe('auth');
    expect(err).toMatchObject({ code: 'E0000011', vendorMessage: 'Invalid token provided' });
    expect(sim.log.length).toBe(1);
  });

  it('waits for X-Rate-Limit-Reset on a 429 (no Retry-After), then carries on', async () => {
    const sim = await simulate(
      [eu],
      [{ kind: 'rateLimit', tenant: eu.id, path: '/api/v1/policies', times: 1, resetSeconds: 20 }],
    );
    const { datasets, clock } = await collect(okta, sim, eu);
    expect(datasets['okta:policies/password']?.ok).toBe(true);
    expect(clock.sleeps).toHaveLength(1);
    // Reset is 20 s after the server's Date, plus a second of margin; the Date header has 1 s resolution.
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(19_000);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(22_000);
  });

  it('keeps its retries for failures: a rate-limit wait does not spend one', async () => {
    const sim = await simulate(
      [eu],
      [
        { kind: 'rateLimit', tenant: eu.id, path: '/api/v1/policies', times: 1, resetSeconds: 5 },
        { kind: 'status', status: 503, tenant: eu.id, path: '/api/v1/policies', times: 2 },
      ],
    );
    const { datasets, clock } = await collect(okta, sim, eu);
    expect(datasets['okta:policies/password']?.ok).toBe(true);
    // One wait for the limit, then the two retries of the 503s, with their backoff from the start.
    expect(clock.sleeps.slice(1)).toEqual([500, 1000]);
  });

  it('ends the poll with "rate limited until" when the reset is beyond the poll budget', async () => {
    const sim = await simulate([eu], [{ kind: 'rateLimit', tenant: eu.id, resetSeconds: 3600 }]);
    const err = await collect(okta, sim, eu).catch((e: unknown) => e);
    expect((err as ConnectorError).kind).toBe('rate_limited');
    expect((err as Error).message).toMatch(/^rate limited by Okta until \d{4}-\d\d-\d\dT/);
    expect(sim.log.length).toBe(1);
  });

  it("retries a 500 a bounded number of times, then fails with Okta's message", async () => {
    const sim = await simulate([eu], [{ kind: 'status', status: 500, tenant: eu.id }]);
    const err = await collect(okta, sim, eu).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^Okta 500: Internal Server Error/);
    expect(sim.log.length).toBe(3);
  });

  it('rejects a body that does not match the expected shape', async () => {
    const sim = await simulate([eu], [{ kind: 'wrongTypes', tenant: eu.id, path: '/api/v1/policies' }]);
    const err = await collect(okta, sim, eu).catch((e: unknown) => e);
    expect((err as ConnectorError).kind).toBe('malformed');
    expect((err as Error).message).toMatch(/unexpected response for password policies/);
  });
});

describe('Okta authentication policies and network zones (STIG OKTA-APP-000180 to 003244)', () => {
  const NEW = [
    'okta.dashboard.mfa',
    'okta.dashboard.phishing_resistant',
    'okta.admin_console.phishing_resistant',
    'okta.session.network_zone',
    'okta.network.block_anonymizers',
    'okta.apps.network_zones',
  ];

  it('passes every new control on the EU tenant and fails each on the US tenant, naming what fails', async () => {
    const sim = await simulate([eu, us]);
    const a = resultsOf((await collect(okta, sim, eu)).datasets);
    const b = resultsOf((await collect(okta, sim, us)).datasets);
    for (const id of NEW) expect(a[id]?.outcome, `EU ${id}`).toBe('pass');
    for (const id of NEW) expect(['fail', 'partial'], `US ${id}`).toContain(b[id]?.outcome);
    expect(b['okta.dashboard.mfa']?.failing).toEqual([
      { id: '0pr1usdb1', name: 'Okta Dashboard › Password only on the dashboard' },
    ]);
    // The Field staff policy's first rule is zoned; the Default Policy's is not.
    expect(b['okta.session.network_zone']?.failing).toEqual([
      { id: '0pr1us1', name: 'Default Policy › Everyone' },
    ]);
    // Only Jira's policy zones its rules and denies in its Catch-all rule; the inactive EU app is not judged.
    expect(b['okta.apps.network_zones']).toMatchObject({ outcome: 'partial', count: 1, total: 4 });
    expect(a['okta.apps.network_zones']).toMatchObject({ count: 4, total: 4 });
    // US's enhanced dynamic blocklist covers all anonymizers but is inactive.
    expect(b['okta.network.block_anonymizers']?.outcome).toBe('fail');
  });

  it('reads each shared app policy once, and follows Link headers across pages of apps and zones', async () => {
    const many = tenantCopy(eu, { pageSize: 1 });
    const sim = await simulate([many]);
    const { datasets } = await collect(okta, sim, many);
    const apps = datasets['okta:apps/network-zones'];
    expect(apps?.ok && apps.items.map((i) => (i as { id: string }).id)).toEqual([
      '0oa1eusaasure',
      '0oa1euenduser',
      '0oa1eusfdc',
      '0oa1euworkday',
    ]);
    const zones = datasets['okta:networkZones'];
    expect(zones?.ok && zones.items.length).toBe(3);
    expect(sim.log.filter((r) => r.path === '/api/v1/zones').length).toBe(3);
    expect(sim.log.filter((r) => r.path === '/api/v1/apps' && !r.query.includes('filter')).length).toBe(5);
    // Salesforce and Workday share one policy: its rules are read once (one page per rule).
    const shared = sim.log.filter((r) => r.path === '/api/v1/policies/rst1euapps/rules');
    expect(shared.length).toBe(2);
    expect(shared.filter((r) => !/after=/.test(r.query)).length).toBe(1);
  });

  it('names the network-zones scope when an OAuth token lacks it, and leaves the rest judged', async () => {
    const scopes = (us.data.oauthScopes as string[]).filter((s) => s !== 'okta.networkZones.read');
    const narrow = tenantCopy(us, { data: { ...us.data, oauthScopes: scopes } });
    const sim = await simulate([narrow]);
    const { datasets } = await collect(okta, sim, narrow);
    const r = resultsOf(datasets)['okta.network.block_anonymizers'];
    expect(r).toMatchObject({ outcome: 'unknown', missing: 'the okta.networkZones.read scope' });
    expect(resultsOf(datasets)['okta.apps.network_zones']?.outcome).toBe('partial');
  });

  it('leaves the app controls unknown, naming okta.policies.read, when the rules cannot be read', async () => {
    const scopes = (us.data.oauthScopes as string[]).filter((s) => s !== 'okta.policies.read');
    const narrow = tenantCopy(us, { data: { ...us.data, oauthScopes: scopes } });
    const sim = await simulate([narrow]);
    const r = resultsOf((await collect(okta, sim, narrow)).datasets);
    for (const id of ['okta.apps.network_zones', 'okta.dashboard.mfa', 'okta.session.network_zone'])
      expect(r[id], id).toMatchObject({ outcome: 'unknown', missing: 'the okta.policies.read scope' });
  });

  it('leaves an app whose policy link is missing unknown, never a pass or a fail', async () => {
    const t = tenantCopy(eu);
    const apps = t.data.apps as { id: string; _links?: unknown }[];
    delete apps.find((a) => a.id === '0oa1eusfdc')!._links;
    const sim = await simulate([t]);
    const r = resultsOf((await collect(okta, sim, t)).datasets)['okta.apps.network_zones'];
    expect(r?.outcome).toBe('unknown');
    expect(r?.failing ?? []).toEqual([]);
  });
});

describe('Okta error codes as data', () => {
  const client = (baseUrl: string, authorization: string) =>
    new HttpClient({
      baseUrl,
      vendor: oktaVendor,
      auth: () => ({ authorization }),
      secrets: () => [authorization.replace(/^\S+ /, '')],
    });

  it("arrive on the client's error from the body's errorCode, apart from its summary", async () => {
    const sim = await simulate([us]);
    const err = await client(sim.baseUrl(us.id), `Bearer ${us.token}`)
      .get('/api/v1/logStreams')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({
      kind: 'forbidden',
      status: 403,
      code: 'E0000006',
      vendorMessage: 'You do not have permission to perform the requested action',
    });
  });

  it('take the code from errorCode only, never from a summary that contains one', async () => {
    const logStreams = (req: { path: string }) => req.path === '/api/v1/logStreams';
    for (const [body, code] of [
      [{ errorCode: 'E0000001', errorSummary: 'Api validation failed: stream "(E0000006)"' }, 'E0000001'],
      [{ errorSummary: 'You do not have permission (E0000006)' }, undefined],
    ] as const) {
      const sim = await startSim({
        tenants: [eu],
        vendors: VENDOR_SIMS,
        intercept: answering(logStreams, { status: 400, body }),
      });
      const err = await client(sim.baseUrl(eu.id), `SSWS ${eu.token}`)
        .get('/api/v1/logStreams')
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: 'http', status: 400, vendorMessage: body.errorSummary });
      expect((err as ConnectorError).code).toBe(code);
      // Not a refusal of the token: the poll fails rather than leave log streams unknown.
      await expect(collect(okta, sim, eu)).rejects.toMatchObject({ kind: 'http', code });
    }
  });

  it("redact the credential from the vendor's own fields, as from the message", async () => {
    const echo = { errorCode: `E0000001 ${eu.token}`, errorSummary: `bad header "SSWS ${eu.token}"` };
    const sim = await startSim({
      tenants: [eu],
      vendors: VENDOR_SIMS,
      intercept: answering((req) => req.path === '/api/v1/logStreams', { status: 400, body: echo }),
    });
    const err = await client(sim.baseUrl(eu.id), `SSWS ${eu.token}`)
      .get('/api/v1/logStreams')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'E0000001 [redacted]',
      vendorMessage: 'bad header "SSWS [redacted]"',
      message: 'Okta 400: bad header "SSWS [redacted]" (E0000001 [redacted])',
    });
  });
});
