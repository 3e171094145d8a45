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
import { STATE_LABELS, STATES } from '../domain/schemas.js';
import { describeFailing } from '../domain/rules.js';
import {
  countedInstances,
  judged,
  latestByInstance,
  rankOrder,
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
  const latest = latestByInstance(doc.statuses);
  // Every instance's results, collected once; the counted ones ranked (ranks are among them only).
  const every = resultColumns(doc, catalog, latest, now);
  const instanceOf = (i: number) => doc.instances[every.instance[i]!]!;
  const controlOf = (i: number) => catalog.controls[every.control[i]!]!;
  const achievedOf = (i: number) => (Number.isNaN(every.achieved[i]!) ? null : every.achieved[i]!);
  const counts = doc.instances.map((i) => countedIds.has(i.id));
  const countedAt = Int32Array.from({ length: every.length }, (_, i) => i).filter(
    (i) => counts[every.instance[i]!]!,
  );
  const byRank = rankOrder(
    countedAt.length,
    (j) => controlOf(countedAt[j]!),
    (j) => instanceOf(countedAt[j]!),
    (j) => achievedOf(countedAt[j]!),
  );
  const rank = new Int32Array(every.length);
  byRank.forEach((j, r) => (rank[countedAt[j]!] = r + 1));
  const scores = scoresOf(
    byRank,
    (j) => controlOf(countedAt[j]!),
    (j) => instanceOf(countedAt[j]!),
    (j) => achievedOf(countedAt[j]!),
    (j) => STATES[every.state[countedAt[j]!]!]!,
  );
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
  const sorted = inPlaceOrder(every, doc, catalog);
  const exportResult = (i: number): ExportResult => {
    const instance = instanceOf(i);
    const control = controlOf(i);
    const result = doc.results[instance.id]!.results[every.result[i]!]!;
    const update = latest.get(instance.id)?.get(control.id);
    const state = STATES[every.state[i]!]!;
    const isCounted = rank[i]! > 0;
    return {
      instanceId: instance.id,
      instance: instance.name,
      app: instance.app,
      counted: isCounted,
      controlId: control.id,
      title: control.title,
      severity: control.severity,
      category: control.category,
      outcome: result.outcome,
      count: result.count ?? null,
      total: result.total ?? null,
      reason: result.reason ?? null,
      missing: result.missing ?? null,
      failing: result.failing ?? [],
      failingSummary: describeFailing(result, control.rule.noun) ?? null,
      points: achievedOf(i),
      maxPoints: control.maxPoints,
      rank: isCounted ? rank[i]! : null,
      status: {
        state,
        label: STATE_LABELS[state],
        reason: update?.reason ?? '',
        by: update?.by ?? null,
        at: update?.at ?? null,
        expires: update?.expires ?? null,
        unverified: every.unverified[i] === 1,
      },
      history: history.get(instance.id)?.get(control.id)?.map(historyOf) ?? [],
      evidence: result.evidence,
    };
  };
  const head = {
    schema: EXPORT_SCHEMA,
    generatedAt: now.toISOString(),
    generator: { name: 'posture', version: pkg.version },
    instanceMode: doc.settings.instanceMode,
    score: scores.views,
    byProduct: Object.fromEntries(scores.byApp),
    byInstance: [...scores.byInstance].map(([id, s]) => {
      const i = names.get(id)!; // counted results come from the document's instances
      return { id, name: i.name, app: i.app, ...s };
    }),
    instances: exportInstances(doc, now),
  } as const;
  return {
    head,
    count: sorted.length,
    results: (start, end) => Array.from(sorted.subarray(start, end), exportResult),
  };
}

/**
 * Every result of every instance, counted or not (an export shows all, marked), as columns in the
 * order collected (instance by instance, each's results as kept): indexes and points in typed
 * arrays, no object per result. At 2,000 instances an action object for each of 150,400 results
 * outlived the young generation, and the collector copying them took longer than making them.
 */
interface ResultColumns {
  length: number;
  /** Index into the document's instances. */
  instance: Int32Array;
  /** Index into the instance's results. */
  result: Int32Array;
  /** Index into the catalog's controls. */
  control: Int32Array;
  /** Points earned now; NaN where the result does not count (`Action.achieved` null). */
  achieved: Float64Array;
  /** Index into STATES. */
  state: Uint8Array;
  /** 1: full points on the operator's word. */
  unverified: Uint8Array;
}

function resultColumns(
  doc: StoreDoc,
  catalog: Catalog,
  latest: ReadonlyMap<string, ReadonlyMap<string, StatusUpdate>>,
  now: Date,
): ResultColumns {
  let n = 0;
  for (const i of doc.instances) n += doc.results[i.id]?.results.length ?? 0;
  const cols: ResultColumns = {
    length: 0,
    instance: new Int32Array(n),
    result: new Int32Array(n),
    control: new Int32Array(n),
    achieved: new Float64Array(n),
    state: new Uint8Array(n),
    unverified: new Uint8Array(n),
  };
  const controls = new Map(catalog.controls.map((c, k) => [c.id, k]));
  const states = new Map(STATES.map((s, k) => [s, k]));
  let k = 0;
  doc.instances.forEach((instance, ii) => {
    const mine = latest.get(instance.id);
    doc.results[instance.id]?.results.forEach((result, ri) => {
      const c = controls.get(result.controlId);
      if (c === undefined) return; // a control dropped from the catalog
      const control = catalog.controls[c]!;
      const { state, achieved, unverified } = judged(control, result, mine?.get(control.id), now);
      cols.instance[k] = ii;
      cols.result[k] = ri;
      cols.control[k] = c;
      cols.achieved[k] = achieved ?? Number.NaN;
      cols.state[k] = states.get(state)!;
      cols.unverified[k] = unverified ? 1 : 0;
      k++;
    });
  });
  cols.length = k;
  return cols;
}

/**
 * The results by their place (instance, then control), as a stable sort gives them: usually as
 * collected already (each instance's results are kept in the catalog's order), which one pass
 * tells. One number per result, its instance's place then its control's.
 */
function inPlaceOrder(cols: ResultColumns, doc: StoreDoc, catalog: Catalog): Int32Array {
  // An instance's place is its id's last in the list (the place of a doubled id's results).
  const last = new Map(doc.instances.map((i, n) => [i.id, n]));
  const place = Int32Array.from(doc.instances, (i) => last.get(i.id)!);
  const span = catalog.controls.length + 1;
  const k = new Float64Array(cols.length);
  for (let i = 0; i < cols.length; i++) k[i] = place[cols.instance[i]!]! * span + cols.control[i]!;
  const order = Int32Array.from({ length: cols.length }, (_, i) => i);
  let ordered = true;
  for (let i = 1; i < k.length && ordered; i++) ordered = k[i - 1]! <= k[i]!;
  return ordered ? order : order.sort((x, y) => k[x]! - k[y]! || x - y);
}

/** Failing and partial results of counted instances, whatever their status, by rank. */
export function findings(doc: ExportDoc): ExportResult[] {
  return doc.results
    .filter((r) => r.counted && (r.outcome === 'fail' || r.outcome === 'partial'))
    .sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
}

/** States in which a finding needs no more work: its risk is accepted, or it is resolved another way. */
export const SETTLED: readonly State[] = ['risk_accepted', 'third_party', 'alternate_mitigation'];
