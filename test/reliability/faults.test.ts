import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../source/catalog/index.js';
import { CONNECTORS } from '../../source/connectors/registry.js';
import { StoreDocSchema } from '../../source/domain/schemas.js';
import { buildActions, scoreByInstance } from '../../source/domain/scoring.js';
import { type PollDeps, pollInstances } from '../../source/poller/poller.js';
import type { Simulator } from '../../source/simulator/server.js';
import type { Store } from '../../source/store/store.js';
import { fakeClock } from '../helpers/clock.js';
import type { Fault } from '../helpers/faults.js';
import { simulate } from '../helpers/sim.js';
import { openStore } from '../helpers/store.js';
import { docFor, envFor, oktaCopy, oktaEu, oktaUs, tempDir, writeStore } from './helpers.js';

/**
 * Every fault the simulator injects, against one of three Okta instances in one store, polled
 * through pollInstances: the faulty instance gets one clear error and keeps its earlier results and
 * score; the others are polled normally; requests and time per request stay bounded; nothing throws.
 */

const faulty = oktaCopy('okta-faulty');
const tenants = [oktaEu, oktaUs, faulty];
const catalog = loadCatalog();
const TIMEOUT_MS = 250;
const RETRIES = 2;
const limits = { requestTimeoutMs: TIMEOUT_MS, maxBodyBytes: 256 * 1024, retries: RETRIES, retryBaseMs: 10 };

type Case = {
  name: string;
  fault: Omit<Fault, 'tenant'>;
  /** The error the instance shows; undefined when the poll should get through. */
  error?: RegExp;
  /** Requests beyond a clean poll's that the fault may cost. */
  extra: number;
};

const DID_NOT_ANSWER =
  /^Okta did not answer \(127\.0\.0\.1:\d+: no complete answer within 250 ms, 3 attempts\)$/;
const CASES: Case[] = [
  { name: 'latency within the time limit', fault: { kind: 'latency', ms: 40 }, extra: 0 },
  {
    name: 'latency beyond the time limit',
    fault: { kind: 'latency', ms: 1500, path: '/api/v1/policies' },
    error: DID_NOT_ANSWER,
    extra: RETRIES + 1,
  },
  {
    name: 'a request that never answers',
    fault: { kind: 'timeout' },
    error: DID_NOT_ANSWER,
    extra: RETRIES + 1,
  },
  {
    name: 'a lasting 5xx burst',
    fault: { kind: 'status', status: 503, path: '/api/v1/threats/configuration' },
    error: /^Okta 503: Internal Server Error \(simulated failure\) \(E0000009\)$/,
    extra: RETRIES + 1,
  },
  { name: 'a short 5xx burst', fault: { kind: 'status', status: 502, times: 2 }, extra: 2 },
  {
    name: 'a 429 storm',
    fault: { kind: 'rateLimit', resetSeconds: 5 },
    error: /^rate limited by Okta until \d{4}-\d\d-\d\dT[\d:.]+Z$/,
    extra: 4,
  },
  {
    name: 'a connection reset in the middle of a body',
    fault: { kind: 'reset', path: '/rules' },
    error: /^Okta did not answer \(127\.0\.0\.1:\d+: connection reset, 3 attempts\)$/,
    extra: RETRIES + 1,
  },
  {
    name: 'truncated JSON',
    fault: { kind: 'truncate', path: '/api/v1/authenticators' },
    error: /^Okta returned malformed or truncated JSON \(\/okta-faulty\/api\/v1\/authenticators\)$/,
    extra: 1,
  },
  {
    name: 'an HTML error page with status 200',
    fault: { kind: 'html', path: '/api/v1/policies' },
    error: /^Okta returned an HTML page instead of JSON \(\/okta-faulty\/api\/v1\/policies\)$/,
    extra: 1,
  },
  {
    name: 'wrong types in a list',
    fault: { kind: 'wrongTypes', path: '/api/v1/policies' },
    error: /^unexpected response for password policies at 0: /,
    extra: 1,
  },
  {
    name: 'wrong types in an object',
    fault: { kind: 'wrongTypes', path: '/api/v1/org/privacy/oktaSupport' },
    error: /^unexpected response for Okta Support access: /,
    extra: 1,
  },
  {
    name: 'a body far larger than any real response',
    fault: { kind: 'huge', path: '/api/v1/api-tokens' },
    error: /^Okta sent a response over 256 KB \(\/okta-faulty\/api\/v1\/api-tokens\); refused$/,
    extra: 1,
  },
  {
    name: 'a server that trickles bytes',
    fault: { kind: 'trickle', ms: 5, path: '/api/v1/policies' },
    error: DID_NOT_ANSWER,
    extra: RETRIES + 1,
  },
];

