import type { Catalog } from '../catalog/index.js';
import { type Health, healthChangesAt, healthOf } from '../domain/instances.js';
import { type ActionFilter, filterActions, type SortKey } from '../domain/action-filter.js';
import { matchingPositions, type TextIndex, textIndex, withoutText } from '../domain/action-search.js';
import { APP_LABELS, APPS, type App, type Instance, STATE_LABELS, type StoreDoc } from '../domain/schemas.js';
import {
  type Action,
  mainInstances,
  rankActions,
  type Score,
  type ScoreViews,
  scoreViews,
  scoreViewsBy,
} from '../domain/scoring.js';
import { sanitize } from '../text/sanitize.js';
import { lastCall } from './memo.js';

/** Pure selectors from the store document and the UI's filters to the rows each view shows. */

export interface AppRow {
  id: App;
  label: string;
  instances: number;
  counted: number;
  health: Record<Health, number>;
  lastPoll?: string;
  score?: Score;
  /** When an instance's health next reads differently (`healthChangesAt`): the shell draws again then. */
  healthChangesAt: number;
}

// Ranking sorts thousands of actions: done on first use after each change, not per frame.
export const rankedOf = lastCall(rankActions);

// Thousands of actions to add up per app and per instance: once per change, not per key.
// Every view (current, planned, achievable) at once: `v` switches the breakdown with the headline.
export const scoresByApp = lastCall((actions: readonly Action[]): Map<App, ScoreViews> =>
  scoreViewsBy(actions, (a) => a.instance.app),
);
export const scoresByInstance = lastCall((actions: readonly Action[]): Map<string, ScoreViews> =>
  scoreViewsBy(actions, (a) => a.instance.id),
);

/**
 * `scores`: per app, from `docScores` (the first frame builds no actions) or `scoresByApp`. Once per
 * frame: the view, the reducer's rows and the clock each ask (at 5,000 instances, each asking cost
 * the first frame 7-20 ms).
 */
export const appRows = lastCall(appRowsOf);

function appRowsOf(doc: StoreDoc, scores: ReadonlyMap<App, ScoreViews>, text: string, now: number): AppRow[] {
  const q = text.toLowerCase();
  const rows: AppRow[] = [];
  for (const app of APPS) {
    const list = doc.instances.filter((i) => i.app === app);
    if (list.length === 0) continue;
    const label = APP_LABELS[app];
    // The filter matches what the row shows: the app's name (its instances are in the drawer).
    if (q && !label.toLowerCase().includes(q)) continue;
    const health: Record<Health, number> = { ok: 0, error: 0, stale: 0, never: 0 };
    let lastPoll: string | undefined;
    let changes = Infinity;
    for (const i of list) {
      health[healthOf(i, now)]++;
      if (i.lastPoll && (!lastPoll || i.lastPoll.at > lastPoll)) lastPoll = i.lastPoll.at;
      changes = Math.min(changes, healthChangesAt(i, now));
    }
    const score = scores.get(app)?.current;
    rows.push({
      id: app,
      label,
      instances: list.length,
      // What counts in the mode: in single-instance mode, the main instance's recommendations only.
      counted: list.filter((i) => i.recommendations && countsInMode(doc, i)).length,
      health,
      ...(lastPoll ? { lastPoll } : {}),
      ...(score ? { score } : {}),
      healthChangesAt: changes,
    });
  }
  return rows;
}

/** An app's instances matching the drawer's filter; the reducer and the view ask for them on each key. */
export const drawerRows = lastCall((doc: StoreDoc, app: App | undefined, text: string): Instance[] => {
  const q = text.toLowerCase();
  // What the row shows: the name and the endpoint, as drawn (sanitized).
  const shown = (i: Instance) =>
    sanitize(i.name).toLowerCase().includes(q) || sanitize(i.baseUrl).toLowerCase().includes(q);
  return doc.instances.filter((i) => i.app === app && (!q || shown(i)));
});

/** Single-instance mode's main instance per app: asked for every drawer row, computed once per change. */
export const mainsOf = lastCall(mainInstances);

/**
 * Whether an instance's recommendations count (or would, once on) in the workspace's mode: in
 * single-instance mode only its app's main instance's do. The drawer dims the others.
 */
export function countsInMode(doc: StoreDoc, i: Instance): boolean {
  return doc.settings.instanceMode !== 'single' || mainsOf(doc).get(i.app) === i;
}

/**
 * The Recommended actions list for a filter and a sort (the last one is kept: asked on every key).
 * The list without the text (filtered and sorted) is kept while only the text changes; the text
 * then picks rows of it by number (domain/action-search.ts), and a text that holds the last one
 * picks only among the last one's rows. Filtering commutes with the sort (the order is total:
 * ties fall to the rank), so this is the list `filterActions` makes, in the same order.
 */
export function actionRows(
  actions: readonly Action[],
  f: ActionFilter,
  sort: SortKey,
  reverse = false,
): Action[] {
  const base = baseRows(actions, f, sort, reverse);
  if (!f.text) return base.rows;
  const l = lastText;
  if (l?.base === base && l.text === f.text) return l.rows;
  const narrows = l?.base === base && f.text.includes(l.text);
  const positions = matchingPositions(base.index, f.text, narrows ? l.positions : undefined);
  // A character that keeps every row (each open action's status holds a "p") keeps the same
  // array, so its ids are not worked out again.
  let rows: Action[];
  if (positions.length === base.rows.length) rows = base.rows;
  else if (narrows && positions.length === l.rows.length) rows = l.rows;
  else {
    rows = [];
    for (const p of positions) rows.push(base.rows[p]!);
  }
  lastText = { base, text: f.text, positions, rows };
  return rows;
}

interface BaseRows {
  actions: readonly Action[];
  f: ActionFilter;
  sort: SortKey;
  reverse: boolean;
  rows: Action[];
  index: TextIndex;
}
let lastBase: BaseRows | undefined;
let lastText: { base: BaseRows; text: string; positions: Int32Array; rows: Action[] } | undefined;

/** The list for the filter without its text: kept while only the text changes. */
function baseRows(actions: readonly Action[], f: ActionFilter, sort: SortKey, reverse: boolean): BaseRows {
  const b = lastBase;
  if (
    b &&
    b.actions === actions &&
    b.sort === sort &&
    b.reverse === reverse &&
    b.f.product === f.product &&
    b.f.instance === f.instance &&
    b.f.status === f.status &&
    b.f.showAccepted === f.showAccepted
  )
    return b;
  const choice = withoutText(f);
  const rows = filterActions(actions, choice, sort, reverse);
  // Numbered with the list (a few ms, like its sort), not at the first character typed.
  return (lastBase = { actions, f: choice, sort, reverse, rows, index: textIndex(rows) });
}

export function describeFilter(doc: StoreDoc, f: ActionFilter): string {
  const parts: string[] = [];
  if (f.product) parts.push(`product: ${APP_LABELS[f.product]}`);
  if (f.instance)
    parts.push(`instance: ${sanitize(doc.instances.find((i) => i.id === f.instance)?.name ?? f.instance)}`);
  if (f.status) parts.push(`status: ${STATE_LABELS[f.status]}`);
  if (f.text) parts.push(`text: ${sanitize(f.text)}`);
  if (f.showAccepted && !f.status) parts.push('incl. risk accepted');
  return parts.join(' · ');
}

export { scoreViews };

export type { Catalog };
