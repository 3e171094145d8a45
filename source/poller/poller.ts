import type { Catalog } from '../catalog/index.js';
import { CredentialError, resolveSecret } from '../connectors/credentials.js';
import {
  type Clock,
  ConnectorError,
  type HttpLimits,
  redact,
  type ResponseObserver,
  redactor,
  systemClock,
} from '../connectors/http.js';
import type { Connector } from '../connectors/types.js';
import { queueAlerts } from '../domain/alerts.js';
import { dayOf, diffResults, upsertDaily } from '../domain/history.js';
import { evaluate } from '../domain/rules.js';
import type { App, Instance, PollChanges, Result, StoreDoc } from '../domain/schemas.js';
import { docScores } from '../domain/scoring.js';
import type { PolledInstance } from '../store/api.js';
import type { Store } from '../store/store.js';

export type PollEvent =
  | { type: 'start'; instanceId: string }
  | {
      type: 'done';
      instanceId: string;
      outcome: 'ok' | 'error';
      error?: string;
      requests: number;
      durationMs: number;
    };

export interface PollDeps {
  store: Store;
  catalog: Catalog;
  connectors: Record<App, Connector>;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  /** Instances polled at once. */
  concurrency?: number;
  /** Time one instance's poll may take, rate-limit waits included. */
  budgetMs?: number;
  /** Caps for every request of this poll (body size, time per request, retries); defaults when unset. */
  limits?: HttpLimits;
  /** Commit finished polls at most this often (one atomic write per batch). */
  commitEveryMs?: number;
  onEvent?: (event: PollEvent) => void;
  /** Told of every response's status and headers (a worker's quota book reads the rate-limit headers). */
  onResponse?: ResponseObserver;
}

export interface PollSummary {
  instanceId: string;
  name: string;
  outcome: 'ok' | 'error';
  error?: string;
  requests: number;
  durationMs: number;
}

/** What one instance's credential let posture read: every control's result, and whether anything was readable. */
export interface Reading {
  results: Result[];
  requests: number;
  /** False when not one control could be evaluated from what the credential could read. */
  readable: boolean;
}

/**
 * Read one instance and evaluate its app's controls. Throws ConnectorError or CredentialError when
 * the instance cannot be read at all; `secret` receives the resolved secret for redaction.
 */
export async function readInstance(
  instance: Instance,
  deps: Pick<PollDeps, 'catalog' | 'connectors' | 'clock' | 'env' | 'budgetMs' | 'limits' | 'onResponse'>,
  onSecret: (secret: string) => void = () => undefined,
): Promise<Reading> {
  const clock = deps.clock ?? systemClock;
  const secret = resolveSecret(instance.credential, deps.env);
  onSecret(secret);
  const connector = deps.connectors[instance.app];
  const out = await connector.collect({
    instance,
    secret,
    clock,
    deadline: clock.now() + (deps.budgetMs ?? 120_000),
    ...(deps.limits ? { limits: deps.limits } : {}),
    ...(deps.onResponse ? { onResponse: deps.onResponse } : {}),
  });
  // A vendor may echo the token back in data (a name, a setting): it must not reach the store.
  const clean = redactor([secret]);
  const results = deps.catalog
    .forApp(instance.app)
    .map((c) => redactResult(evaluate(c, out.datasets), clean));
  // A list of repositories whose every setting is hidden is no more useful than no list at all.
  const readable =
    results.length === 0 || results.some((r) => r.outcome !== 'unknown' && r.outcome !== 'error');
  return { results, requests: out.requests, readable };
}

/** The one line for an instance whose credential reads nothing posture checks: what it needs. */
export function unreadableMessage(results: readonly Result[]): string {
  const rights = [...new Set(results.flatMap((r) => (r.missing ? [r.missing] : [])))];
  if (rights.length > 0)
    return `this credential can read none of the settings posture checks: it needs ${rights.join('; ')}`;
  const first = results.find((r) => r.reason)?.reason;
  return `no control could be evaluated${first ? `: ${first}` : ''}`;
}

