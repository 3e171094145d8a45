import pkg from '../../package.json' with { type: 'json' };
import type { Catalog } from '../catalog/index.js';
import type {
  App,
  Evidence,
  Instance,
  Outcome,
  Severity,
  State,
  StatusUpdate,
  StoreDoc,
} from '../domain/schemas.js';
import { STATE_LABELS } from '../domain/schemas.js';
import { describeFailing } from '../domain/rules.js';
import {
  type Action,
  collectActions,
  countedInstances,
  rankActions,
  type Score,
  type ScoreViews,
  scoresOf,
} from '../domain/scoring.js';
import { type Health, healthOf } from '../domain/instances.js';

/**
 * The export model, `posture.export/1`: everything the other formats (CSV, SARIF, Markdown) are
 * rendered from, so they always agree. Documented in README.md; add fields freely, but renaming
 * or removing one needs `posture.export/2`.
 */
export const EXPORT_SCHEMA = 'posture.export/1';

export interface ExportInstance {
  id: string;
  app: App;
  name: string;
  baseUrl: string;
  /** Where the secret comes from: a variable's name or a file's path, never the secret. */
  credential: { kind: 'env'; variable: string } | { kind: 'file'; path: string };
  options: Record<string, string>;
  recommendations: boolean;
  /** Whether its results count towards the Secure Score (recommendations on; in single mode, also the Secure Score instance). */
  counted: boolean;
  pollIntervalMinutes: number;
  createdAt: string;
  lastPoll: { at: string; outcome: 'ok' | 'error'; error: string | null } | null;
  health: Health;
  /** When the results below were read (the last successful poll). */
  resultsAt: string | null;
}

export interface ExportStatus {
  state: State;
  label: string;
  reason: string;
  by: string | null;
  at: string | null;
  expires: string | null;
  /** Full points on the operator's word: resolved through a third party or an alternate mitigation. */
  unverified: boolean;
}

export interface ExportResult {
  instanceId: string;
  instance: string;
  app: App;
  counted: boolean;
  controlId: string;
  title: string;
  severity: Severity;
  category: string;
  outcome: Outcome;
  count: number | null;
  total: number | null;
  reason: string | null;
  /** Unknown because of the credential: the right (role, scope, permission) it lacks. */
  missing: string | null;
  /** The items that failed, each with a stable id to follow it across exports; failing first. */
  failing: { id: string; name: string }[];
  /** "3 of 30 repositories failed: api, web, infra and 27 more", or null when no item failed. */
  failingSummary: string | null;
  /** Points earned now; null when the result does not count (unknown, error, not applicable). */
  points: number | null;
  maxPoints: number;
  /** Rank among the recommended actions of counted instances; null when not counted. */
  rank: number | null;
  status: ExportStatus;
  /** Every status update, oldest first. */
  history: { state: State; reason: string; by: string; at: string; expires: string | null }[];
  evidence: Evidence[];
}

export interface ExportDoc {
  schema: typeof EXPORT_SCHEMA;
  generatedAt: string;
  generator: { name: 'posture'; version: string };
  instanceMode: 'multiple' | 'single';
  score: ScoreViews;
  byProduct: Partial<Record<App, Score>>;
  byInstance: ({ id: string; name: string; app: App } & Score)[];
  instances: ExportInstance[];
  results: ExportResult[];
}

/** Actions for every instance, counted or not: an export shows all results, marked as counted or not. */
function everyAction(doc: StoreDoc, catalog: Catalog, now: Date): Action[] {
  const all: StoreDoc = {
    ...doc,
    settings: { ...doc.settings, instanceMode: 'multiple' },
    instances: doc.instances.map((i) => ({ ...i, recommendations: true })),
  };
  return collectActions(all, catalog.byId, now);
}

/** The instances as exported (`instances --json`, `connect --json` and the export's list). */
export function exportInstances(doc: StoreDoc, now: Date): ExportInstance[] {
  const countedIds = new Set(countedInstances(doc).map((i) => i.id));
  return doc.instances.map((i) => exportInstance(i, countedIds.has(i.id), doc, now));
}

function exportInstance(i: Instance, counted: boolean, doc: StoreDoc, now: Date): ExportInstance {
  return {
    id: i.id,
    app: i.app,
    name: i.name,
    baseUrl: i.baseUrl,
    credential: i.credential,
    options: i.options,
    recommendations: i.recommendations,
    counted,
    pollIntervalMinutes: i.pollIntervalMinutes,
    createdAt: i.createdAt,
    lastPoll: i.lastPoll
      ? { at: i.lastPoll.at, outcome: i.lastPoll.outcome, error: i.lastPoll.error ?? null }
      : null,
    health: healthOf(i, now.getTime()),
    resultsAt: doc.results[i.id]?.polledAt ?? null,
  };
}

const historyOf = (u: StatusUpdate) => ({
  state: u.state,
  reason: u.reason,
  by: u.by,
  at: u.at,
  expires: u.expires ?? null,
});

export function buildExport(doc: StoreDoc, catalog: Catalog, now = new Date()): ExportDoc {
  const { head, results } = planExport(doc, catalog, now);
  return { ...head, results: results(0, Infinity) };
}

