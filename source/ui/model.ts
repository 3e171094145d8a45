import type { Catalog } from '../catalog/index.js';
import { type Health, healthOf } from '../domain/instances.js';
import {
  APP_LABELS,
  APPS,
  type App,
  type Instance,
  STATE_LABELS,
  type State,
  type StoreDoc,
} from '../domain/schemas.js';
import {
  type Action,
  rankActions,
  type Score,
  scoreByApp,
  scoreByInstance,
  scoreViews,
} from '../domain/scoring.js';
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
}

// Ranking sorts thousands of actions: done on first use after each change, not per frame.
export const rankedOf = lastCall(rankActions);

// Thousands of actions to add up per app and per instance: once per change, not per key.
export const scoresByApp = lastCall(scoreByApp);
export const scoresByInstance = lastCall(scoreByInstance);

export function appRows(doc: StoreDoc, actions: readonly Action[], text: string, now: number): AppRow[] {
  const scores = scoresByApp(actions);
  const q = text.toLowerCase();
  const rows: AppRow[] = [];
  for (const app of APPS) {
    const list = doc.instances.filter((i) => i.app === app);
    if (list.length === 0) continue;
    const label = APP_LABELS[app];
    if (q && !label.toLowerCase().includes(q) && !list.some((i) => i.name.toLowerCase().includes(q)))
      continue;
    const health: Record<Health, number> = { ok: 0, error: 0, stale: 0, never: 0 };
    let lastPoll: string | undefined;
    for (const i of list) {
      health[healthOf(i, now)]++;
      if (i.lastPoll && (!lastPoll || i.lastPoll.at > lastPoll)) lastPoll = i.lastPoll.at;
    }
    const score = scores.get(app);
    rows.push({
      id: app,
      label,
      instances: list.length,
      counted: list.filter((i) => i.recommendations).length,
      health,
      ...(lastPoll ? { lastPoll } : {}),
      ...(score ? { score } : {}),
    });
  }
  return rows;
}

/** An app's instances matching the drawer's filter; the reducer and the view ask for them on each key. */
export const drawerRows = lastCall((doc: StoreDoc, app: App | undefined, text: string): Instance[] => {
  const q = text.toLowerCase();
  return doc.instances.filter((i) => i.app === app && (!q || i.name.toLowerCase().includes(q)));
});

export type SortKey = 'rank' | 'points' | 'severity';
export const SORTS: SortKey[] = ['rank', 'points', 'severity'];

export interface ActionFilter {
  product?: App;
  instance?: string;
  status?: State;
  text: string;
  showAccepted: boolean;
}

export const NO_FILTER: ActionFilter = { text: '', showAccepted: false };

const SEV = { critical: 0, high: 1, medium: 2, low: 3 } as const;

/** The Recommended actions list for a filter and a sort (the last one is kept: asked on every key). */
export const actionRows = lastCall(filterActions);

function filterActions(actions: readonly Action[], f: ActionFilter, sort: SortKey): Action[] {
  // One case-insensitive pattern instead of lower-casing every title on every keystroke.
  const q = f.text ? new RegExp(f.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i') : undefined;
  const rows = actions.filter(
    (a) =>
      (!f.product || a.instance.app === f.product) &&
      (!f.instance || a.instance.id === f.instance) &&
      (f.status ? a.state === f.status : f.showAccepted || a.state !== 'risk_accepted') &&
      (!q || q.test(a.control.title) || q.test(a.instance.name) || q.test(a.control.id)),
  );
  if (sort === 'points') return rows.sort((a, b) => b.max - a.max || a.rank - b.rank);
  if (sort === 'severity')
    return rows.sort((a, b) => SEV[a.control.severity] - SEV[b.control.severity] || a.rank - b.rank);
  return rows;
}

export function describeFilter(doc: StoreDoc, f: ActionFilter): string {
  const parts: string[] = [];
  if (f.product) parts.push(`product: ${APP_LABELS[f.product]}`);
  if (f.instance)
    parts.push(`instance: ${doc.instances.find((i) => i.id === f.instance)?.name ?? f.instance}`);
  if (f.status) parts.push(`status: ${STATE_LABELS[f.status]}`);
  if (f.text) parts.push(`text: ${f.text}`);
  if (f.showAccepted && !f.status) parts.push('incl. risk accepted');
  return parts.join(' · ');
}

export { scoreViews };

export function percent(s: Score | undefined): string {
  return s?.percent === null || s?.percent === undefined ? '–' : `${s.percent.toFixed(1)}%`;
}

export function points(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0$/, '');
}

export function ago(iso: string | undefined, now: number): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86_400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86_400)}d ago`;
}

export type { Catalog };
