import { FLEET, generateFleet } from '../../benchmarks/fleet.js';
import { loadCatalog } from '../../source/catalog/index.js';
import type { Result } from '../../source/domain/schemas.js';
import type { PolledInstance } from '../../source/store/api.js';
import type { PgStore } from '../../source/store/postgres/store.js';
import { openPg } from './postgres.js';

const catalog = loadCatalog();
const okta = catalog.forApp('okta');

/** A small fleet written as `store copy` writes one, by a store that keeps summaries; committed. */
export async function fleetStore(url: string, instances: number): Promise<PgStore> {
  const { doc, polls } = generateFleet(catalog, { ...FLEET, instances, days: 2 });
  const s = await openPg(url, { catalog: catalog.byId, operator: 'a' });
  await s.update((d, history) => {
    Object.assign(d, {
      instances: doc.instances,
      results: doc.results,
      statuses: doc.statuses,
      daily: doc.daily,
    });
    for (const p of polls) history.push(p);
  });
  await s.flush();
  return s;
}

/** Every Okta control's result: the first `failing` fail, the rest pass. */
export const oktaResults = (failing: number): Result[] =>
  okta.map((c, n) => ({ controlId: c.id, outcome: n < failing ? 'fail' : 'pass', evidence: [] }));

/** A worker's successful poll of an Okta instance, as `commitPolls` takes it. */
export const polled = (id: string, failing: number, at = new Date()): PolledInstance => ({
  instanceId: id,
  at: at.toISOString(),
  outcome: 'ok',
  durationMs: 40,
  results: oktaResults(failing),
});
