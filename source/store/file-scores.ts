import type { Control, InstanceResults, StatusUpdate, StoreDoc } from '../domain/schemas.js';
import { catalogKey, type ScoreSummary } from '../domain/score-summary.js';
import { type SummaryCatalog, summaryChanges } from './postgres/summaries.js';

/** What a summary was made from: when these are the same objects, it still holds. */
interface Kept {
  app: string;
  results: InstanceResults | undefined;
  statuses: readonly StatusUpdate[];
  summary: ScoreSummary;
}

/**
 * Each instance's part of the scores, written in the state file's first line by every commit of a
 * program that has the catalog: a console draws its first frame from them without parsing a result
 * (the same summaries PostgreSQL keeps, made by the same code). Kept per instance and made again
 * only for an instance whose results, status updates or app changed, or whose expiry passed: a
 * commit of one poll sums one instance.
 */
export class FileScores {
  readonly catalog: SummaryCatalog;
  private kept = new Map<string, Kept>();
  /** The last statuses grouped by instance: a commit that changes none shares the array (immer). */
  private grouped:
    { of: readonly StatusUpdate[]; length: number; by: Map<string, StatusUpdate[]> } | undefined;

  constructor(byId: ReadonlyMap<string, Control>) {
    this.catalog = { byId, key: catalogKey(byId) };
  }

  /** Take the summaries read with `doc` as made from it (they were written with it, in one file). */
  adopt(doc: StoreDoc, read: ReadonlyMap<string, ScoreSummary>, now: number): void {
    const statuses = this.statusesByInstance(doc);
    for (const i of doc.instances) {
      const s = read.get(i.id);
      if (!s || s.catalog !== this.catalog.key || s.app !== i.app) continue;
      if (s.until !== undefined && s.until <= now) continue;
      this.kept.set(i.id, {
        app: i.app,
        results: doc.results[i.id],
        statuses: statuses.get(i.id) ?? [],
        summary: Object.freeze(s),
      });
    }
  }

  /** The summaries of every instance of `doc`, in its order. */
  of(doc: StoreDoc, now: Date): Map<string, ScoreSummary> {
    const statuses = this.statusesByInstance(doc);
    const stale = new Set<string>();
    for (const i of doc.instances) {
      const k = this.kept.get(i.id);
      const mine = statuses.get(i.id) ?? [];
      if (
        !k ||
        k.app !== i.app ||
        k.results !== doc.results[i.id] ||
        !sameItems(k.statuses, mine) ||
        (k.summary.until !== undefined && k.summary.until <= now.getTime())
      )
        stale.add(i.id);
    }
    if (stale.size > 0) {
      const made = new Map(
        summaryChanges(doc, stale, this.catalog, now).upsert.map((u) => [u.key, u.body] as const),
      );
      const byId = new Map(doc.instances.map((i) => [i.id, i] as const));
      for (const id of stale) {
        const summary = made.get(id);
        const instance = byId.get(id);
        if (!summary || !instance) continue;
        this.kept.set(id, {
          app: instance.app,
          results: doc.results[id],
          statuses: statuses.get(id) ?? [],
          summary: Object.freeze(summary),
        });
      }
    }
    const out = new Map<string, ScoreSummary>();
    for (const i of doc.instances) {
      const k = this.kept.get(i.id);
      if (k) out.set(i.id, k.summary);
    }
    // Instances gone: forget them.
    if (this.kept.size > out.size) for (const id of this.kept.keys()) if (!out.has(id)) this.kept.delete(id);
    return out;
  }

  private statusesByInstance(doc: StoreDoc): Map<string, StatusUpdate[]> {
    const g = this.grouped;
    if (g?.of === doc.statuses && g.length === doc.statuses.length) return g.by;
    const by = new Map<string, StatusUpdate[]>();
    for (const s of doc.statuses) {
      let mine = by.get(s.instanceId);
      if (!mine) by.set(s.instanceId, (mine = []));
      mine.push(s);
    }
    this.grouped = { of: doc.statuses, length: doc.statuses.length, by };
    return by;
  }
}

const sameItems = <T>(a: readonly T[], b: readonly T[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);
