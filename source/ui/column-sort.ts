import { type Health, healthOf } from '../domain/instances.js';
import type { Instance, StoreDoc } from '../domain/schemas.js';
import { sanitize } from '../text/sanitize.js';
import type { AppRow } from './model.js';
import { countsInMode } from './model.js';

/**
 * Sorting Connected apps and an app's instances by any of their columns, with the keys that sort
 * Recommended actions (next column, previous, reverse). Unsorted is the store's order; the
 * selection is held by id, so the cursor stays on its row as the rows move.
 */

/** A list's sort: the column (an index into its columns) and whether its order is turned around. */
export interface ColumnSort {
  column: number;
  reverse: boolean;
}

export type SortedList = 'apps' | 'drawer';

interface Column<T> {
  name: string;
  value: (row: T, ctx: { doc: StoreDoc; now: number }) => string | number;
  /** Whether the column's own order runs from the largest value down (worst health first, newest poll first). */
  descending: boolean;
}

const HEALTH_RANK: Record<Health, number> = { error: 3, stale: 2, never: 1, ok: 0 };
const time = (at: string | undefined) => (at ? Date.parse(at) : 0);

/** Connected apps' columns, as its header names them. */
export const APP_COLUMNS: readonly Column<AppRow>[] = [
  { name: 'app', value: (r) => r.label, descending: false },
  { name: 'instances', value: (r) => r.instances * 10_000 + r.counted, descending: true },
  {
    name: 'health',
    value: (r) => r.health.error * 1e8 + r.health.stale * 1e4 + r.health.never,
    descending: true,
  },
  { name: 'last poll', value: (r) => time(r.lastPoll), descending: true },
  {
    name: 'score',
    value: (r) => (r.score && r.score.possible > 0 ? r.score.achieved / r.score.possible : -1),
    descending: false,
  },
];

/** An app's instances' columns, as the drawer's header names them. */
export const INSTANCE_COLUMNS: readonly Column<Instance>[] = [
  { name: 'instance', value: (i) => sanitize(i.name), descending: false },
  { name: 'endpoint', value: (i) => sanitize(i.baseUrl), descending: false },
  { name: 'health', value: (i, c) => HEALTH_RANK[healthOf(i, c.now)], descending: true },
  { name: 'last poll', value: (i) => time(i.lastPoll?.at), descending: true },
  // Counted first, then on but not counted (single-instance mode), then off.
  {
    name: 'recs',
    value: (i, c) => (i.recommendations ? (countsInMode(c.doc, i) ? 2 : 1) : 0),
    descending: true,
  },
];

const columnsOf = (list: SortedList) => (list === 'apps' ? APP_COLUMNS : INSTANCE_COLUMNS);

/** Whether the sorted column's arrow points down: its values run from the largest to the smallest. */
export function sortArrow(list: SortedList, sort: ColumnSort): '↓' | '↑' {
  return columnsOf(list)[sort.column]?.descending !== sort.reverse ? '↓' : '↑';
}

/** "health ↓", for a title; empty when the list is in the store's order. */
export function columnSortLabel(list: SortedList, sort: ColumnSort | undefined): string {
  const col = sort && columnsOf(list)[sort.column];
  return col ? `sort: ${col.name} ${sortArrow(list, sort)}` : '';
}

/**
 * The sort after a sort key: `next` steps to the next column (after the last, back to the store's
 * order), `prev` to the previous; a new column starts in its own order. `reverse` turns the order
 * around, and from the store's order sorts by the first column reversed.
 */
export function stepSort(
  list: SortedList,
  sort: ColumnSort | undefined,
  key: 'next' | 'prev' | 'reverse',
): ColumnSort | undefined {
  const n = columnsOf(list).length;
  if (key === 'reverse') return sort ? { ...sort, reverse: !sort.reverse } : { column: 0, reverse: true };
  const at = sort?.column ?? (key === 'next' ? -1 : n);
  const to = at + (key === 'next' ? 1 : -1);
  return to < 0 || to >= n ? undefined : { column: to, reverse: false };
}

function sortBy<T>(
  rows: readonly T[],
  column: Column<T> | undefined,
  reverse: boolean,
  ctx: { doc: StoreDoc; now: number },
): readonly T[] {
  if (!column) return rows;
  const down = column.descending !== reverse;
  // Decorated once: a value is computed per row, not per comparison. Ties keep the store's order.
  return rows
    .map((row, i) => ({ row, i, v: column.value(row, ctx) }))
    .sort((a, b) => {
      const d =
        typeof a.v === 'string' && typeof b.v === 'string'
          ? a.v.localeCompare(b.v, undefined, { sensitivity: 'base' })
          : Number(a.v) - Number(b.v);
      return (down ? -d : d) || a.i - b.i;
    })
    .map((x) => x.row);
}

export function sortApps(
  rows: readonly AppRow[],
  sort: ColumnSort | undefined,
  doc: StoreDoc,
  now: number,
): readonly AppRow[] {
  return sort ? sortBy(rows, APP_COLUMNS[sort.column], sort.reverse, { doc, now }) : rows;
}

export function sortInstances(
  rows: readonly Instance[],
  sort: ColumnSort | undefined,
  doc: StoreDoc,
  now: number,
): readonly Instance[] {
  return sort ? sortBy(rows, INSTANCE_COLUMNS[sort.column], sort.reverse, { doc, now }) : rows;
}