/**
 * The export with its results made on demand, a slice at a time (`results(start, end)`, in
 * order): the JSON export stringifies each slice as it is made, so 123,600 results at 2,000
 * instances are never all alive at once (made all first, they outlived the young generation and
 * the collector copied and marked them).
 */
export interface ExportPlan {
  head: Omit<ExportDoc, 'results'>;
  count: number;
  results(start: number, end: number): ExportResult[];
}

export function planExport(doc: StoreDoc, catalog: Catalog, now = new Date()): ExportPlan {
  const countedIds = new Set(countedInstances(doc).map((i) => i.id));
  // Every instance's actions, collected once; the counted ones ranked (ranks are among them only).
  const every = everyAction(doc, catalog, now);
  const counted = rankActions(every.filter((a) => countedIds.has(a.instance.id)));
  // One number per result, its instance's place then its control's: the sort compares numbers
  // instead of looking up four map entries per comparison (123,600 results at 2,000 instances).
  const order = new Map(doc.instances.map((i, n) => [i.id, n]));
  const controlOrder = new Map(catalog.controls.map((c, n) => [c.id, n]));
  // An instance's actions come one after another: its place looked up once for them all.
  let last: Instance | undefined;
  let base = 0;
  const place = (a: Action) => {
    if (a.instance !== last) base = (order.get((last = a.instance).id) ?? 0) * (controlOrder.size + 1);
    return base + (controlOrder.get(a.control.id) ?? 0);
  };
  // Per instance, then per control: no joined id flattened and hashed for each of 150,000 results.
  const history = new Map<string, Map<string, StatusUpdate[]>>();
  for (const u of doc.statuses) {
    let mine = history.get(u.instanceId);
    if (!mine) history.set(u.instanceId, (mine = new Map()));
    const list = mine.get(u.controlId);
    if (list) list.push(u);
    else mine.set(u.controlId, [u]);
  }
  const names = new Map(doc.instances.map((i) => [i.id, i]));
  const sorted = inPlaceOrder(every, place);
  const exportResult = (a: Action): ExportResult => {
    const isCounted = countedIds.has(a.instance.id);
    return {
      instanceId: a.instance.id,
      instance: a.instance.name,
      app: a.instance.app,
      counted: isCounted,
      controlId: a.control.id,
      title: a.control.title,
      severity: a.control.severity,
      category: a.control.category,
      outcome: a.result.outcome,
      count: a.result.count ?? null,
      total: a.result.total ?? null,
      reason: a.result.reason ?? null,
      missing: a.result.missing ?? null,
      failing: a.result.failing ?? [],
      failingSummary: describeFailing(a.result, a.control.rule.noun) ?? null,
      points: a.achieved,
      maxPoints: a.max,
      rank: isCounted ? a.rank : null,
      status: {
        state: a.state,
        label: STATE_LABELS[a.state],
        reason: a.update?.reason ?? '',
        by: a.update?.by ?? null,
        at: a.update?.at ?? null,
        expires: a.update?.expires ?? null,
        unverified: a.unverified,
      },
      history: history.get(a.instance.id)?.get(a.control.id)?.map(historyOf) ?? [],
      evidence: a.result.evidence,
    };
  };
  const scores = scoresOf(counted);
  const head = {
    schema: EXPORT_SCHEMA,
    generatedAt: now.toISOString(),
    generator: { name: 'posture', version: pkg.version },
    instanceMode: doc.settings.instanceMode,
    score: scores.views,
    byProduct: Object.fromEntries(scores.byApp),
    byInstance: [...scores.byInstance].map(([id, s]) => {
      const i = names.get(id)!; // counted actions come from the document's instances
      return { id, name: i.name, app: i.app, ...s };
    }),
    instances: exportInstances(doc, now),
  } as const;
  return {
    head,
    count: sorted.length,
    results: (start, end) => sorted.slice(start, end).map(exportResult),
  };
}

/**
 * The actions by their place (instance, then control), as a stable sort gives them: usually as
 * collected already (each instance's results are kept in the catalog's order), which one pass tells.
 */
function inPlaceOrder(actions: Action[], place: (a: Action) => number): Action[] {
  const k = new Float64Array(actions.length);
  for (let i = 0; i < actions.length; i++) k[i] = place(actions[i]!);
  let ordered = true;
  for (let i = 1; i < k.length && ordered; i++) ordered = k[i - 1]! <= k[i]!;
  if (ordered) return actions;
  const order = Int32Array.from(actions.keys()).sort((x, y) => k[x]! - k[y]! || x - y);
  return Array.from(order, (i) => actions[i]!);
}

/** Failing and partial results of counted instances, whatever their status, by rank. */
export function findings(doc: ExportDoc): ExportResult[] {
  return doc.results
    .filter((r) => r.counted && (r.outcome === 'fail' || r.outcome === 'partial'))
    .sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
}

/** States in which a finding needs no more work: its risk is accepted, or it is resolved another way. */
export const SETTLED: readonly State[] = ['risk_accepted', 'third_party', 'alternate_mitigation'];
