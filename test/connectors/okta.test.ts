import type { Datasets } from '../../source/domain/rules.js';
import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../source/connectors/http.js';
import { okta } from '../../source/connectors/okta/index.js';
import { oktaDemo } from '../../source/simulator/okta.js';
import type { DemoTenant } from '../../source/simulator/types.js';
import { collect, evaluateApp, simulate, tenantCopy } from '../helpers/sim.js';

const [eu, us] = oktaDemo as [DemoTenant, DemoTenant];

const resultsOf = (datasets: Datasets) => evaluateApp('okta', datasets);

describe('Okta connector against the simulator', () => {
  it('reads every dataset with SSWS auth and evaluates the demo tenants differently', async () => {
    const sim = await simulate([eu, us]);
    const a = resultsOf((await collect(okta, sim, eu)).datasets);
    const b = resultsOf((await collect(okta, sim, us)).datasets);
    expect(a['okta.pwd.min_length']?.outcome).toBe('pass');
    expect(b['okta.pwd.min_length']).toMatchObject({ outcome: 'partial', count: 1, total: 3 });
    expect(a['okta.admin_console.mfa']?.outcome).toBe('pass');
    expect(b['okta.admin_console.mfa']?.outcome).toBe('fail');
    // The US token may not read log streams: unknown with the reason, never a fail.
    expect(b['okta.logstream']?.outcome).toBe('unknown');
    expect(b['okta.logstream']?.reason).toMatch(/may not read/);
    expect(a['okta.logstream']?.outcome).toBe('pass');
    const auth = sim.log.map((r) => r.headers.authorization);
    expect(new Set(auth)).toEqual(new Set([`SSWS ${eu.token}`, `SSWS ${us.token}`]));
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
