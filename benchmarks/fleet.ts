import { type Catalog, loadCatalog } from '../source/catalog/index.js';
import { dayOf } from '../source/domain/history.js';
import {
  APPS,
  emptyStore,
  type Instance,
  type PollChanges,
  type Result,
  SETTABLE_STATES,
  type StoreDoc,
} from '../source/domain/schemas.js';
import { writeAtomic } from '../source/store/atomic.js';
import { FileScores } from '../source/store/file-scores.js';
import { historyLine, historyPath } from '../source/store/history.js';
import { serializeState } from '../source/store/serialize.js';

/**
 * A fleet-size store: `instances` instances across the four apps, the full catalog each, `days`
 * days of daily points and per-poll changes, and status updates. Deterministic (seeded).
 */
export interface FleetOptions {
  instances: number;
  days: number;
  /** Hourly polls; about one in `changeEvery` records a change. */
  changeEvery: number;
  statusesPerInstance: number;
  /**
   * At most this many controls per app (the catalog's first ones). Issue 17's budgets were set
   * when apps had about 15 controls: 5,000 instances x 15 = its "75,000 actions".
   */
  controlsPerApp?: number;
  baseUrl?: (i: number, app: string) => string;
}

export const FLEET: FleetOptions = { instances: 500, days: 90, changeEvery: 48, statusesPerInstance: 4 };

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A generated store: the state document and its poll history (kept in a file of its own). */
export interface Fleet {
  doc: StoreDoc;
  polls: PollChanges[];
}

/** The fleet with `instances` instances (the other options as FLEET's). */
export const fleetOf = (instances: number): FleetOptions => ({ ...FLEET, instances });

export function generateFleet(catalog: Catalog, o: FleetOptions = FLEET, now = new Date()): Fleet {
  const rand = rng(42);
  const doc = emptyStore();
  const cities = ['EU', 'US', 'APAC', 'LATAM', 'UK', 'DE', 'FR', 'JP', 'IN', 'BR'];
  for (let n = 0; n < o.instances; n++) {
    const app = APPS[n % APPS.length]!;
    const id = `${app}-${n}`;
    const inst: Instance = {
      id,
      app,
      name: `${app[0]!.toUpperCase()}${app.slice(1)} Contoso ${cities[n % cities.length]} ${Math.floor(n / 4)}`,
      baseUrl: o.baseUrl?.(n, app) ?? `https://tenant-${n}.example.com`,
      credential: { kind: 'env', variable: `TOKEN_${n}` },
      options:
        app === 'github'
          ? { org: `org-${n}` }
          : app === 'salesforce'
            ? { clientId: 'c' }
            : app === 'servicenow'
              ? { username: 'u' }
              : {},
      recommendations: rand() < 0.9,
      pollIntervalMinutes: 60,
      createdAt: new Date(now.getTime() - o.days * 86_400_000).toISOString(),
      lastPoll: {
        at: new Date(now.getTime() - rand() * 3_600_000).toISOString(),
        outcome: rand() < 0.97 ? 'ok' : 'error',
        durationMs: 800,
      },
    };
    if (inst.lastPoll?.outcome === 'error') inst.lastPoll.error = 'Okta 503: service unavailable';
    doc.instances.push(inst);
    const results: Result[] = catalog
      .forApp(app)
      .slice(0, o.controlsPerApp ?? Infinity)
      .map((c) => {
        const r = rand();
        if (r < 0.45)
          return {
            controlId: c.id,
            outcome: 'pass',
            evidence: [{ item: 'Default Policy', path: c.rule.assert[0]!.path, value: 'true' }],
          };
        if (r < 0.8)
          return {
            controlId: c.id,
            outcome: 'fail',
            count: 0,
            total: 2,
            evidence: [
              { item: 'Default Policy', path: c.rule.assert[0]!.path, value: 'false' },
              { item: 'Contractors', path: c.rule.assert[0]!.path, value: '8' },
            ],
          };
        if (r < 0.92 && c.scoring === 'proportional')
          return { controlId: c.id, outcome: 'partial', count: 2, total: 3, evidence: [] };
        return {
          controlId: c.id,
          outcome: 'unknown',
          reason: 'the token may not read this (403)',
          evidence: [],
        };
      });
    doc.results[id] = { polledAt: inst.lastPoll!.at, results };
    for (let k = 0; k < o.statusesPerInstance; k++) {
      const control = results[Math.floor(rand() * results.length)]!;
      const state = SETTABLE_STATES[Math.floor(rand() * SETTABLE_STATES.length)]!;
      doc.statuses.push({
        instanceId: id,
        controlId: control.controlId,
        state,
        reason:
          state === 'to_address' || state === 'planned'
            ? ''
            : 'Compensated by the IdP conditional access policy',
        by: 'analyst',
        at: new Date(now.getTime() - rand() * o.days * 86_400_000).toISOString(),
        ...(state === 'risk_accepted'
          ? { expires: new Date(now.getTime() + 30 * 86_400_000).toISOString() }
          : {}),
      });
    }
  }
  doc.statuses.sort((a, b) => a.at.localeCompare(b.at));
  // Hourly polls over the period; only polls that changed something are kept (compact history).
  const polls: PollChanges[] = [];
  const hours = o.days * 24;
  for (let h = 0; h < hours; h++) {
    const at = new Date(now.getTime() - (hours - h) * 3_600_000).toISOString();
    for (let n = 0; n < o.instances; n++) {
      if (rand() * o.changeEvery >= 1) continue;
      const inst = doc.instances[n]!;
      const controls = doc.results[inst.id]!.results;
      const kinds = ['new', 'fixed', 'regressed'] as const;
      polls.push({
        at,
        instanceId: inst.id,
        changes: [
          {
            instanceId: inst.id,
            controlId: controls[Math.floor(rand() * controls.length)]!.controlId,
            kind: kinds[Math.floor(rand() * 3)]!,
          },
        ],
      });
    }
  }
  for (let d = o.days; d >= 0; d--) {
    const day = dayOf(new Date(now.getTime() - d * 86_400_000));
    doc.daily.push({ day, achieved: 4000 + Math.round(rand() * 800) + (o.days - d) * 10, possible: 9000 });
  }
  return { doc, polls };
}

/**
 * Write a fleet as posture keeps it: the state file (with each instance's part of the scores, as
 * every commit with the catalog writes them), and its history file beside it.
 */
export function writeFleet(file: string, fleet: Fleet): void {
  const scores = new FileScores(loadCatalog().byId).of(fleet.doc, new Date());
  writeAtomic(file, serializeState(fleet.doc, 0, scores));
  writeAtomic(historyPath(file), fleet.polls.map((p) => historyLine(p, 0)).join(''));
}
