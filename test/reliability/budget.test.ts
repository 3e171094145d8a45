import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../source/catalog/index.js';
import { CONNECTORS } from '../../source/connectors/registry.js';
import type { HttpLimits } from '../../source/connectors/http.js';
import { type PollDeps, pollInstances } from '../../source/poller/poller.js';
import type { Simulator } from '../../source/simulator/server.js';
import type { DemoTenant } from '../../source/simulator/types.js';
import { fakeClock } from '../helpers/clock.js';
import { simulate } from '../helpers/sim.js';
import { openStore } from '../helpers/store.js';
import { docFor, envFor, oktaCopy, oktaEu, tempDir, writeStore } from './helpers.js';

/**
 * A hostile Okta tenant that fans out: thousands of active sign-on policies, each of which costs
 * the connector a rules request, each with rules. A poll of it must stop at the poll's budget with
 * one clear line, its memory bounded, while the other instance of the same poll is read as usual.
 */

const POLICIES = 3_000;
const RULES = 4;

function fanOut(): DemoTenant {
  const t = oktaCopy('okta-fanout', { pageSize: 200 });
  const d = t.data as { policies: Record<string, unknown>[] };
  const password = d.policies.filter((p) => p.type === 'PASSWORD');
  const policies = Array.from({ length: POLICIES }, (_, i) => ({
    id: `00pfan${String(i).padStart(6, '0')}`,
    type: 'OKTA_SIGN_ON',
    name: `Fan-out policy ${i} ${'x'.repeat(200)}`,
    status: 'ACTIVE',
    priority: i + 1,
    rules: Array.from({ length: RULES }, (_, r) => ({
      id: `0prfan${i}r${r}`,
      name: `Rule ${r} of policy ${i}`,
      status: 'ACTIVE',
      actions: { signon: { access: 'ALLOW', requireFactor: r % 2 === 0 } },
    })),
  }));
  d.policies = [...password, ...policies];
  return t;
}

const catalog = loadCatalog();
const requestsOf = (s: Simulator, tenant: string) => s.log.filter((r) => r.tenant === tenant).length;

/** Poll the fan-out tenant alone, its instance set up with `options`, under `limits`. */
async function pollAlone(options: Record<string, string>, limits?: HttpLimits) {
  const hostile = fanOut();
  const sim = await simulate([hostile]);
  const file = join(tempDir(), 'store.json');
  writeStore(file, docFor(sim, [hostile], { options }));
  const store = await openStore(file);
  const [summary] = await pollInstances([hostile.id], {
    store,
    catalog,
    connectors: CONNECTORS,
    env: envFor([hostile]),
    clock: fakeClock(),
    ...(limits ? { limits } : {}),
  });
  return { summary, sim, hostile };
}

async function pollBoth(limits: HttpLimits) {
  const hostile = fanOut();
  const tenants = [oktaEu, hostile];
  const sim = await simulate(tenants);
  const file = join(tempDir(), 'store.json');
  writeStore(file, docFor(sim, tenants));
  const store = await openStore(file);
  const deps: PollDeps = {
    store,
    catalog,
    connectors: CONNECTORS,
    env: envFor(tenants),
    clock: fakeClock(),
    limits,
  };
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
  try {
    const summaries = await pollInstances([oktaEu.id, hostile.id], deps);
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    const of = (id: string) => summaries.find((s) => s.instanceId === id)!;
    return { sim, store, hostile: of(hostile.id), other: of(oktaEu.id), growth: peak - before };
  } finally {
    clearInterval(sample);
  }
}

describe('a poll budget: a tenant that fans out ends its own poll with one line, memory bounded', () => {
  it('stops at the budget of requests', async () => {
    const { sim, hostile, other, growth, store } = await pollBoth({ maxPollRequests: 300 });
    expect(hostile.outcome).toBe('error');
    expect(hostile.error).toBe(
      'Okta: this poll went over its budget of 300 requests (a tenant this large needs the instance option maxRequests=600 or more)',
    );
    // Not one request past the budget reached the tenant.
    expect(requestsOf(sim, 'okta-fanout')).toBe(300);
    expect(other.outcome).toBe('ok');
    expect(store.doc.instances.find((i) => i.id === 'okta-fanout')?.lastPoll?.error).toBe(hostile.error);
    // Generous: the whole tenant served as JSON is about 3 MB; the poll must not hold much more.
    expect(growth).toBeLessThan(96 * 1024 * 1024);
  });

  it('stops at the budget of items collected from paged lists', async () => {
    const { hostile, other } = await pollBoth({ maxPollItems: 1_000 });
    expect(hostile.error).toBe(
      'Okta: this poll went over its budget of 1,000 items (a tenant this large needs the instance option maxItems=2000 or more)',
    );
    expect(other.outcome).toBe('ok');
  });

  it('stops at the budget of bytes read', async () => {
    const { hostile, other } = await pollBoth({ maxPollBytes: 512 * 1024 });
    expect(hostile.error).toBe(
      'Okta: this poll went over its budget of 512 KB read (a tenant this large needs the instance option maxMegabytes=1 or more)',
    );
    expect(other.outcome).toBe('ok');
  });

  it('takes a larger budget from the instance options', async () => {
    const { summary } = await pollAlone({ maxRequests: '5000' }, { maxPollRequests: 300 });
    expect(summary).toMatchObject({ outcome: 'ok' });
    expect(summary!.requests).toBeGreaterThan(POLICIES);
  });

  it('refuses a budget option that is not a whole number, in one line', async () => {
    const { summary, sim, hostile } = await pollAlone({ maxRequests: 'lots' });
    expect(summary?.error).toBe('the instance option maxRequests must be a whole number above 0, not "lots"');
    expect(requestsOf(sim, hostile.id)).toBe(0);
  });
});
