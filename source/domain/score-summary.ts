import type { App, Control, Result, StatusUpdate, StoreDoc } from './schemas.js';
import {
  addPoints,
  countedInstances,
  type DocScores,
  judged,
  NO_SUMS,
  type Sums,
  viewsOf,
} from './scoring.js';

/**
 * One instance's part of the scores, kept beside its results by each commit on PostgreSQL: a
 * console's first frame adds these up instead of reading every result (50 MB at 5,000 instances).
 * It holds for the catalog it was made with (`catalog`) and until a risk acceptance of the
 * instance expires (`until`).
 */
export interface ScoreSummary {
  app: App;
  sums: Sums;
  /** Results that count (docScores makes an app's entry only for an instance with one). */
  counted: number;
  /** The catalog's fingerprint (catalogKey) when it was made. */
  catalog: string;
  /** Epoch ms of the earliest expiry of an accepted risk still running when made, if any. */
  until?: number;
}

/** What of the catalog the scores depend on, as a short text: a summary made with another is not used. */
export function catalogKey(catalog: ReadonlyMap<string, Control>): string {
  let h = 0x811c9dc5; // FNV-1a over each control's id, points and scoring
  for (const c of catalog.values())
    for (const ch of `${c.id}:${c.maxPoints}:${c.scoring};`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return `${catalog.size}-${(h >>> 0).toString(36)}`;
}

/** The summary of one instance: the same per-result judgement docScores makes. */
export function summarize(
  app: App,
  results: readonly Result[],
  latest: ReadonlyMap<string, StatusUpdate> | undefined,
  catalog: ReadonlyMap<string, Control>,
  key: string,
  now: Date,
): ScoreSummary {
  const sums = { ...NO_SUMS };
  let counted = 0;
  for (const result of results) {
    const control = catalog.get(result.controlId);
    if (!control) continue;
    const { state, achieved } = judged(control, result, latest?.get(control.id), now);
    if (achieved === null) continue;
    counted++;
    addPoints(sums, state, achieved, control.maxPoints);
  }
  let until: number | undefined;
  for (const u of latest?.values() ?? []) {
    if (u.state !== 'risk_accepted' || !u.expires) continue;
    const at = Date.parse(u.expires);
    if (at > now.getTime() && (until === undefined || at < until)) until = at;
  }
  return { app, sums, counted, catalog: key, ...(until === undefined ? {} : { until }) };
}

/**
 * The scores from the summaries, for a document whose results are not read yet: undefined when a
 * counted instance has none that holds now (made with another catalog, or past an expiry), and
 * the caller reads the results instead. Sums per instance, then added: equal to docScores' to
 * within rounding in the last bits, not to the bit.
 */
export function scoresFromSummaries(
  doc: Pick<StoreDoc, 'instances' | 'settings'>,
  summaries: ReadonlyMap<string, ScoreSummary>,
  key: string,
  now: Date,
): DocScores | undefined {
  const all = { ...NO_SUMS };
  const byApp = new Map<App, Sums>();
  for (const instance of countedInstances(doc as StoreDoc)) {
    const s = summaries.get(instance.id);
    if (!s || s.catalog !== key || s.app !== instance.app) return undefined;
    if (s.until !== undefined && s.until <= now.getTime()) return undefined;
    if (s.counted === 0) continue;
    let app = byApp.get(instance.app);
    if (!app) byApp.set(instance.app, (app = { ...NO_SUMS }));
    for (const into of [all, app]) {
      into.achieved += s.sums.achieved;
      into.possible += s.sums.possible;
      into.planned += s.sums.planned;
      into.accepted += s.sums.accepted;
    }
  }
  return { views: viewsOf(all), byApp: new Map([...byApp].map(([k, s]) => [k, viewsOf(s)])) };
}
