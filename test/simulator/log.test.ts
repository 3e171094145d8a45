import { describe, expect, it } from 'vitest';
import { DEMO_TENANTS, VENDOR_SIMS } from '../../source/simulator/vendors.js';
import { startSim } from '../helpers/sim.js';

describe("the simulator's request log", () => {
  it('keeps the latest requests only: the demo simulator runs as long as its console', async () => {
    const sim = await startSim({ tenants: [DEMO_TENANTS[0]!], vendors: VENDOR_SIMS, logLimit: 50 });
    // Requests of no tenant: answered at once (404), logged all the same.
    for (let i = 0; i < 130; i++) await fetch(`${sim.origin}/none/${i}`);
    expect(sim.log.length).toBeLessThanOrEqual(50);
    expect(sim.log.length).toBeGreaterThan(40);
    // The newest stay, in order.
    const paths = sim.log.map((r) => Number(r.path.slice(1)));
    expect(paths.at(-1)).toBe(129);
    expect(paths).toEqual(paths.map((_, i) => 130 - paths.length + i));
  });

  it('keeps none with a limit of 0, and counts every request all the same', async () => {
    const sim = await startSim({ tenants: [DEMO_TENANTS[0]!], vendors: VENDOR_SIMS, logLimit: 0 });
    for (let i = 0; i < 5; i++) await fetch(`${sim.origin}/none/${i}`);
    expect(sim.log).toEqual([]);
    expect(sim.served).toBe(5);
  });
});