const requestsOf = (s: Simulator, tenant: string) => s.log.filter((r) => r.tenant === tenant).length;
const scoreOf = (s: Store, id: string) =>
  scoreByInstance(buildActions(s.doc, catalog.byId, new Date('2026-11-02T00:00:00Z'))).get(id);

describe('faults: one instance fails clearly, the others carry on, nothing is lost', () => {
  it.each(CASES)('$name', async ({ fault, error, extra }) => {
    const sim = await simulate(tenants);
    const file = join(tempDir(), 'store.json');
    writeStore(file, docFor(sim, tenants));
    const store = await openStore(file);
    const deps: PollDeps = {
      store,
      catalog,
      connectors: CONNECTORS,
      env: envFor(tenants),
      clock: fakeClock(), // rate-limit waits pass at once; request time limits are real
      limits,
    };
    const ids = tenants.map((t) => t.id);

    // A clean poll first: the results and score that must survive the fault.
    const first = await pollInstances(ids, deps);
    expect(first.map((s) => s.outcome)).toEqual(['ok', 'ok', 'ok']);
    const clean = Object.fromEntries(tenants.map((t) => [t.id, requestsOf(sim!, t.id)]));
    const before = structuredClone(store.doc.results[faulty.id]);
    const scoreBefore = scoreOf(store, faulty.id);
    expect(scoreBefore?.possible).toBeGreaterThan(0);

    sim.log.length = 0;
    sim.faults.add({ ...fault, tenant: faulty.id });
    const started = Date.now();
    const second = await pollInstances(ids, deps); // resolves: a fault is an outcome, never a throw
    const elapsed = Date.now() - started;

    const bad = store.doc.instances.find((i) => i.id === faulty.id)!;
    if (error) {
      expect(second.find((s) => s.instanceId === faulty.id)?.outcome).toBe('error');
      expect(bad.lastPoll?.outcome).toBe('error');
      expect(bad.lastPoll?.error).toMatch(error);
      expect(bad.lastPoll?.error).not.toMatch(/\n|undefined|\[object|token-okta-faulty/);
      // Its earlier results and score stay.
      expect(store.doc.results[faulty.id]).toEqual(before);
      expect(scoreOf(store, faulty.id)).toEqual(scoreBefore);
    } else {
      expect(bad.lastPoll).toMatchObject({ outcome: 'ok' });
      expect(store.doc.results[faulty.id]?.results).toEqual(before?.results);
    }
    // The others were polled normally, with the same requests as before.
    for (const t of [oktaEu, oktaUs]) {
      expect(store.doc.instances.find((i) => i.id === t.id)?.lastPoll).toMatchObject({ outcome: 'ok' });
      expect(requestsOf(sim, t.id)).toBe(clean[t.id]);
    }
    // Bounded requests: at most a clean poll's plus what this fault may cost.
    expect(requestsOf(sim, faulty.id)).toBeLessThanOrEqual(clean[faulty.id]! + extra);
    // Bounded time: every attempt is capped by the request time limit.
    expect(elapsed).toBeLessThan((RETRIES + 1) * TIMEOUT_MS + 2000);
    // What the console will read is on disk, not only in memory.
    const onDisk = StoreDocSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    expect(onDisk.instances.find((i) => i.id === faulty.id)?.lastPoll).toEqual(bad.lastPoll);
    expect(onDisk.results[faulty.id]).toEqual(store.doc.results[faulty.id]);
  });

  it('tries every fault kind the fault set has', async () => {
    const { FAULT_KINDS } = await import('../helpers/faults.js');
    expect(new Set(CASES.map((c) => c.fault.kind))).toEqual(new Set(FAULT_KINDS));
  });
});
