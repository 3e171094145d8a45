import { describe, expect, it } from 'vitest';
import doc from '../fixtures/salesforce/objects-v62.json' with { type: 'json' };
import {
  API_VERSION,
  QueryResult,
  SOQL,
  salesforce,
  salesforceVendor,
} from '../../source/connectors/salesforce/index.js';
import { salesforceDemo, salesforceSim } from '../../source/simulator/salesforce.js';
import type { DemoTenant, SimReply } from '../../source/simulator/types.js';
import { collect, simulate, startSim, tenantCopy } from '../helpers/sim.js';

/**
 * Salesforce publishes no OpenAPI description of the objects posture reads, so these tests follow
 * its documentation field by field: every SOQL the connector sends names only fields that the
 * reference for the API version it calls lists, and the response and error shapes it accepts are
 * the documented ones. Each fact names its page (see test/fixtures/salesforce/).
 */

type ObjectDoc = { api: string; doc: string; fields: string[]; relationships?: Record<string, string> };
const OBJECTS = doc.objects as Record<string, ObjectDoc>;
const [contoso] = salesforceDemo as [DemoTenant];

/** SELECT fields, FROM object and WHERE fields of one of the connector's queries. */
function parts(soql: string) {
  const m = /^SELECT (.+) FROM (\w+)(?: WHERE (.+))?$/.exec(soql);
  if (!m?.[1] || !m[2]) throw new Error(`not a simple SOQL query: ${soql}`);
  const where = [...(m[3] ?? '').matchAll(/([\w.]+)\s*(?:=|!=)/g)].map((w) => w[1]!);
  return { fields: m[1].split(', '), object: m[2], where };
}

describe('Salesforce queries against the object references for the API version called', () => {
  it('calls the API version the fixture documents', () => {
    expect(API_VERSION).toBe(doc.apiVersion);
  });

  it.each(Object.entries(SOQL))('%s names only documented fields of documented objects', (name, soql) => {
    const { fields, object, where } = parts(soql);
    const ref = OBJECTS[object];
    expect(ref, `${object}: no reference page in the fixture`).toBeDefined();
    // The Tooling objects are queried through /tooling/query, the others through /query.
    expect(ref!.api, object).toBe(name === 'score' || name === 'risks' ? 'tooling' : 'rest');
    for (const path of [...fields, ...where]) {
      // A child-to-parent path: each step a documented relationship, the last a documented field.
      const steps = path.split('.');
      const field = steps.pop()!;
      let name = object;
      for (const step of steps) {
        const related = OBJECTS[name]!.relationships?.[step];
        expect(related, `${step} is not a relationship of ${name} (${OBJECTS[name]!.doc})`).toBeDefined();
        expect(OBJECTS[related!], `${related}: no reference page in the fixture`).toBeDefined();
        name = related!;
      }
      expect(OBJECTS[name]!.fields, `${field} is not a field of ${name} (${OBJECTS[name]!.doc})`).toContain(
        field,
      );
    }
  });

  it('asks TwoFactorMethodsInfo for every verifier Salesforce accepts for MFA, and for nothing else', () => {
    // object reference, TwoFactorMethodsInfo (252.0); Salesforce Help, "Configure the MFA Verification Methods".
    expect(parts(SOQL.mfa).fields.sort()).toEqual(
      [
        'UserId',
        'HasSalesforceAuthenticator',
        'HasTotp',
        'HasSecurityKey',
        'HasU2F',
        'HasBuiltInAuthenticator',
      ].sort(),
    );
  });
});

