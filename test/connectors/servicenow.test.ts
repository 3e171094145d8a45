import { loadCatalog } from '../../source/catalog/index.js';
import type { Datasets } from '../../source/domain/rules.js';
import { parseLinkHeader } from 'got';
import { describe, expect, it } from 'vitest';
import { ConnectorError, type HttpResponse, parseLinks } from '../../source/connectors/http.js';
import { servicenow, servicenowVendor, wanted } from '../../source/connectors/servicenow/index.js';
import type { Control } from '../../source/domain/schemas.js';
import { servicenowDemo } from '../../source/simulator/servicenow.js';
import type { DemoTenant } from '../../source/simulator/types.js';
import { VENDOR_SIMS } from '../../source/simulator/vendors.js';
import { answering } from '../helpers/faults.js';
import { collect, evaluateApp, simulate, startSim, tenantCopy } from '../helpers/sim.js';

const [contoso] = servicenowDemo as [DemoTenant];
const PROPERTIES_PATH = '/api/now/table/sys_properties';
const PLUGINS_PATH = '/api/now/table/v_plugin';
const STORE_APPS_PATH = '/api/now/table/sys_store_app';
const PUBLIC_PATH = '/api/now/table/sys_public';
const EXCLUDED_PATH = '/api/now/table/blacklisted_password';
const IP_ACCESS_PATH = '/api/now/table/ip_access';

const resultsOf = (datasets: Datasets) => evaluateApp('servicenow', datasets);

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** The rows of a tenant's table, as stored in its demo file. */
const rowsOf = (t: DemoTenant, table: string) =>
  (t.data.tables as Record<string, { name: string; value: string }[]>)[table] ?? [];

/** The tenant with its integration user made an admin: every table and row is readable. */
const asAdmin = (t: DemoTenant, patch: Partial<DemoTenant> = {}) => {
  const copy = tenantCopy(t, patch);
  (copy.data as { users?: unknown }).users = { 'posture.reader': { roles: ['admin'] } };
  return copy;
};

const CATALOG = loadCatalog().forApp('servicenow');

