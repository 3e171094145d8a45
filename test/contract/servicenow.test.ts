import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConnectorError, parseLinks } from '../../source/connectors/http.js';
import { servicenow, servicenowVendor } from '../../source/connectors/servicenow/index.js';
import { demoInstance } from '../../source/simulator/demo.js';
import type { RequestLog } from '../../source/simulator/server.js';
import { servicenowDemo } from '../../source/simulator/servicenow.js';
import type { DemoTenant } from '../../source/simulator/types.js';
import { disposeWhenDone } from '../helpers/cleanup.js';
import { fakeClock } from '../helpers/clock.js';
import { collect, evaluateApp, simulate, tenantCopy } from '../helpers/sim.js';

/**
 * The ServiceNow connector against ServiceNow's own description of the Table API. ServiceNow
 * publishes no OpenAPI description for it, so each fact here comes from a documentation page,
 * named where it is used (servicenow.com/docs, Australia release; the same text is in
 * github.com/ServiceNow/ServiceNowDocs, markdown/...):
 */
const DOCS = {
  /** Table API, section "Table - GET /now/table/{tableName}": URL format, query parameters, headers, status codes, example. */
  table: 'https://www.servicenow.com/docs/r/api-reference/rest-apis/c_TableAPI.html',
  /** REST APIs: GET requires only the Accept header. */
  rest: 'https://www.servicenow.com/docs/r/api-reference/rest-api-explorer/c_RESTAPI.html',
  /** Scripted REST APIs, section "Error response format": {"error":{message, detail}, "status":"failure"}. */
  errors: 'https://www.servicenow.com/docs/r/api-reference/rest-api-explorer/c_CustomWebServices.html',
  /** REST API HTTP response codes. */
  codes: 'https://www.servicenow.com/docs/r/api-reference/rest-api-explorer/r_RESTAPIHTTPResponseCodes.html',
  /** Inbound REST API rate limiting: X-RateLimit-* headers, Retry-After and the 429 body. */
  rate: 'https://www.servicenow.com/docs/r/api-reference/rest-api-explorer/inbound-REST-API-rate-limiting.html',
  /** Operators available for filters and queries: IN ("subcategoryINdb2,sql server,oracle"). */
  operators: 'https://www.servicenow.com/docs/r/platform-user-interface/r_OpAvailableFiltersQueries.html',
} as const;

type Check = (value: string) => boolean;
const BOOLEAN: Check = (v) => v === 'true' || v === 'false';
const NUMBER: Check = (v) => /^\d+$/.test(v);
const FIELD = /^[a-z][a-z0-9_]*$/;

/**
 * The query parameters of GET /now/table/{tableName} (DOCS.table, "Supported request parameters"),
 * each with the values the page gives: Boolean flags true|false, sysparm_display_value
 * true|false|all, sysparm_view desktop|mobile|both, numbers for limit and offset ("Don't pass a
 * negative number in the sysparm_offset parameter"), sysparm_fields a comma-separated list.
 */
const PARAMETERS: Record<string, Check> = {
  sysparm_display_value: (v) => ['true', 'false', 'all'].includes(v),
  sysparm_exclude_reference_link: BOOLEAN,
  sysparm_fields: (v) => v.split(',').every((f) => FIELD.test(f)),
  sysparm_limit: (v) => NUMBER(v) && Number(v) > 0,
  sysparm_no_count: BOOLEAN,
  sysparm_offset: NUMBER,
  sysparm_query: (v) => v.split('^').every(documentedTerm),
  sysparm_query_category: (v) => v !== '',
  sysparm_query_no_domain: BOOLEAN,
  sysparm_suppress_pagination_header: BOOLEAN,
  sysparm_view: (v) => ['desktop', 'mobile', 'both'].includes(v),
};

/**
 * One term of an encoded query: `<col_name><operator><value>` with the operators DOCS.table lists
 * (=, !=, LIKE, STARTSWITH, ENDSWITH) and IN from DOCS.operators, or ORDERBY<col_name> /
 * ORDERBYDESC<col_name> (DOCS.table). DOCS.operators shows IN on choice fields; ServiceNow does
 * not spell out IN on a string field such as sys_properties.name, which is what we send.
 */