describe('Salesforce response shapes the connector accepts', () => {
  it('accepts the documented REST query result ("Execute a SOQL Query")', () => {
    const rest = doc.queryResult.rest;
    expect(QueryResult.safeParse(rest.example).success).toBe(true);
    expect(Object.keys(rest.example).sort()).toEqual([...rest.keys].sort());
  });

  it('accepts the documented Tooling QueryResult (Tooling API, "QueryResult")', () => {
    const tooling = doc.queryResult.tooling;
    expect(QueryResult.safeParse(tooling.example).success).toBe(true);
    expect(tooling.keys).toEqual(expect.arrayContaining(Object.keys(tooling.example)));
    // done and records are what paging relies on: without them the body is not a query result.
    const { done: _done, ...noDone } = tooling.example;
    expect(QueryResult.safeParse(noDone).success).toBe(false);
  });

  it('reads the documented JSON-array error body (REST API, "Status Codes and Error Responses")', () => {
    expect(salesforceVendor.readError(doc.errors.example)).toEqual({
      message: 'Session expired or invalid',
      code: 'INVALID_SESSION_ID',
      line: 'Session expired or invalid (INVALID_SESSION_ID)',
    });
    expect(salesforceVendor.readError(doc.errors.withFields)).toEqual({
      message: "No such column 'HasWebAuthn' on entity 'TwoFactorMethodsInfo'.",
      code: 'INVALID_FIELD',
      line: "No such column 'HasWebAuthn' on entity 'TwoFactorMethodsInfo'. (INVALID_FIELD)",
    });
  });

  it('the simulator answers each of the connector queries with exactly the documented envelope', async () => {
    const sim = await simulate([contoso]);
    await collect(salesforce, sim, contoso);
    const answers = sim.log.filter((r) => r.path.includes('/query'));
    expect(answers.length).toBeGreaterThan(4);
    // Replay each request through the vendor simulator to read its body.
    const base = sim.baseUrl(contoso.id);
    const token = await fetch(`${base}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: String(contoso.options?.clientId),
        client_secret: contoso.token,
      }),
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    for (const soql of Object.values(SOQL)) {
      const tooling = soql.includes('SecurityHealthCheck');
      const res = await fetch(
        `${base}/services/data/${API_VERSION}/${tooling ? 'tooling/' : ''}query?q=${encodeURIComponent(soql)}`,
        { headers: { authorization: `Bearer ${token.access_token}` } },
      );
      const body = (await res.json()) as Record<string, unknown>;
      if (res.status !== 200) {
        // The demo run-as user may not see TwoFactorMethodsInfo: a documented error array.
        expect(body).toEqual([{ message: expect.any(String), errorCode: 'INVALID_TYPE' }]);
        continue;
      }
      const keys = tooling ? doc.queryResult.tooling.keys : doc.queryResult.rest.keys;
      expect(keys, soql).toEqual(expect.arrayContaining(Object.keys(body)));
      expect(body, soql).toMatchObject({ done: expect.any(Boolean), totalSize: expect.any(Number) });
      for (const record of body.records as Record<string, unknown>[])
        expect(record.attributes).toEqual({ type: parts(soql).object, url: expect.any(String) });
    }
  });

  it('reads Health Check from the documented Tooling envelope served over HTTP', async () => {
    const example = doc.queryResult.tooling.example;
    const vendor = {
      ...salesforceSim,
      handle: (req: Parameters<typeof salesforceSim.handle>[0]): SimReply => {
        const reply = salesforceSim.handle(req);
        if (!(req.query.get('q') ?? '').includes('FROM SecurityHealthCheckRisks')) return reply;
        // The published example, with the DurableId the query asks for.
        const records = example.records.map((r) => ({
          ...r,
          DurableId: 'PasswordPolicies.maxLoginAttempts',
        }));
        return { status: 200, body: { ...example, records } };
      },
    };
    const t = tenantCopy(contoso, { pageSize: 2000 });
    const sim = await startSim({ tenants: [t], vendors: { salesforce: vendor } });
    const { datasets } = await collect(salesforce, sim, t);
    const risks = datasets['salesforce:healthcheck/risks'];
    expect(risks?.ok).toBe(true);
    const items = risks?.ok ? (risks.items as Record<string, unknown>[]) : [];
    expect(items[0]).toMatchObject({
      DurableId: 'PasswordPolicies.maxLoginAttempts',
      RiskType: 'MEETS_STANDARD',
    });
    // Every other setting the catalog needs is a placeholder that is never judged.
    expect(items.slice(1).every((i) => typeof i._unseen === 'string')).toBe(true);
  });
});
