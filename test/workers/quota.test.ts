import { describe, expect, it } from 'vitest';
import { decide, fold, readRateLimit, SALESFORCE_RECHECK_MS, tenantKey } from '../../source/workers/quota.js';
import { instance } from '../commands/helpers.js';

const now = Date.parse('2026-11-03T10:00:00Z');
const date = new Date(now).toUTCString();
const res = (headers: Record<string, string>, status = 200) => ({ status, headers });

describe('rate-limit headers, as each vendor documents them', () => {
  it("Okta: X-Rate-Limit-Limit, -Remaining and -Reset (epoch seconds, read against the server's Date)", () => {
    const reset = Math.floor(now / 1000) + 42;
    // Header names arrive lower-cased from Node; the values as Okta's rate-limit page shows them.
    const h = {
      'x-rate-limit-limit': '600',
      'x-rate-limit-remaining': '598',
      'x-rate-limit-reset': String(reset),
      date,
    };
    expect(readRateLimit('okta', res(h), now)).toEqual({
      kind: 'remaining',
      limit: 600,
      remaining: 598,
      resetAt: reset * 1000,
    });
    // A server clock 10 s ahead of ours: the reset is 42 s after the server's now, not ours.
    const ahead = { ...h, date: new Date(now + 10_000).toUTCString() };
    expect(readRateLimit('okta', res(ahead), now)).toMatchObject({ resetAt: reset * 1000 - 10_000 });
    // Duplicated headers (OKTA-112507) are not trusted.
    expect(
      readRateLimit('okta', res({ ...h, 'x-rate-limit-reset': `${reset}, ${reset}` }), now),
    ).toBeUndefined();
  });

  it('GitHub: x-ratelimit-limit, -remaining and -reset, per token and hour', () => {
    const reset = Math.floor(now / 1000) + 1800;
    const h = {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-used': '1',
      'x-ratelimit-reset': String(reset),
      'x-ratelimit-resource': 'core',
    };
    expect(readRateLimit('github', res(h), now)).toEqual({
      kind: 'remaining',
      limit: 5000,
      remaining: 4999,
      resetAt: reset * 1000,
    });
    expect(readRateLimit('github', res({}), now)).toBeUndefined();
  });

  it('Salesforce: Sforce-Limit-Info api-usage=used/max, the org’s rolling 24 hours, asked again after an hour', () => {
    expect(readRateLimit('salesforce', res({ 'sforce-limit-info': 'api-usage=18/5000' }), now)).toEqual({
      kind: 'remaining',
      limit: 5000,
      remaining: 4982,
      resetAt: now + SALESFORCE_RECHECK_MS,
    });
    // The older form, with the connected app's own usage after it.
    const older = 'api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)';
    expect(readRateLimit('salesforce', res({ 'sforce-limit-info': older }), now)).toMatchObject({
      remaining: 4975,
    });
  });

  it("ServiceNow: a rate-limit rule's X-RateLimit-Limit and -Reset (no remaining: counted), a 429's Retry-After", () => {
    const reset = Math.floor(now / 1000) + 900;
    const h = {
      'x-ratelimit-limit': '1000',
      'x-ratelimit-reset': String(reset),
      'x-ratelimit-rule': 'a1b2c3',
    };
    expect(readRateLimit('servicenow', res(h), now)).toEqual({
      kind: 'counted',
      limit: 1000,
      resetAt: reset * 1000,
    });
    expect(readRateLimit('servicenow', res({ ...h, 'retry-after': '30' }, 429), now)).toEqual({
      kind: 'throttled',
      resetAt: now + 30_000,
    });
    // No rule, no headers: nothing known.
    expect(readRateLimit('servicenow', res({}), now)).toBeUndefined();
  });

  it('Microsoft Graph: only a 429 (or 503) with Retry-After, which may be fractional', () => {
    expect(readRateLimit('m365', res({ 'retry-after': '2.128' }, 429), now)).toEqual({
      kind: 'throttled',
      resetAt: now + 2128,
    });
    expect(readRateLimit('m365', res({ 'retry-after': '10' }, 503), now)).toEqual({
      kind: 'throttled',
      resetAt: now + 10_000,
    });
    expect(readRateLimit('m365', res({}), now)).toBeUndefined();
  });
});

