import type { Instance } from '../domain/schemas.js';
import type { Store } from '../store/store.js';
import { type Simulator, startSimulator } from './server.js';
import type { DemoTenant } from './types.js';
import { DEMO_TENANTS, VENDOR_SIMS } from './vendors.js';

/**
 * The demo workspace: the simulator on loopback serving the demo tenants, their tokens in this
 * process's environment (demo values only), and one instance per tenant in the store. The
 * simulator's port changes per run, so each instance's base URL is brought up to date.
 */
export async function startDemo(store: Store, env: NodeJS.ProcessEnv = process.env): Promise<Simulator> {
  const sim = await startSimulator({ tenants: DEMO_TENANTS, vendors: VENDOR_SIMS });
  for (const t of DEMO_TENANTS) env[t.variable] = t.token;
  const now = new Date().toISOString();
  const change = (doc: Store['doc']) => {
    for (const t of DEMO_TENANTS) {
      const existing = doc.instances.find((i) => i.id === t.id);
      if (existing) {
        existing.baseUrl = sim.baseUrl(t.id);
        continue;
      }
      const instance = demoInstance(t, sim.baseUrl(t.id), now);
      doc.instances.push(instance);
    }
  };
  if (store.readOnly) store.patchInMemory(change);
  else await store.update(change);
  return sim;
}

/** The instance of a demo tenant, served at `baseUrl`; its token is read from the tenant's variable. */
export function demoInstance(t: DemoTenant, baseUrl: string, createdAt: string): Instance {
  return {
    id: t.id,
    app: t.app,
    name: t.name,
    baseUrl,
    credential: { kind: 'env', variable: t.variable },
    options: t.options ?? {},
    recommendations: t.recommendations,
    pollIntervalMinutes: 60,
    createdAt,
  };
}
