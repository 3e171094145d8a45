import { describe, expect, it } from 'vitest';
import { CONNECTORS } from '../../source/connectors/registry.js';
import { ConnectorError, type HttpLimits } from '../../source/connectors/http.js';
import { DEMO_TENANTS } from '../../source/simulator/vendors.js';
import type { DemoTenant } from '../../source/simulator/types.js';
import { fakeClock } from '../helpers/clock.js';
import { instanceFor, simulate } from '../helpers/sim.js';

/**
 * Every connector spends one poll budget per instance, over every HTTP client it uses (Salesforce
 * signs in with one and queries with another), and ends with the budget's one line.
 */

const tenants = [...new Map(DEMO_TENANTS.map((t) => [t.app, t])).values()];

async function collectWith(t: DemoTenant, limits: HttpLimits) {
  const sim = await simulate([t]);
  const clock = fakeClock();
  const run = CONNECTORS[t.app].collect({
    instance: instanceFor(sim, t),
    secret: t.token,
    clock,
    deadline: clock.now() + 120_000,
    limits,
  });
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, sent: sim.log.filter((r) => r.tenant === t.id).length };
}

describe('the poll budget, per connector', () => {
  it.each(tenants.map((t) => [t.app, t] as const))('%s stops at its budget of requests', async (_, t) => {
    const { error, sent } = await collectWith(t, { maxPollRequests: 2 });
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).kind).toBe('budget');
    expect((error as ConnectorError).message).toMatch(
      /^(Okta|GitHub|Salesforce|ServiceNow|Microsoft Graph): this poll went over its budget of 2 requests \(a tenant this large needs the instance option maxRequests=4 or more\)$/,
    );
    expect(sent).toBe(2);
  });

  it.each(tenants.map((t) => [t.app, t] as const))('%s counts the items of its paged lists', async (_, t) => {
    const { error } = await collectWith(t, { maxPollItems: 1 });
    expect((error as ConnectorError).message).toMatch(/went over its budget of 1 item /);
  });
});