describe('a tenant budget', () => {
  const window = { limit: 100, remaining: 50, resetAt: now + 60_000 };

  it('keeps the lower remaining within a window (claims are ahead of what the vendor has counted), and takes a new window whole', () => {
    expect(
      fold(
        { ...window, remaining: 30 },
        { kind: 'remaining', limit: 100, remaining: 45, resetAt: now + 60_000 },
        now,
      ),
    ).toEqual({ ...window, remaining: 30 });
    expect(
      fold(window, { kind: 'remaining', limit: 100, remaining: 45, resetAt: now + 60_000 }, now),
    ).toEqual({ ...window, remaining: 45 });
    expect(
      fold(window, { kind: 'remaining', limit: 100, remaining: 99, resetAt: now + 120_000 }, now),
    ).toEqual({ limit: 100, remaining: 99, resetAt: now + 120_000 });
    // A window that has passed is not kept.
    expect(
      fold(
        { ...window, resetAt: now - 1 },
        { kind: 'remaining', limit: 100, remaining: 99, resetAt: now + 60_000 },
        now,
      ),
    ).toMatchObject({ remaining: 99 });
  });

  it('counts requests where the vendor sends no remaining, and stops at a throttle until its wait', () => {
    let b = fold(undefined, { kind: 'counted', limit: 3, resetAt: now + 60_000 }, now);
    b = fold(b, { kind: 'counted', limit: 3, resetAt: now + 60_000 }, now);
    expect(b).toEqual({ limit: 3, remaining: 1, resetAt: now + 60_000 });
    expect(fold(b, { kind: 'throttled', resetAt: now + 90_000 }, now)).toEqual({
      limit: 3,
      remaining: 0,
      resetAt: now + 90_000,
    });
  });

  it('lets a poll start only when it and the reserve fit, else defers it to the reset', () => {
    // Okta keeps a tenth: 10 of 100.
    expect(decide({ ...window, remaining: 15 }, 'okta', 5, now)).toEqual({
      ok: true,
      budget: { ...window, remaining: 10 },
    });
    expect(decide({ ...window, remaining: 14 }, 'okta', 5, now)).toEqual({ ok: false, until: now + 60_000 });
    // Salesforce keeps a fifth for the customer's own integrations.
    expect(decide({ limit: 5000, remaining: 1050, resetAt: now + 1 }, 'salesforce', 100, now)).toMatchObject({
      ok: false,
    });
    expect(decide({ limit: 5000, remaining: 1100, resetAt: now + 1 }, 'salesforce', 100, now)).toMatchObject({
      ok: true,
    });
    // Not known, or the window has passed: the poll goes and its headers tell.
    expect(decide(undefined, 'okta', 500, now)).toMatchObject({ ok: true });
    expect(decide({ ...window, remaining: 0, resetAt: now }, 'okta', 5, now)).toMatchObject({ ok: true });
    // A poll larger than a window waits for a full one, then goes.
    expect(decide({ limit: 5000, remaining: 5000, resetAt: now + 1 }, 'github', 20_000, now)).toMatchObject({
      ok: true,
    });
    expect(decide({ limit: 5000, remaining: 4000, resetAt: now + 1 }, 'github', 20_000, now)).toMatchObject({
      ok: false,
    });
  });

  it("is a GitHub token's (every organisation read with it), and a tenant's elsewhere; never the secret", () => {
    const gh = (org: string, variable: string) =>
      tenantKey(
        instance(org, {
          app: 'github',
          baseUrl: 'https://api.github.com',
          credential: { kind: 'env', variable },
        }),
      );
    expect(gh('a', 'GH_TOKEN')).toBe(gh('b', 'GH_TOKEN'));
    expect(gh('a', 'GH_TOKEN')).not.toBe(gh('a', 'GH_OTHER'));
    expect(tenantKey(instance('x', { baseUrl: 'https://contoso.okta.com/' }))).toBe('okta contoso.okta.com');
  });
});
