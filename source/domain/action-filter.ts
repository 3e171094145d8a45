import { APP_LABELS, APPS, type App, type State, STATE_LABELS, STATES } from './schemas.js';
import type { Action } from './scoring.js';

/**
 * Which recommended actions a list shows, and in what order: the console's Recommended actions
 * view and `posture status` show the same list (accepted risks hidden unless asked for).
 */

/** The columns a list can be sorted by, in the table's order (`o` steps through them). */
export type SortKey = 'rank' | 'title' | 'product' | 'instance' | 'result' | 'points' | 'status' | 'severity';
export const SORTS: SortKey[] = [
  'rank',
  'title',
  'product',
  'instance',
  'result',
  'points',
  'status',
  'severity',
];

/**
 * Whether a column's own order puts its larger values first (most points, most severe): the
 * header's arrow says which way the list runs, flipped when the order is reversed.
 */
export const DESCENDING: Record<SortKey, boolean> = {
  rank: false,
  title: false,
  product: false,
  instance: false,
  result: false,
  points: true,
  status: false,
  severity: true,
};

export interface ActionFilter {
  product?: App;
  instance?: string;
  status?: State;
  text: string;
  showAccepted: boolean;
}

export const NO_FILTER: ActionFilter = { text: '', showAccepted: false };

const SEV = { critical: 0, high: 1, medium: 2, low: 3 } as const;
// Worst first: what fails before what could not be read, then passes, and what does not apply last.
const OUTCOME = { fail: 0, partial: 1, error: 2, unknown: 3, pass: 4, not_applicable: 5 } as const;
// Made on the first sort by text: the process's first Intl object loads ICU (about 10 ms), which the
// first frame, ranked and segmenting nothing, does not need (scripts/build.mjs makes Segmenters late).
let collator: Intl.Collator | undefined;
const byText = (a: string, b: string) =>
  (collator ??= new Intl.Collator(undefined, { sensitivity: 'base', numeric: true })).compare(a, b);

/** Each column's own order; ties keep the ranking, so a sorted list still reads most points first. */
const ORDER: Record<SortKey, (a: Action, b: Action) => number> = {
  rank: () => 0,
  title: (a, b) => byText(a.control.title, b.control.title),
  product: (a, b) => APPS.indexOf(a.instance.app) - APPS.indexOf(b.instance.app),
  instance: (a, b) => byText(a.instance.name, b.instance.name),
  result: (a, b) => (OUTCOME[a.result.outcome] ?? 5) - (OUTCOME[b.result.outcome] ?? 5),
  points: (a, b) => b.max - a.max,
  status: (a, b) => STATES.indexOf(a.state) - STATES.indexOf(b.state),
  severity: (a, b) => SEV[a.control.severity] - SEV[b.control.severity],
};

/**
 * Whether an action's row matches: its text columns (title, product, instance, status), what is
 * shown and nothing hidden. Each column is tested once per distinct value (a fleet
 * lists 30,000 actions over 61 controls and 2,000 instances, and every typed character filters
 * them again), keyed by the control, the instance, or the label itself.
 */
function matcher(q: RegExp): (a: Action) => boolean {
  const seen = new Map<object | string, boolean>();
  const test = (key: object | string, text: string) => {
    let hit = seen.get(key);
    if (hit === undefined) seen.set(key, (hit = q.test(text)));
    return hit;
  };
  return (a) =>
    test(a.control, a.control.title) ||
    test(APP_LABELS[a.instance.app], APP_LABELS[a.instance.app]) ||
    test(a.instance, a.instance.name) ||
    test(STATE_LABELS[a.state], STATE_LABELS[a.state]);
}

/** One case-insensitive pattern for a filter's text, instead of lower-casing every title on every key. */
export const textPattern = (text: string): RegExp =>
  new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');

export function filterActions(
  actions: readonly Action[],
  f: ActionFilter,
  sort: SortKey,
  reverse = false,
): Action[] {
  const q = f.text ? textPattern(f.text) : undefined;
  const shows = q && matcher(q);
  const rows = actions.filter(
    (a) =>
      (!f.product || a.instance.app === f.product) &&
      (!f.instance || a.instance.id === f.instance) &&
      (f.status ? a.state === f.status : f.showAccepted || a.state !== 'risk_accepted') &&
      (!shows || shows(a)),
  );
  if (sort !== 'rank') {
    const order = ORDER[sort];
    rows.sort((a, b) => order(a, b) || a.rank - b.rank);
  }
  return reverse ? rows.reverse() : rows;
}