function documentedTerm(term: string): boolean {
  if (/^ORDERBY(DESC)?[a-z][a-z0-9_]*$/.test(term)) return true;
  const m = /^([a-z][a-z0-9_]*)(IN|!=|=|LIKE|STARTSWITH|ENDSWITH)(.+)$/.exec(term);
  if (!m) return false;
  // A value holds no query syntax: an IN list is names joined by commas.
  return m[2] === 'IN' ? (m[3] ?? '').split(',').every((v) => /^[\w.-]+$/.test(v)) : !/[\^]/.test(m[3] ?? '');
}

/** Versioned URL /api/now/{api_version}/table/{tableName}, or default URL /api/now/table/{tableName} (DOCS.table). */
const TABLE_PATH = /^\/api\/now(\/v\d+)?\/table\/([a-z0-9_]+)$/;

/** Every request the connector sent, checked against the documentation. */
function expectDocumented(log: readonly RequestLog[]): void {
  expect(log.length).toBeGreaterThan(0);
  for (const req of log) {
    expect(req.method, DOCS.table).toBe('GET');
    expect(req.path, DOCS.table).toMatch(TABLE_PATH);
    // "GET and HEAD operations require only the Accept header" (DOCS.rest); application/json is a supported type (DOCS.table).
    expect(req.headers.accept, DOCS.rest).toBe('application/json');
    expect(req.headers.authorization).toMatch(/^(Basic|Bearer) \S+$/);
    const query = new URLSearchParams(req.query);
    for (const [name, value] of query) {
      const check = PARAMETERS[name];
      expect(check, `${name} is a documented parameter of ${DOCS.table}`).toBeDefined();
      expect(check?.(value), `${name}=${value} is a documented value (${DOCS.table})`).toBe(true);
    }
    // Each parameter once: the page documents single values.
    expect(new Set(query.keys()).size).toBe([...query.keys()].length);
    // The count is what tells a hidden property from one not set: never switched off.
    expect(query.get('sysparm_no_count'), DOCS.table).not.toBe('true');
  }
}

const [contoso] = servicenowDemo as [DemoTenant];

describe('requests the ServiceNow connector sends', () => {
  it('are documented Table API requests: path, every query parameter and its value', async () => {
    // The demo user (a hidden property, v_plugin unreadable: names queries and a probe), an
    // admin (names queries only) and a user who may read neither table (two probes).
    const admin = tenantCopy(contoso);
    (admin.data as { users?: unknown }).users = { 'posture.reader': { roles: ['admin'] } };
    const none = tenantCopy(contoso);
    (none.data as { users?: unknown }).users = { 'posture.reader': { roles: [] } };
    const bearer = tenantCopy(contoso, { options: { auth: 'bearer' } });
    const sim = await simulate([contoso, admin, none, bearer].map((t, i) => ({ ...t, id: `${t.id}-${i}` })));
    for (const [i, t] of [contoso, admin, none, bearer].entries())
      await collect(servicenow, sim, { ...t, id: `${t.id}-${i}` });
    expectDocumented(sim.log);
    // Both kinds of request were sent: a names query and a one-row probe of each table.
    const queries = sim.log.map((l) => new URLSearchParams(l.query));
    expect(queries.some((q) => q.get('sysparm_query')?.startsWith('nameIN'))).toBe(true);
    expect(queries.some((q) => q.get('sysparm_query')?.startsWith('idIN'))).toBe(true);
    expect(
      sim.log.filter((l) => new URLSearchParams(l.query).get('sysparm_limit') === '1').map((l) => l.path),
    ).toEqual(expect.arrayContaining(['/api/now/table/sys_properties', '/api/now/table/v_plugin']));
  });
});

