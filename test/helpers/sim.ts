import { loadCatalog } from '../../source/catalog/index.js';
import { type Datasets, evaluate } from '../../source/domain/rules.js';
import type { Connector } from '../../source/connectors/types.js';
import type { App, Instance, Result } from '../../source/domain/schemas.js';
import { demoInstance } from '../../source/simulator/demo.js';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../source/simulator/server.js';
import type { DemoTenant } from '../../source/simulator/types.js';
import { VENDOR_SIMS } from '../../source/simulator/vendors.js';
import { disposeWhenDone } from './cleanup.js';
import { fakeClock } from './clock.js';
import { type Fault, FaultSet } from './faults.js';

/** Start a simulator; it is closed when the test (or, from beforeAll, the file) ends. */
export async function startSim(options: SimulatorOptions): Promise<Simulator> {
  const sim = await startSimulator(options);
  disposeWhenDone(() => sim.close());
  return sim;
}

/** A simulator whose requests pass through a fault set a test can add to and clear. */
export type FaultySimulator = Simulator & { readonly faults: FaultSet };

/** Start the simulator with some demo tenants and faults; it is closed when the test (or, from beforeAll, the file) ends. */
export async function simulate(tenants: DemoTenant[], faults: Fault[] = []): Promise<FaultySimulator> {
  const set = new FaultSet(faults);
  const sim = await startSim({ tenants, vendors: VENDOR_SIMS, intercept: set });
  return Object.assign(sim, { faults: set });
}

/** An instance of a tenant, pointing at the simulator. */
export function instanceFor(sim: Simulator, t: DemoTenant, extra: Partial<Instance> = {}): Instance {
  return {
    ...demoInstance(t, sim.baseUrl(t.id), '2026-11-01T00:00:00.000Z'),
    recommendations: true,
    ...extra,
  };
}

/** Run a connector against a simulated tenant with a fake clock. */
export async function collect(connector: Connector, sim: Simulator, t: DemoTenant, secret = t.token) {
  const clock = fakeClock();
  const out = await connector.collect({
    instance: instanceFor(sim, t),
    secret,
    clock,
    deadline: clock.now() + 120_000,
  });
  return { ...out, clock };
}

/** A deep copy of a demo tenant, to change for one test. */
export function tenantCopy(t: DemoTenant, patch: Partial<DemoTenant> = {}): DemoTenant {
  return { ...structuredClone(t), ...patch };
}

/** Every control of an app evaluated against what a connector read, by control id. */
export function evaluateApp(app: App, datasets: Datasets): Record<string, Result> {
  return Object.fromEntries(
    loadCatalog()
      .forApp(app)
      .map((c) => [c.id, evaluate(c, datasets)]),
  );
}
