import { produce } from 'immer';
import type { z } from 'zod';
import {
  AlertQueueSchema,
  emptyStore,
  DailyPointSchema,
  InstanceResultsSchema,
  InstanceSchema,
  type PollChanges,
  SettingsSchema,
  StatusUpdateSchema,
  type StoreDoc,
} from '../../domain/schemas.js';
import type { Table } from './schema.js';

/** One row of a document table, as written or read. `body` is undefined for a tombstone. */
export interface Row {
  key: string;
  position: number;
  body: unknown;
}

/** How one table holds one part of the document: its items as (key, value) in the document's order. */
interface Collection {
  entries(doc: StoreDoc): readonly (readonly [string, unknown])[];
  /** How many items, and the key at a position: what a catch-up checks without listing 5,000 entries. */
  size(doc: StoreDoc): number;
  keyAt(doc: StoreDoc, position: number): string | undefined;
  /** The part of the document that, when it is the same object, holds no change. */
  part(doc: StoreDoc): unknown;
  /** Put the items, in order, back into a document. */
  set(doc: StoreDoc, values: readonly (readonly [string, unknown])[]): void;
  /** The item's schema: a row another process wrote is checked before it is shown. */
  schema: z.ZodType;
  /** Put one item at its place, in a draft: in place of the item there, or just after the last. */
  put(doc: StoreDoc, position: number, key: string, value: unknown): void;
}

const ONE = 'settings';

export const COLLECTIONS: Record<Table, Collection> = {
  instances: {
    entries: (d) => d.instances.map((i) => [i.id, i] as const),
    size: (d) => d.instances.length,
    keyAt: (d, p) => d.instances[p]?.id,
    part: (d) => d.instances,
    set: (d, v) => void (d.instances = v.map(([, i]) => i) as StoreDoc['instances']),
    schema: InstanceSchema,
    put: (d, p, _k, v) => void (d.instances[p] = v as StoreDoc['instances'][number]),
  },
  results: {
    entries: (d) => Object.entries(d.results),
    size: (d) => Object.keys(d.results).length,
    keyAt: (d, p) => Object.keys(d.results)[p],
    part: (d) => d.results,
    set: (d, v) => void (d.results = Object.fromEntries(v) as StoreDoc['results']),
    schema: InstanceResultsSchema,
    // A key already there keeps its place in the object; a new one goes last.
    put: (d, _p, k, v) => void (d.results[k] = v as StoreDoc['results'][string]),
  },
  // The status history: appended to, keyed by place; the latest per action stands.
  statuses: {
    entries: (d) => d.statuses.map((s, n) => [String(n), s] as const),
    size: (d) => d.statuses.length,
    keyAt: (d, p) => (p < d.statuses.length ? String(p) : undefined),
    part: (d) => d.statuses,
    set: (d, v) => void (d.statuses = v.map(([, s]) => s) as StoreDoc['statuses']),
    schema: StatusUpdateSchema,
    put: (d, p, _k, v) => void (d.statuses[p] = v as StoreDoc['statuses'][number]),
  },
  daily: {
    entries: (d) => d.daily.map((p) => [p.day, p] as const),
    size: (d) => d.daily.length,
    keyAt: (d, p) => d.daily[p]?.day,
    part: (d) => d.daily,
    set: (d, v) => void (d.daily = v.map(([, p]) => p) as StoreDoc['daily']),
    schema: DailyPointSchema,
    put: (d, p, _k, v) => void (d.daily[p] = v as StoreDoc['daily'][number]),
  },
  settings: {
    entries: (d) => [[ONE, d.settings]],
    size: () => 1,
    keyAt: (_d, p) => (p === 0 ? ONE : undefined),
    part: (d) => d.settings,
    set: (d, v) => {
      if (v[0]) d.settings = v[0][1] as StoreDoc['settings'];
    },
    schema: SettingsSchema,
    put: (d, _p, _k, v) => void (d.settings = v as StoreDoc['settings']),
  },
  alert_queue: {
    entries: (d) => [[ONE, d.alertQueue]],
    size: () => 1,
    keyAt: (_d, p) => (p === 0 ? ONE : undefined),
    part: (d) => d.alertQueue,
    set: (d, v) => {
      if (v[0]) d.alertQueue = v[0][1] as StoreDoc['alertQueue'];
    },
    schema: AlertQueueSchema,
    put: (d, _p, _k, v) => void (d.alertQueue = v as StoreDoc['alertQueue']),
  },
};

/**
 * The rows a change wrote: items that are not the same object as before (immer copies only what a
 * change touches), or moved; tombstones for keys gone. A part that is the same object is skipped whole.
 */