/** A loopback server that answers every request with `reply`, for documented payloads. */
async function documentedServer(
  reply: (req: IncomingMessage) => { status: number; headers?: Record<string, string>; body: unknown },
) {
  const log: RequestLog[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    log.push({
      tenant: '',
      method: req.method ?? '',
      path: url.pathname,
      query: url.search.slice(1),
      headers: req.headers,
    });
    const r = reply(req);
    res.writeHead(r.status, { 'content-type': 'application/json;charset=UTF-8', ...r.headers });
    res.end(JSON.stringify(r.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  disposeWhenDone(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  return { log, baseUrl: `http://127.0.0.1:${port}` };
}

async function collectFrom(baseUrl: string) {
  const clock = fakeClock();
  const instance = { ...demoInstance(contoso, baseUrl, '2026-11-01T00:00:00.000Z'), recommendations: true };
  const out = await servicenow.collect({
    instance,
    secret: contoso.token,
    clock,
    deadline: clock.now() + 120_000,
  });
  return { ...out, clock };
}

/**
 * DOCS.table, cURL example "Retrieve the first record from the Problem table"
 * (`/api/now/table/problem?sysparm_limit=1`): the response, trimmed to a few of its fields, with
 * a reference field as `{link, value}`.
 */
const DOCUMENTED_RECORD = {
  result: [
    {
      parent: '',
      made_sla: 'true',
      sys_updated_on: '2016-01-19 04:52:04',
      number: 'PRB0000050',
      sys_updated_by: 'glide.maint',
      opened_by: {
        link: 'https://instance.servicenow.com/api/now/table/sys_user/glide.maint',
        value: 'glide.maint',
      },
      sys_id: '04ce72c9c0a8016600b5b7f75ac67b5b',
      active: 'false',
    },
  ],
};

/** No row matches the names asked for; the whole table answers the documented record. */
function emptyButReadable(req: IncomingMessage) {
  const probe = new URL(req.url ?? '/', 'http://x').searchParams.get('sysparm_limit') === '1';
  return probe
    ? { status: 200, headers: { 'x-total-count': '1' }, body: DOCUMENTED_RECORD }
    : { status: 200, headers: { 'x-total-count': '0' }, body: { result: [] } };
}

describe('responses as ServiceNow documents them', () => {
  it('an empty result with its count means not set; a table that answers one record is readable', async () => {
    // "If a valid query returned no results, the response body contains only an empty result
    // array" (DOCS.table, status codes); X-Total-Count is the "Total count of records returned by the query".
    const server = await documentedServer(emptyButReadable);
    const { datasets } = await collectFrom(server.baseUrl);
    expectDocumented(server.log);
    const r = evaluateApp('servicenow', datasets);
    expect(r['snow.mfa']).toMatchObject({ outcome: 'fail', reason: 'not set: the platform default applies' });
    expect(r['snow.high_security']).toMatchObject({
      outcome: 'fail',
      reason: 'not set: the platform default applies',
    });
  });

  it('an empty result from a table that has no row for this user names the role (KB3047115)', async () => {
    const server = await documentedServer(() => ({
      status: 200,
      headers: { 'x-total-count': '0' },
      body: { result: [] },
    }));
    const { datasets } = await collectFrom(server.baseUrl);
    expect(datasets['servicenow:sys_properties']).toMatchObject({
      ok: false,
      missing: 'the admin role, or a role that a table-level read ACL on sys_properties grants',
    });
    expect(datasets['servicenow:plugins']).toMatchObject({ ok: false });
  });

  it('reads the error body {"error":{message, detail}, "status":"failure"} as one line', async () => {
    // DOCS.errors, "Error response format", word for word; 500 is a documented code (DOCS.codes).
    const body = { error: { message: 'My error message', detail: 'My details' }, status: 'failure' };
    expect(servicenowVendor.readError(body)).toEqual({
      message: 'My error message',
      line: 'My error message (My details)',
    });
    const server = await documentedServer(() => ({ status: 500, body }));
    const err = await collectFrom(server.baseUrl).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as Error).message).toBe('ServiceNow 500: My error message (My details)');
    expect(err).toMatchObject({ code: undefined, vendorMessage: 'My error message' });
  });

  it('waits out a documented 429 for its Retry-After', async () => {
    // DOCS.rate: the 429 body word for word, with Retry-After (seconds) and the X-RateLimit-* headers.
    let throttled = false;
    const server = await documentedServer((req) => {
      if (throttled) return emptyButReadable(req);
      throttled = true;
      return {
        status: 429,
        headers: {
          'retry-after': '30',
          'x-ratelimit-limit': '100',
          'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 30),
          'x-ratelimit-rule': '53c31514cd80bd22a8a0ae4b8197773b',
        },
        body: {
          error: {
            message: 'Rate limit exceeded',
            detail: 'Rate limit of 100 requests per hour for Table API exceeded',
          },
          status: 'failure',
        },
      };
    });
    const { clock, datasets } = await collectFrom(server.baseUrl);
    expect(clock.sleeps).toEqual([30_000]);
    expect(datasets['servicenow:sys_properties']?.ok).toBe(true);
  });

  it('reads the next page from the documented Link header', () => {
    // DOCS.table, response header Link: the example's four links (the page prints each without
    // its opening "<"; the angle brackets are RFC 8288's, which the example's ">;rel=" closes).
    const base = 'https://instance.servicenow.com/api/now/table/cmdb_ci';
    const link = [
      `<${base}?sysparm_offset=40&sysparm_limit=1000>;rel="next"`,
      `<${base}?sysparm_offset=40&sysparm_limit=1000>;rel="prev"`,
      `<${base}?sysparm_offset=0&sysparm_limit=1000>;rel="first"`,
      `<${base}?sysparm_offset=2780&sysparm_limit=1000>;rel="last"`,
    ].join(',');
    expect(parseLinks(link)).toEqual({
      next: `${base}?sysparm_offset=40&sysparm_limit=1000`,
      prev: `${base}?sysparm_offset=40&sysparm_limit=1000`,
      first: `${base}?sysparm_offset=0&sysparm_limit=1000`,
      last: `${base}?sysparm_offset=2780&sysparm_limit=1000`,
    });
  });
});

describe('the simulator answers as ServiceNow documents', () => {
  const get = (base: string, path: string, authorization: string) =>
    fetch(`${base}${path}`, { headers: { authorization, accept: 'application/json' } });
  const basic = (t: DemoTenant) =>
    `Basic ${Buffer.from(`${t.options?.username ?? ''}:${t.token}`).toString('base64')}`;

  it('a page: {"result":[…]} of string values, X-Total-Count, and a Link with documented rels', async () => {
    const sim = await simulate([contoso]);
    const res = await get(
      sim.baseUrl(contoso.id),
      '/api/now/table/sys_properties?sysparm_fields=name,value',
      basic(contoso),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: Record<string, unknown>[] };
    expect(Object.keys(body)).toEqual(['result']);
    for (const row of body.result) for (const v of Object.values(row)) expect(typeof v).toBe('string');
    expect(res.headers.get('x-total-count')).toMatch(/^\d+$/);
    const rels = Object.keys(parseLinks(res.headers.get('link') ?? ''));
    expect(
      rels.every((r) => ['first', 'prev', 'next', 'last'].includes(r)),
      DOCS.table,
    ).toBe(true);
  });

  it('an error: {"error":{message, detail}, "status":"failure"} with a documented status', async () => {
    const sim = await simulate([contoso]);
    const res = await get(sim.baseUrl(contoso.id), '/api/now/table/sys_properties', 'Basic d3Jvbmc6d3Jvbmc=');
    expect([400, 401, 403, 404, 405, 406, 415, 500], DOCS.codes).toContain(res.status);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort(), DOCS.errors).toEqual(['error', 'status']);
    expect(body.status).toBe('failure');
    expect(Object.keys(body.error as object).sort(), DOCS.errors).toEqual(['detail', 'message']);
  });
});