describe('ServiceNow connector against the simulator', () => {
  it('reads the demo instance as its read-only user sees it: a hidden property and v_plugin are unknown, never defaults', async () => {
    const sim = await simulate([contoso]);
    const { datasets, requests } = await collect(servicenow, sim, contoso);
    const r = resultsOf(datasets);

    expect(r['snow.mfa']).toMatchObject({ outcome: 'fail', evidence: [{ value: 'false' }] });
    expect(r['snow.session_timeout']?.outcome).toBe('pass');
    // Names are asked 50 to a query. glide.sm.default_mode is hidden by its Read roles: its
    // query's X-Total-Count counts 4, 3 came back, so any of that query's 47 absent names may be it.
    const hidden = {
      outcome: 'unknown',
      reason:
        'could not judge 1 of 1 properties: X-Total-Count counts 4 matching properties but 3 came back: ' +
        'a read ACL hides 1 from this user, any of the 47 not returned',
      missing: "the admin role, or a role in each hidden property's Read roles",
    };
    expect(r['snow.default_deny']).toMatchObject(hidden);
    // A property of the same query not returned may be the hidden one: no platform default for it either.
    for (const id of ['snow.stax_entity_resolution', 'snow.glide_security_manager']) {
      expect(r[id], id).toMatchObject(hidden);
      expect(r[id]?.evidence[0]?.value, id).toMatch(/^\(not visible: X-Total-Count counts 4/);
    }
    // Another query's count equals its rows: what it did not return is not set, and the guide's fallback applies.
    for (const id of ['snow.soap_auth', 'snow.script_request_auth'])
      expect(r[id], id).toMatchObject({
        outcome: 'fail',
        reason: 'not set: the platform default applies',
        evidence: [{ item: 'platform default', value: 'false' }],
      });
    // Its properties are all in the first query, whose count equals its rows: judged, not unknown.
    expect(r['snow.processor_auth']).toMatchObject({
      outcome: 'partial',
      failing: [{ id: 'glide.basicauth.required.pdf' }, { id: 'glide.basicauth.required.rss' }],
    });
    // v_plugin answers its user without the admin role with 200 and no rows: unknown, naming the role.
    const right = 'the admin role, or a role that a table-level read ACL on v_plugin grants';
    for (const id of ['snow.high_security', 'snow.explicit_roles'])
      expect(r[id], id).toMatchObject({
        outcome: 'unknown',
        reason:
          `the integration user may not read v_plugin: it needs ${right} (v_plugin returned no rows at all, ` +
          'though every instance has hundreds: ServiceNow answers a user without read access with an empty list)',
        missing: right,
      });
    expect(servicenow.rights['servicenow:plugins']).toBe(right);

    const auth = new Set(sim.log.map((l) => l.headers.authorization));
    expect(auth).toEqual(new Set([basic('posture.reader', contoso.token)]));
    const first = new URLSearchParams(sim.log[0]?.query);
    expect(sim.log[0]?.path).toBe(PROPERTIES_PATH);
    expect(first.get('sysparm_fields')).toBe('name,value');
    expect(first.get('sysparm_exclude_reference_link')).toBe('true');
    // The names asked for are exactly those the catalog's rules select.
    // The names asked for are exactly those the catalog's rules select, 50 to a query.
    const queries = new Set(
      sim.log
        .filter((l) => l.path === PROPERTIES_PATH)
        .map((l) => new URLSearchParams(l.query).get('sysparm_query')),
    );
    const asked = [...queries].map(
      (q) => /^nameIN([^^]+)\^ORDERBYname$/.exec(q ?? '')?.[1]?.split(',') ?? [],
    );
    expect(asked.map((a) => a.length)).toEqual([50, 50, 50, 50, 50, 20]);
    expect(asked.flat()).toEqual(wanted(CATALOG, 'servicenow:sys_properties', '/name'));
    expect(asked.flat()).toContain('glide.user.max_unlock_attempts');
    expect(asked.flat()).toContain('glide.cs.debug');
    // Seven pages of properties (six queries, page size 5), one of plugins, one probe of v_plugin
    // only, one query of the store applications the catalog's settings depend on, one of the
    // public pages, and one row of each counted table.
    expect(sim.log.map((l) => l.path)).toEqual([
      ...Array<string>(7).fill(PROPERTIES_PATH),
      PLUGINS_PATH,
      PLUGINS_PATH,
      STORE_APPS_PATH,
      PUBLIC_PATH,
      EXCLUDED_PATH,
      IP_ACCESS_PATH,
    ]);
    expect(requests).toBe(13);
    expect(new URLSearchParams(sim.log[9]?.query).get('sysparm_query')).toBe(
      `scopeIN${wanted(CATALOG, 'servicenow:store_apps', '/scope').join(',')}^ORDERBYscope`,
    );
    expect(wanted(CATALOG, 'servicenow:store_apps', '/scope')).toHaveLength(49);
    // Human Resources is installed and its scoped properties have no record: false, as the guide's
    // check script reads them; the property names come from the scopes.
    for (const [id, name] of [
      ['snow.enforce_security_scope', 'glide.enforce_security_scope.sn_hr_core'],
      ['snow.impersonate_check', 'sn_hr_core.impersonateCheck'],
    ] as const) {
      expect(r[id], id).toMatchObject({
        outcome: 'fail',
        failing: [{ id: 'sn_hr_core' }],
        evidence: [{ item: 'sn_hr_core', path: '/property/value', value: 'false' }],
      });
      expect(asked.flat()).toContain(name);
    }
    // The Virtual Agent client's public page is active; 5,000 excluded passwords are counted from
    // one row's X-Total-Count; the only IP access rule is inactive.
    expect(r['snow.va_embed_public_page']).toMatchObject({
      outcome: 'fail',
      failing: [{ id: '04b1905473222300e985658b4cf6a7ef', name: 'sn_va_web_client_app_embed' }],
    });
    expect(r['snow.blacklisted_password_count']).toMatchObject({
      outcome: 'pass',
      evidence: [{ item: 'blacklisted_password', value: '5000' }],
    });
    expect(r['snow.ip_access_active']).toMatchObject({ outcome: 'fail', evidence: [{ value: '0' }] });
    expect(Object.fromEntries(new URLSearchParams(sim.log[12]?.query))).toEqual({
      sysparm_query: 'active=true',
      sysparm_fields: 'sys_id',
      sysparm_limit: '1',
    });
    // Customer Service is installed: its CMDB model setting applies, and its fallback (false) fails.
    expect(r['snow.csm_cmdb_model_customer_visible']).toMatchObject({
      outcome: 'fail',
      reason: 'not set: the platform default applies',
    });
    // Field Service Management is not: its setting is not applicable, saying so, never passed or failed.
    expect(r['snow.fsm_query_rules']).toMatchObject({
      outcome: 'not_applicable',
      reason: expect.stringMatching(/^the Field Service Management application \(sn_fsm\) is not installed/),
      evidence: [{ item: 'sn_fsm', path: '/active', value: '(no record)' }],
    });
    // Domain separation hangs on v_plugin, which this user may not read: unknown, naming the role.
    expect(r['snow.domain_condition_on_join']).toMatchObject({
      outcome: 'unknown',
      missing: 'the admin role, or a role that a table-level read ACL on v_plugin grants',
    });
    const probe = new URLSearchParams(sim.log[8]?.query);
    expect(Object.fromEntries(probe)).toEqual({ sysparm_fields: 'id', sysparm_limit: '1' });
  });

  it('judges the public page, the counted tables and the scoped properties a hardened instance sets', async () => {
    const hardened = asAdmin(contoso);
    const tables = (hardened.data as { tables: Record<string, Record<string, string>[]> }).tables;
    tables.sys_public = (tables.sys_public ?? []).map((row) =>
      row.page === 'sn_va_web_client_app_embed' ? { ...row, active: 'false' } : row,
    );
    tables.ip_access = [
      ...(tables.ip_access ?? []),
      { sys_id: 'a1', range: '198.51.100.0/24', active: 'true' },
    ];
    tables.sys_properties = [
      ...(tables.sys_properties ?? []),
      { name: 'glide.enforce_security_scope.sn_hr_core', value: 'true', read_roles: '' },
      { name: 'sn_hr_core.impersonateCheck', value: 'true', read_roles: '' },
    ];
    const sim = await simulate([hardened]);
    const r = resultsOf((await collect(servicenow, sim, hardened)).datasets);
    for (const id of [
      'snow.va_embed_public_page',
      'snow.ip_access_active',
      'snow.blacklisted_password_count',
      'snow.enforce_security_scope',
      'snow.impersonate_check',
      'snow.ip_authenticator_plugin',
    ])
      expect(r[id]?.outcome, id).toBe('pass');
    expect(r['snow.ip_access_active']?.evidence[0]?.value).toBe('1');
  });

  it('names the role for public pages and counted tables the user may not read', async () => {
    const reader = tenantCopy(contoso);
    const acl = (reader.data as { readAcl: Record<string, string[]> }).readAcl;
    for (const table of ['sys_public', 'blacklisted_password']) acl[table] = ['admin'];
    const sim = await simulate(
      [reader],
      [{ kind: 'status', tenant: contoso.id, path: IP_ACCESS_PATH, status: 403 }],
    );
    const r = resultsOf((await collect(servicenow, sim, reader)).datasets);
    const right = (t: string) => `the admin role, or a role that a table-level read ACL on ${t} grants`;
    // sys_public answers 200 with no rows; its one-row probe finds none either.
    expect(r['snow.va_embed_public_page']).toMatchObject({
      outcome: 'unknown',
      missing: right('sys_public'),
    });
    // 5,000 rows counted, none returned: the count is not this user's read.
    expect(r['snow.blacklisted_password_count']).toMatchObject({
      outcome: 'unknown',
      missing: right('blacklisted_password'),
      reason: expect.stringContaining(
        'X-Total-Count counts 5000 records of blacklisted_password but none came back',
      ),
    });
    expect(r['snow.ip_access_active']).toMatchObject({ outcome: 'unknown', missing: right('ip_access') });
  });

  it('cannot count a table when the instance sends no X-Total-Count', async () => {
    const bare = asAdmin(contoso);
    Object.assign(bare.data as object, { totalCount: false });
    const sim = await simulate([bare]);
    const r = resultsOf((await collect(servicenow, sim, bare)).datasets);
    expect(r['snow.blacklisted_password_count']).toMatchObject({
      outcome: 'unknown',
      reason: expect.stringContaining('no X-Total-Count for blacklisted_password'),
    });
  });

  it('takes the platform default for a property the count shows is not set', async () => {
    const admin = asAdmin(contoso);
    const sim = await simulate([admin]);
    const { datasets } = await collect(servicenow, sim, admin);
    const r = resultsOf(datasets);
    expect(r['snow.default_deny']?.outcome).toBe('pass');
    // The guide's fallback for glide.basicauth.required.soap is false.
    expect(r['snow.soap_auth']).toMatchObject({
      outcome: 'fail',
      reason: 'not set: the platform default applies',
      evidence: [{ item: 'platform default', value: 'false' }],
    });
    expect(r['snow.script_request_auth']).toMatchObject({
      outcome: 'fail',
      reason: 'not set: the platform default applies',
    });
    expect(r['snow.processor_auth']).toMatchObject({ outcome: 'partial', count: 8, total: 10 });
    expect(r['snow.high_security']?.outcome).toBe('pass');
    // Rows came back from every keyed table: no probe was needed (the counts read one row by design).
    const counted = new Set([EXCLUDED_PATH, IP_ACCESS_PATH]);
    expect(
      sim.log.filter(
        (l) => !counted.has(l.path) && new URLSearchParams(l.query).get('sysparm_limit') === '1',
      ),
    ).toEqual([]);
  });

  it('judges chat server debugging from its glide.cs.debug record, and names the role when a read ACL hides it', async () => {
    const withDebug = (t: DemoTenant, row: Record<string, string>) => {
      const tables = (t.data as { tables: Record<string, Record<string, string>[]> }).tables;
      tables.sys_properties = [...(tables.sys_properties ?? []), row];
      return t;
    };
    const run = async (t: DemoTenant) => {
      const sim = await simulate([t]);
      return resultsOf((await collect(servicenow, sim, t)).datasets)['snow.glide_cs_debug'];
    };
    // No record: the default (false) applies, and it is what the guide recommends.
    expect(await run(asAdmin(contoso))).toMatchObject({
      outcome: 'pass',
      reason: 'not set: the platform default applies',
      evidence: [{ item: 'platform default', value: 'false' }],
    });
    const on = { name: 'glide.cs.debug', value: 'true', read_roles: '' };
    expect(await run(withDebug(asAdmin(contoso), on))).toMatchObject({
      outcome: 'fail',
      evidence: [{ item: 'glide.cs.debug', value: 'true' }],
    });
    expect((await run(withDebug(asAdmin(contoso), { ...on, value: 'false' })))?.outcome).toBe('pass');
    // The read-only user sees it not set (its query's count equals its rows) until a record it
    // fails the Read roles of is there: the count has that one, the page does not.
    expect((await run(tenantCopy(contoso)))?.outcome).toBe('pass');
    expect(await run(withDebug(tenantCopy(contoso), { ...on, read_roles: 'admin' }))).toMatchObject({
      outcome: 'unknown',
      missing: "the admin role, or a role in each hidden property's Read roles",
    });
  });

  it('names the role when the user may not read sys_properties at all, though ServiceNow answers 200', async () => {
    const reader = tenantCopy(contoso);
    (reader.data as { users: Record<string, { roles: string[] }> }).users = {
      'posture.reader': { roles: ['itil'] },
    };
    const sim = await simulate([reader]);
    const { datasets } = await collect(servicenow, sim, reader);
    const right = 'the admin role, or a role that a table-level read ACL on sys_properties grants';
    expect(datasets['servicenow:sys_properties']).toMatchObject({ ok: false, missing: right });
    const r = resultsOf(datasets);
    // Settings gated on an application or a plugin say first that what gates them is unreadable.
    const onProperties = (d: string | undefined) => d === undefined || d === 'servicenow:sys_properties';
    for (const c of CATALOG.filter(
      (c) => c.rule.dataset === 'servicenow:sys_properties' && onProperties(c.rule.appliesWhen?.dataset),
    ))
      expect(r[c.id], c.id).toMatchObject({ outcome: 'unknown', missing: right });
    // sys_store_app answers it the same way: a store application's setting is unknown, naming that role.
    expect(r['snow.fsm_query_rules']).toMatchObject({
      outcome: 'unknown',
      missing: 'the admin role, or a role that a table-level read ACL on sys_store_app grants',
    });
    // Each answer was a 200 with an empty result, counted as usual.
    const res = await fetch(`${sim.baseUrl(reader.id)}${PROPERTIES_PATH}?sysparm_limit=1`, {
      headers: { authorization: basic('posture.reader', reader.token) },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ result: [] });
    expect(res.headers.get('x-total-count')).toBe('23');
  });

  it('names the role on a 403 too (a table the Table API refuses outright)', async () => {
    const admin = asAdmin(contoso);
    const sim = await simulate(
      [admin],
      [{ kind: 'status', status: 403, tenant: admin.id, path: PLUGINS_PATH }],
    );
    const { datasets } = await collect(servicenow, sim, admin);
    expect(datasets['servicenow:plugins']).toMatchObject({
      ok: false,
      missing: 'the admin role, or a role that a table-level read ACL on v_plugin grants',
    });
    expect(datasets['servicenow:sys_properties']?.ok).toBe(true);
  });

  it.each([
    ['until X-Total-Count, past a Link header that got cannot parse', {}],
    ['by the Link header alone when X-Total-Count is missing', { totalCount: false }],
  ])('pages by sysparm_offset %s', async (_how, data) => {
    const small = asAdmin(contoso, { pageSize: 3 });
    Object.assign(small.data as object, data);
    const sim = await simulate([small]);
    const { datasets } = await collect(servicenow, sim, small);

    const names = new Set(wanted(CATALOG, 'servicenow:sys_properties', '/name'));
    const expected = rowsOf(small, 'sys_properties')
      .filter((p) => names.has(p.name))
      .map((p) => p.name)
      .sort();
    const ds = datasets['servicenow:sys_properties'];
    const seen = ds?.ok ? ds.items.filter((p) => !(p as { _unseen?: string })._unseen) : [];
    expect(seen.map((p) => (p as { name: string }).name)).toEqual(expected);
    expect(expected.length).toBe(22);

    const pages = sim.log.filter((l) => l.path === PROPERTIES_PATH);
    // One query per 50 names, each paged from offset 0.
    expect(pages.map((l) => new URLSearchParams(l.query).get('sysparm_offset'))).toEqual([
      '0',
      '3',
      '0',
      '3',
      '6',
      '0',
      '0',
      '3',
      '0',
      '3',
      '0',
    ]);
    const r = resultsOf(datasets);
    expect(r['snow.high_security']?.outcome).toBe('pass');
    expect(r['snow.explicit_roles']).toMatchObject({ outcome: 'fail', evidence: [{ value: 'inactive' }] });
    // Without the count, a property not returned may be hidden: unknown, not the default.
    if ('totalCount' in data) {
      expect(
        ds?.ok &&
          ds.items
            .filter((p) => (p as { _unseen?: string })._unseen)
            .map((p) => (p as { name: string }).name),
      ).toEqual(wanted(CATALOG, 'servicenow:sys_properties', '/name').filter((n) => !expected.includes(n)));
      expect(r['snow.soap_auth']).toMatchObject({
        outcome: 'unknown',
        reason:
          'could not judge 1 of 1 properties: the instance sent no X-Total-Count, so properties it did not ' +
          'return may be hidden by a read ACL rather than not set',
      });
    } else expect(r['snow.soap_auth']?.outcome).toBe('fail');

    // The header the simulator sends, as ServiceNow does: no spaces, raw commas inside URLs.
    const res = await fetch(
      `${sim.baseUrl(small.id)}${PROPERTIES_PATH}?sysparm_fields=name,value&sysparm_offset=3`,
      {
        headers: { authorization: basic('posture.reader', small.token) },
      },
    );
    expect(res.headers.get('x-total-count')).toBe('totalCount' in data ? null : '23');
    const link = res.headers.get('link') ?? '';
    expect(link).toMatch(/^<[^>]*sysparm_fields=name,value&sysparm_offset=0&sysparm_limit=3>;rel="first",</);
    expect(link).not.toContain('; ');
    expect(() => parseLinkHeader(link)).toThrow(/Invalid format of the Link header/);
    expect(Object.keys(parseLinks(link))).toEqual(['first', 'prev', 'next', 'last']);
    expect(parseLinks(link).next).toMatch(/sysparm_offset=6&sysparm_limit=3$/);
  });

  it('drops a hidden row from its page while the count and the Link header still count it', async () => {
    const small = tenantCopy(contoso, { pageSize: 3 });
    const sim = await simulate([small]);
    const query = 'sysparm_query=nameSTARTSWITHglide.s^ORDERBYname&sysparm_fields=name';
    const res = await fetch(`${sim.baseUrl(small.id)}${PROPERTIES_PATH}?${query}`, {
      headers: { authorization: basic('posture.reader', small.token) },
    });
    // glide.script.secure.ajaxgliderecord, glide.script.use.sandbox, glide.security.use_csrf_token,
    // glide.sm.default_mode: the first page has 3, the second would have the hidden one.
    expect(res.headers.get('x-total-count')).toBe('4');
    expect(parseLinks(res.headers.get('link') ?? '').next).toMatch(/sysparm_offset=3&sysparm_limit=3$/);
    const next = await fetch(parseLinks(res.headers.get('link') ?? '').next ?? '', {
      headers: { authorization: basic('posture.reader', small.token) },
    });
    expect(await next.json()).toEqual({ result: [] });
  });

  it('sends the OAuth token as a bearer token when auth is "bearer"', async () => {
    const oauth = tenantCopy(contoso, { options: { auth: 'bearer' } });
    const sim = await simulate([oauth]);
    const { datasets } = await collect(servicenow, sim, oauth);
    expect(datasets['servicenow:sys_properties']?.ok).toBe(true);
    expect(new Set(sim.log.map((l) => l.headers.authorization))).toEqual(new Set([`Bearer ${oauth.token}`]));
  });

  it("turns a 401 into ServiceNow's message as one line", async () => {
    const sim = await simulate([contoso]);
    const secret = 'wrong-password-123456';
    const err = await collect(servicenow, sim, contoso, secret).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).message).toBe(
      'ServiceNow 401: User Not Authenticated (Required to provide Auth information)',
    );
    expect((err as ConnectorError).kind).toBe('auth');
    expect(err).toMatchObject({ code: undefined, vendorMessage: 'User Not Authenticated' });
    expect(sim.log.length).toBe(1);
  });

  it('refuses basic auth without a username before sending anything', async () => {
    const anonymous = tenantCopy(contoso, { options: {} });
    const sim = await simulate([anonymous]);
    const err = await collect(servicenow, sim, anonymous).catch((e: unknown) => e);
    expect((err as ConnectorError).kind).toBe('auth');
    expect((err as Error).message).toMatch(/no username option/);
    expect(sim.log.length).toBe(0);
  });

  it('waits for Retry-After on a 429, then carries on', async () => {
    const sim = await simulate(
      [contoso],
      [{ kind: 'rateLimit', tenant: contoso.id, path: PROPERTIES_PATH, times: 1, resetSeconds: 20 }],
    );
    const { datasets, clock, requests } = await collect(servicenow, sim, contoso);
    expect(datasets['servicenow:sys_properties']?.ok).toBe(true);
    expect(clock.sleeps).toEqual([20_000]);
    // Seven pages of properties (six queries of up to 50 names, page size 5), one of plugins, its
    // probe, one of store applications, one of public pages, two counts, and the throttled request.
    expect(requests).toBe(14);
    expect(sim.log.length).toBe(14);
  });

  it('ends the poll with "rate limited until" when Retry-After is beyond the poll budget', async () => {
    const sim = await simulate([contoso], [{ kind: 'rateLimit', tenant: contoso.id, resetSeconds: 3600 }]);
    const err = await collect(servicenow, sim, contoso).catch((e: unknown) => e);
    expect((err as ConnectorError).kind).toBe('rate_limited');
    expect((err as Error).message).toMatch(/^rate limited by ServiceNow until \d{4}-\d\d-\d\dT\d\d:\d\d/);
    expect(sim.log.length).toBe(1);
  });

  it('falls back to X-RateLimit-Reset when a 429 has no Retry-After', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    const res: HttpResponse = {
      status: 429,
      headers: { 'x-ratelimit-reset': String(now / 1000 + 90), date: new Date(now).toUTCString() },
      body: {},
      url: 'https://x.service-now.com/api/now/table/sys_properties',
    };
    expect(servicenowVendor.rateLimitWait(res, now)).toBe(91_000);
    expect(servicenowVendor.rateLimitWait({ ...res, status: 200 }, now)).toBeUndefined();
  });

  it("retries a 500 a bounded number of times, then fails with ServiceNow's message", async () => {
    const sim = await simulate([contoso], [{ kind: 'status', status: 500, tenant: contoso.id }]);
    const err = await collect(servicenow, sim, contoso).catch((e: unknown) => e);
    expect((err as Error).message).toBe('ServiceNow 500: Internal Server Error (simulated failure)');
    expect(sim.log.length).toBe(3);
  });

  it('rejects a body without the result envelope', async () => {
    const sim = await simulate(
      [contoso],
      [{ kind: 'wrongTypes', tenant: contoso.id, path: PROPERTIES_PATH }],
    );
    const err = await collect(servicenow, sim, contoso).catch((e: unknown) => e);
    expect((err as ConnectorError).kind).toBe('malformed');
    expect((err as Error).message).toBe(
      'unexpected response for system properties: Invalid input: expected object, received array',
    );
  });

  it('rejects a property whose value is not a string, as ServiceNow never sends one', async () => {
    const odd = tenantCopy(contoso);
    const rows = rowsOf(odd, 'sys_properties') as { name: string; value: unknown }[];
    const row = rows.find((p) => p.name === 'glide.ui.session_timeout');
    if (row) row.value = 30;
    const sim = await simulate([odd]);
    const err = await collect(servicenow, sim, odd).catch((e: unknown) => e);
    expect((err as ConnectorError).kind).toBe('malformed');
    expect((err as Error).message).toMatch(
      /^unexpected response for system properties at result\.\d+\.value/,
    );
  });
});