export function changedRows(before: StoreDoc, after: StoreDoc, c: Collection): Row[] {
  if (c.part(before) === c.part(after)) return [];
  const was = c.entries(before);
  const now = c.entries(after);
  // The same keys in the same order, or more after them: the items that are not the same objects.
  if (now.length >= was.length && was.every(([key], n) => now[n]![0] === key)) {
    const rows: Row[] = [];
    now.forEach(([key, value], position) => {
      if (position >= was.length || was[position]![1] !== value) rows.push({ key, position, body: value });
    });
    return rows;
  }
  const old = new Map<string, { value: unknown; position: number }>();
  was.forEach(([key, value], position) => old.set(key, { value, position }));
  const rows: Row[] = [];
  now.forEach(([key, value], position) => {
    const was = old.get(key);
    old.delete(key);
    if (was && was.value === value && was.position === position) return;
    rows.push({ key, position, body: value });
  });
  for (const [key, was] of old) rows.push({ key, position: was.position, body: undefined });
  return rows;
}

/** The rows of every table that differ between two documents. */
export function diff(before: StoreDoc, after: StoreDoc): Map<Table, Row[]> {
  const out = new Map<Table, Row[]>();
  for (const [table, c] of Object.entries(COLLECTIONS) as [Table, Collection][]) {
    const rows = changedRows(before, after, c);
    if (rows.length > 0) out.set(table, rows);
  }
  return out;
}

/**
 * A document with rows of later commits applied: upserted or deleted by key, kept in their
 * positions; items no row names stay the same objects. A row that does not match its schema
 * (a hand edit) is left out: what is shown stays.
 */
export function applyRows(
  doc: StoreDoc,
  tables: ReadonlyMap<Table, readonly Row[]>,
  /** Check each row against its schema (false: the whole document is checked after, as read). */
  check = true,
): StoreDoc {
  if (tables.size === 0) return doc;
  const valueOf = (table: Table, row: Row): unknown => {
    if (!check) return row.body;
    const parsed = COLLECTIONS[table].schema.safeParse(row.body);
    if (!parsed.success) return undefined;
    return table === 'results' ? Object.freeze(parsed.data as object) : parsed.data;
  };
  return produce(doc, (draft) => {
    for (const [table, rows] of tables) {
      if (rows.length === 0) continue;
      const c = COLLECTIONS[table];
      // Most commits replace a few items or add one after the last (a poll, a status): put in
      // place, without rebuilding 5,000 items (every worker and console does this for every commit).
      if (inPlace(doc, c, rows)) {
        const values = rows.map((row) => valueOf(table, row));
        if (values.every((v) => v !== undefined)) {
          rows.forEach((row, n) => c.put(draft as StoreDoc, row.position, row.key, values[n]));
          continue;
        }
      }
      const items = new Map<string, { value: unknown; position: number }>();
      c.entries(doc).forEach(([key, value], position) => items.set(key, { value, position }));
      for (const row of rows) {
        if (row.body === undefined || row.body === null) {
          items.delete(row.key);
          continue;
        }
        let value: unknown = row.body;
        if (check) {
          const parsed = c.schema.safeParse(row.body);
          if (!parsed.success) continue;
          value = table === 'results' ? Object.freeze(parsed.data as object) : parsed.data;
        }
        items.set(row.key, { value, position: row.position });
      }
      const ordered = [...items].sort((a, b) => a[1].position - b[1].position);
      c.set(
        draft as StoreDoc,
        ordered.map(([key, { value }]) => [key, value] as const),
      );
    }
  });
}

/**
 * Whether every row replaces the item at its position (same key) or comes right after the last
 * (a key not there yet), with no deletion: then the rows can be put in place.
 */
function inPlace(doc: StoreDoc, c: Collection, rows: readonly Row[]): boolean {
  const size = c.size(doc);
  let end = size;
  let keys: Set<string> | undefined;
  for (const row of rows) {
    if (row.body === undefined || row.body === null) return false;
    if (row.position < size && c.keyAt(doc, row.position) === row.key) continue;
    if (row.position !== end) return false;
    keys ??= new Set(c.entries(doc).map(([k]) => k));
    if (keys.has(row.key)) return false;
    keys.add(row.key);
    end++;
  }
  return true;
}

/**
 * A document from every row of its tables, as read in position order: the items set as they are
 * (no copy-on-write step for 30,000 new items; the first change copies what it touches).
 */
export function docOf(tables: ReadonlyMap<Table, readonly Row[]>): StoreDoc {
  const doc = emptyStore();
  for (const [table, rows] of tables) {
    const live = rows.filter((r) => r.body !== undefined && r.body !== null);
    live.sort((a, b) => a.position - b.position);
    COLLECTIONS[table].set(
      doc,
      live.map((r) => [r.key, r.body] as const),
    );
  }
  return doc;
}

export interface PollRow {
  at: string;
  instance_id: string;
  changes: PollChanges['changes'];
}

export const pollOf = (r: PollRow): PollChanges => ({
  at: r.at,
  instanceId: r.instance_id,
  changes: r.changes,
});
