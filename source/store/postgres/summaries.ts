import type pg from 'pg';
import type { Control, StatusUpdate, StoreDoc } from '../../domain/schemas.js';
import { type ScoreSummary, summarize } from '../../domain/score-summary.js';
import { latestByInstance } from '../../domain/scoring.js';
import type { Row } from './rows.js';
import type { Table } from './schema.js';

/** The catalog a store keeps score summaries with, and its fingerprint (catalogKey). */
export interface SummaryCatalog {
  byId: ReadonlyMap<string, Control>;
  key: string;
}

/** What a commit does to the summaries: instances summed again, and instances gone. */
export interface SummaryChanges {
  upsert: { key: string; body: ScoreSummary }[];
  remove: string[];
}

/** The instances whose part of the scores a commit's rows may change. */
export function touchedInstances(rows: ReadonlyMap<Table, readonly Row[]>): Set<string> {
  const ids = new Set<string>();
  for (const r of rows.get('results') ?? []) ids.add(r.key);
  for (const r of rows.get('instances') ?? []) ids.add(r.key);
  for (const r of rows.get('statuses') ?? []) {
    const id = (r.body as StatusUpdate | undefined)?.instanceId;
    if (id !== undefined) ids.add(id);
  }
  return ids;
}

/**
 * The summaries of `ids` in `doc`. Without the catalog (a program that does not score) they are
 * removed instead: a summary left as it was could be wrong, one missing makes the console read
 * every result, as before summaries.
 */
export function summaryChanges(
  doc: StoreDoc,
  ids: ReadonlySet<string>,
  catalog: SummaryCatalog | undefined,
  now: Date,
): SummaryChanges {
  const out: SummaryChanges = { upsert: [], remove: [] };
  if (ids.size === 0) return out;
  if (!catalog) return { upsert: [], remove: [...ids] };
  const latest = latestByInstance(doc.statuses.filter((s) => ids.has(s.instanceId)));
  const byId = new Map(doc.instances.filter((i) => ids.has(i.id)).map((i) => [i.id, i]));
  for (const id of ids) {
    const instance = byId.get(id);
    if (!instance) {
      out.remove.push(id);
      continue;
    }
    const results = doc.results[id]?.results ?? [];
    out.upsert.push({
      key: id,
      body: summarize(instance.app, results, latest.get(id), catalog.byId, catalog.key, now),
    });
  }
  return out;
}

/** Instances whose summary is missing or no longer holds (another catalog, an expiry passed). */
export function staleSummaries(
  doc: StoreDoc,
  seen: ReadonlyMap<string, ScoreSummary>,
  key: string,
  now: number,
): Set<string> {
  const stale = new Set<string>();
  for (const i of doc.instances) {
    const s = seen.get(i.id);
    if (!s || s.catalog !== key || s.app !== i.app || (s.until !== undefined && s.until <= now))
      stale.add(i.id);
  }
  const ids = new Set(doc.instances.map((i) => i.id));
  for (const id of seen.keys()) if (!ids.has(id)) stale.add(id);
  return stale;
}

/** Write a commit's summary changes (inside its transaction). */
export async function writeSummaries(client: pg.ClientBase, changes: SummaryChanges, revision: number) {
  if (changes.upsert.length > 0)
    await client.query(
      `INSERT INTO instance_scores (key, body, revision)
         SELECT k, b::json, $3 FROM unnest($1::text[], $2::text[]) AS t(k, b)
       ON CONFLICT (key) DO UPDATE SET body = excluded.body, revision = excluded.revision`,
      [changes.upsert.map((u) => u.key), changes.upsert.map((u) => JSON.stringify(u.body)), revision],
    );
  if (changes.remove.length > 0)
    await client.query('DELETE FROM instance_scores WHERE key = ANY($1::text[])', [changes.remove]);
}