describe('wanted', () => {
  const control = (where: Control['rule']['where']): Control =>
    ({ id: 'snow.x', rule: { dataset: 'servicenow:sys_properties', where } }) as unknown as Control;

  it('collects eq and in values once, sorted', () => {
    const controls = [
      control([{ path: '/name', op: 'eq', value: 'b.prop' }]),
      control([{ path: '/name', op: 'in', value: ['c.prop', 'a.prop', 'b.prop'] }]),
      control([{ path: '/value', op: 'eq', value: 'ignored' }]),
    ];
    expect(wanted(controls, 'servicenow:sys_properties', '/name')).toEqual(['a.prop', 'b.prop', 'c.prop']);
  });

  it('refuses a name that would change the encoded query', () => {
    const controls = [control([{ path: '/name', op: 'eq', value: 'a.prop^ORname=secret' }])];
    expect(() => wanted(controls, 'servicenow:sys_properties', '/name')).toThrow(/cannot be queried/);
  });
});

describe('ServiceNow error messages as data', () => {
  it('carry the message field and no code, whatever code-like text the message holds', async () => {
    // ServiceNow's error body has a message and a detail, never a code.
    const body = {
      error: { message: 'Invalid table (INVALID_TYPE)', detail: 'ACL E0000006 evaluated' },
      status: 'failure',
    };
    expect(servicenowVendor.readError(body)).toEqual({
      message: 'Invalid table (INVALID_TYPE)',
      line: 'Invalid table (INVALID_TYPE) (ACL E0000006 evaluated)',
    });
    const sim = await startSim({
      tenants: [contoso],
      vendors: VENDOR_SIMS,
      intercept: answering((req) => req.path === PROPERTIES_PATH, { status: 400, body }),
    });
    const err = await collect(servicenow, sim, contoso).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({
      kind: 'http',
      status: 400,
      code: undefined,
      vendorMessage: 'Invalid table (INVALID_TYPE)',
      message: 'ServiceNow 400: Invalid table (INVALID_TYPE) (ACL E0000006 evaluated)',
    });
  });
});
