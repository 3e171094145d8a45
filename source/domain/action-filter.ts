import { type App, APP_LABELS, type State, STATE_LABELS } from './schemas.js';
import type { Action } from './scoring.js';

/**
 * Which recommended actions a list shows, and in what order: the console's Recommended actions
 * view and `posture status` show the same list (accepted risks hidden unless asked for).
 */

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

/** The text columns of an action's row, which the filter's text matches: what is shown, nothing hidden. */
const shownText = (a: Action) => [
  a.control.title,
  APP_LABELS[a.instance.app],
  a.instance.name,
  STATE_LABELS[a.state],
];

export function filterActions(actions: readonly Action[], f: ActionFilter, sort: SortKey): Action[] {
  // One case-insensitive pattern instead of lower-casing every title on every keystroke.
  const q = f.text ? new RegExp(f.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i') : undefined;
  const rows = actions.filter(
    (a) =>
      (!f.product || a.instance.app === f.product) &&
      (!f.instance || a.instance.id === f.instance) &&
      (f.status ? a.state === f.status : f.showAccepted || a.state !== 'risk_accepted') &&
      (!q || shownText(a).some((t) => q.test(t))),
  );
  if (sort === 'points') return rows.sort((a, b) => b.max - a.max || a.rank - b.rank);
  if (sort === 'severity')
    return rows.sort((a, b) => SEV[a.control.severity] - SEV[b.control.severity] || a.rank - b.rank);
  return rows;
}