/** Read one instance and evaluate its app's controls. Never throws: an error is an outcome. */
export async function pollOne(
  instance: Instance,
  deps: PollDeps,
): Promise<{ results?: Result[]; summary: PollSummary }> {
  const clock = deps.clock ?? systemClock;
  const started = clock.now();
  const base = { instanceId: instance.id, name: instance.name };
  let secret = '';
  try {
    const reading = await readInstance(instance, deps, (s) => (secret = s));
    const took = { requests: reading.requests, durationMs: clock.now() - started };
    // Nothing readable is not a score of unknowns: the instance is broken until its credential is fixed.
    if (!reading.readable)
      return { summary: { ...base, outcome: 'error', error: unreadableMessage(reading.results), ...took } };
    return { results: reading.results, summary: { ...base, outcome: 'ok', ...took } };
  } catch (error) {
    const known = error instanceof ConnectorError || error instanceof CredentialError;
    const message = known ? (error as Error).message : `unexpected error: ${(error as Error).message}`;
    return {
      summary: {
        ...base,
        outcome: 'error',
        // Connector errors are redacted already; anything else might quote the token.
        error: redact(message, [secret]),
        requests: 0,
        durationMs: clock.now() - started,
      },
    };
  }
}

function redactResult(r: Result, clean: (text: string) => string): Result {
  return {
    ...r,
    ...(r.reason !== undefined ? { reason: clean(r.reason) } : {}),
    ...(r.missing !== undefined ? { missing: clean(r.missing) } : {}),
    ...(r.failing ? { failing: r.failing.map((f) => ({ id: clean(f.id), name: clean(f.name) })) } : {}),
    evidence: r.evidence.map((e) => ({ item: clean(e.item), path: clean(e.path), value: clean(e.value) })),
  };
}

export type Polled = { results?: Result[]; summary: PollSummary; at: Date };

/**
 * Fold finished polls into the document: results replaced only on success, today's score point
 * updated, and what changed added to `history` (the store appends it with the commit). `doc` may be an immer
 * draft: instances are found by index in the plain `base` (searching a draft would copy every
 * instance it passes), and the score is computed on a plain document, never through the draft.
 */
export function applyPolls(
  doc: StoreDoc,
  base: StoreDoc,
  batch: readonly Polled[],
  catalog: Catalog,
  now: Date,
  history: PollChanges[],
): void {
  const index = new Map(base.instances.map((i, n) => [i.id, n]));
  const results = { ...base.results };
  for (const polled of batch) {
    const n = index.get(polled.summary.instanceId);
    const instance = n === undefined ? undefined : doc.instances[n];
    if (!instance) continue; // removed while polling
    const s = polled.summary;
    const at = polled.at.toISOString();
    instance.lastPoll = {
      at,
      outcome: s.outcome,
      durationMs: s.durationMs,
      ...(s.error ? { error: s.error } : {}),
    };
    if (!polled.results) continue; // keep the earlier results and score
    const changes = diffResults(instance.id, results[instance.id]?.results, polled.results);
    // Frozen: immer then takes the new results as finished data at commit, instead of walking
    // every result and its evidence for drafts (the larger part of a fleet commit's time).
    results[instance.id] = Object.freeze({ polledAt: at, results: polled.results });
    doc.results[instance.id] = results[instance.id]!;
    if (changes.length > 0) {
      const poll = { at, instanceId: instance.id, changes };
      history.push(poll);
      // In the same commit as the change: an alert is never lost between the two.
      queueAlerts(doc, poll, polled.results, catalog.byId);
    }
  }
  // Summed straight from the results (the same numbers as the actions' sums, to the bit): building
  // every action of a 5,000-instance fleet at each poll's commit was most of a worker's time.
  const score = docScores({ ...base, results }, catalog.byId, now).views.current;
  doc.daily = upsertDaily(base.daily, {
    day: dayOf(now),
    achieved: score.achieved,
    possible: score.possible,
  });
}

/** A finished poll as the store's `commitPolls` takes it. */
const polledInstance = (p: Polled): PolledInstance => ({
  instanceId: p.summary.instanceId,
  at: p.at.toISOString(),
  outcome: p.summary.outcome,
  durationMs: p.summary.durationMs,
  ...(p.summary.error ? { error: p.summary.error } : {}),
  ...(p.results ? { results: p.results } : {}),
});

