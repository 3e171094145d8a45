import { describe, expect, it } from 'vitest';
import { CONNECTORS } from '../../source/connectors/registry.js';
import { DEMO_TENANTS, VENDOR_SIMS } from '../../source/simulator/vendors.js';
import type { DemoTenant } from '../../source/simulator/types.js';
import { tenantKey } from '../../source/workers/quota.js';
import { fakeClock } from '../helpers/clock.js';
import { instanceFor, startSim } from '../helpers/sim.js';

/** Two tenants of each app, as a fleet has them (the benchmark's fleet clones the demo's). */
const fleet: DemoTenant[] = [...new Map(DEMO_TENANTS.map((t) => [t.app, t])).values()].flatMap((t) => [
  { ...t, id: `${t.id}-1` },
  { ...t, id: `${t.id}-2` },
]);

describe('a simulator with a host for each tenant, as a vendor has', () => {
  it("gives each tenant a budget of its own, where one host's tenants share one", async () => {
    const shared = await startSim({ tenants: fleet, vendors: VENDOR_SIMS });
    const own = await startSim({ tenants: fleet, vendors: VENDOR_SIMS, hostPerTenant: true });
    for (const app of new Set(fleet.map((t) => t.app))) {
      const [a, b] = fleet.filter((t) => t.app === app) as [DemoTenant, DemoTenant];
      // GitHub's budget is its token's (the same variable here), Microsoft 365's its tenant id's.
      if (app === 'github' || app === 'm365') continue;
      expect(tenantKey(instanceFor(shared, a))).toBe(tenantKey(instanceFor(shared, b)));
      expect(tenantKey(instanceFor(own, a))).not.toBe(tenantKey(instanceFor(own, b)));
    }
  });

  it.each(fleet.filter((t) => t.id.endsWith('-2')).map((t) => [t.app, t] as const))(
    "%s: a poll through the tenant's own host reads it whole, its paging links on that host",
    async (_, t) => {
      const sim = await startSim({ tenants: fleet, vendors: VENDOR_SIMS, hostPerTenant: true });
      const clock = fakeClock();
      const instance = instanceFor(sim, t);
      const out = await CONNECTORS[t.app].collect({
        instance,
        secret: t.token,
        clock,
        deadline: clock.now() + 120_000,
      });
      const mine = sim.log.filter((r) => r.tenant === t.id);
      expect(out.requests).toBe(mine.length);
      expect(mine.length).toBeGreaterThan(1);
      expect(new Set(mine.map((r) => r.headers.host))).toEqual(new Set([new URL(instance.baseUrl).host]));
    },
  );
});