/** Poll instances with bounded concurrency; commits in batches; one instance's failure never stops others. */
export async function pollInstances(ids: readonly string[], deps: PollDeps): Promise<PollSummary[]> {
  const clock = deps.clock ?? systemClock;
  // One instance (a worker's job, 5,000 of them a fleet): no map of the fleet, and no order to learn.
  const queue =
    ids.length === 1
      ? deps.store.doc.instances.filter((i) => i.id === ids[0]).slice(-1)
      : (() => {
          const byId = new Map(deps.store.doc.instances.map((i) => [i.id, i]));
          return ids.map((id) => byId.get(id)).filter((i): i is Instance => i !== undefined);
        })();
  const took = queue.length > 1 ? new AppDurations(deps.store.doc.instances) : undefined;
  // Longest polls first: a slow tenant started last would keep the whole batch waiting on it alone.
  const next = (): Instance | undefined => {
    if (!took) return queue.shift();
    let best = -1;
    let longest = -1;
    for (let n = 0; n < queue.length; n++) {
      const ms = took.estimate(queue[n]!);
      if (ms > longest) [best, longest] = [n, ms];
    }
    return best < 0 ? undefined : queue.splice(best, 1)[0];
  };
  const summaries: PollSummary[] = [];
  let pending: Polled[] = [];
  let lastCommit = clock.now();
  let committing: Promise<void> = Promise.resolve();
  let failure: unknown;

  // Commits run one after another, in the background; one that fails (a full disk) does not stop
  // the next, and the first failure is thrown once every poll has ended.
  const flush = () => {
    const batch = pending;
    pending = [];
    lastCommit = clock.now();
    committing = committing.then(async () => {
      if (batch.length === 0 || deps.store.readOnly) return;
      const base = deps.store.doc;
      try {
        // A store that commits each poll on its own instance's rows (PostgreSQL) does so.
        const own = deps.store.commitPolls?.(batch.map(polledInstance));
        if (own) return await own;
        await deps.store.update((doc, history) =>
          applyPolls(doc, base, batch, deps.catalog, new Date(clock.now()), history),
        );
      } catch (error) {
        failure ??= error;
      }
    });
    return committing;
  };

  const worker = async () => {
    for (let instance = next(); instance; instance = next()) {
      deps.onEvent?.({ type: 'start', instanceId: instance.id });
      const polled = await pollOne(instance, deps);
      took?.add(instance.app, polled.summary.durationMs);
      summaries.push(polled.summary);
      pending.push({ ...polled, at: new Date(clock.now()) });
      // A worker waiting on the disk would leave its slot idle.
      if (clock.now() - lastCommit >= (deps.commitEveryMs ?? 2000)) void flush();
      deps.onEvent?.({ type: 'done', ...polled.summary });
    }
  };
  const n = Math.max(1, Math.min(deps.concurrency ?? 8, queue.length));
  await Promise.all(Array.from({ length: n }, worker));
  await flush();
  if (failure) throw failure;
  return summaries;
}

/**
 * How long an instance's poll is expected to take: its last poll's duration; for one never polled,
 * the mean of its app's polls (earlier ones and those finished in this run); for an app not seen
 * yet, longest of all, so that the first poll of a fleet learns which apps are slow early.
 */
class AppDurations {
  private readonly sum = new Map<App, { ms: number; n: number }>();

  constructor(instances: readonly Instance[]) {
    for (const i of instances)
      if (i.lastPoll?.durationMs !== undefined) this.add(i.app, i.lastPoll.durationMs);
  }

  add(app: App, ms: number): void {
    const s = this.sum.get(app) ?? { ms: 0, n: 0 };
    this.sum.set(app, { ms: s.ms + ms, n: s.n + 1 });
  }

  estimate(i: Instance): number {
    if (i.lastPoll?.durationMs !== undefined) return i.lastPoll.durationMs;
    const s = this.sum.get(i.app);
    return s ? s.ms / s.n : Number.POSITIVE_INFINITY;
  }
}

/** Instances due for a poll: never polled, or last polled longer ago than their interval. */
export function dueInstances(doc: StoreDoc, now: number): string[] {
  return doc.instances
    .filter((i) => !i.lastPoll || now - Date.parse(i.lastPoll.at) >= i.pollIntervalMinutes * 60_000)
    .map((i) => i.id);
}
