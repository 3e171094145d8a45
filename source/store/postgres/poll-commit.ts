import type pg from 'pg';
import { alertTargets, queueAlerts } from '../../domain/alerts.js';
import { dayOf, diffResults } from '../../domain/history.js';
import type {
  AlertQueue,
  Instance,
  PollChanges,
  Settings,
  StatusUpdate,
  StoreDoc,
} from '../../domain/schemas.js';
import { summarize } from '../../domain/score-summary.js';
import { latestByInstance } from '../../domain/scoring.js';
import type { PolledInstance } from '../api.js';
import { sqlLiteral } from './literal.js';
import { pollLocksSql, REVISION_LOCK_SQL } from './locks.js';
import type { Row } from './rows.js';
import type { Table } from './schema.js';
import type { SummaryCatalog } from './summaries.js';

/**
 * One poll's commit on PostgreSQL, touching only its instance: the instance's row (its last
 * poll), its results, its score summary, the poll history, today's score point, and the alert
 * queue when the poll queued alerts. It locks that instance only (locks.ts), reads that instance's
 * rows, and never reads or applies the whole document, so polls of different instances commit at
 * once. Today's point is summed by the database from every instance's summary, under the revision
 * lock: the last commit of a day's polls leaves it exact.
 */

/** What the store knows that the commit needs: statuses as of `revision`, instances not counted. */
export interface PollCommitContext {
  revision: number;
  statuses: readonly StatusUpdate[];
  /** Instances whose score does not count (recommendations off, or not the main one): left out of today's point. */
  notCounted: readonly string[];
  catalog: SummaryCatalog;
  operator: string;
  now: Date;
  /** Tests: called inside the transaction, the instance locked, before the writes. */
  held?: () => Promise<void>;
}

/** What was committed, for the store to show it before its own read of the commit arrives. */
export interface PollCommitted {
  revision: number;
  rows: Map<Table, Row[]>;
  poll: PollChanges | undefined;
}

const CHANNEL = 'posture_commits';
const ONE = 'settings';

interface InstanceRead {
  position: number;
  instance: Instance;
  results: StoreDoc['results'][string] | null;
  settings: Settings | null;
}

/** Commit one instance's poll; undefined when the instance is gone (removed while it was polled). */
export async function commitPoll(
  client: pg.ClientBase,
  polled: PolledInstance,
  o: PollCommitContext,
): Promise<PollCommitted | undefined> {
  const lit = (value: unknown) => sqlLiteral(JSON.stringify(value));
  const idLiteral = sqlLiteral(polled.instanceId);
  try {
    // One round trip: the transaction, the locks, then (after them: an operator's change to this
    // instance committed before is seen) the instance's rows and the statuses newer than ours.
    const opened = (await client.query(
      [
        'BEGIN',
        pollLocksSql(idLiteral),
        `SELECT i.position, i.body AS instance, r.body AS results,
                (SELECT body FROM settings WHERE key = '${ONE}' AND NOT deleted) AS settings
           FROM instances i LEFT JOIN results r ON r.key = i.key AND NOT r.deleted
          WHERE i.key = ${idLiteral} AND NOT i.deleted`,
        `SELECT body FROM statuses WHERE revision > ${Math.trunc(o.revision)} AND NOT deleted
            AND body->>'instanceId' = ${idLiteral} ORDER BY position`,
      ].join(';\n'),
    )) as unknown as pg.QueryResult[];
    const found = opened[2]!.rows[0] as InstanceRead | undefined;
    if (!found) {
      await client.query('ROLLBACK');
      return undefined;
    }
    const newer = opened[3]!.rows as { body: StatusUpdate }[];
    const id = polled.instanceId;
    const instance: Instance = {
      ...found.instance,
      lastPoll: {
        at: polled.at,
        outcome: polled.outcome,
        durationMs: polled.durationMs,
        ...(polled.error ? { error: polled.error } : {}),
      },
    };
    const rows = new Map<Table, Row[]>([
      ['instances', [{ key: id, position: found.position, body: instance }]],
    ]);
    const kinds: string[] = ['instances', 'daily'];
    const writes: string[] = [];
    const rev = '(SELECT max(revision) FROM changes)'; // ours: the first write takes it, under the lock
    const upsert = (table: Table, key: string, position: string, body: string) =>
      `INSERT INTO ${table} (key, position, body, revision, deleted) VALUES (${sqlLiteral(key)}, ${position}, ${body}::json, ${rev}, false)
         ON CONFLICT (key) DO UPDATE SET position = excluded.position, body = excluded.body, revision = excluded.revision, deleted = false`;
    writes.push(upsert('instances', id, String(found.position), lit(instance)));
    let poll: PollChanges | undefined;
    let alerts = false;
    if (polled.results) {
      const changes = diffResults(id, found.results?.results, polled.results);
      const results = Object.freeze({ polledAt: polled.at, results: [...polled.results] });
      rows.set('results', [{ key: id, position: 0, body: results }]);
      kinds.push('results');
      // A new instance's results go after the others; a known one keeps its place.
      writes.push(
        `INSERT INTO results (key, position, body, revision, deleted)
           VALUES (${sqlLiteral(id)}, coalesce((SELECT position FROM results WHERE key = ${sqlLiteral(id)}),
                   (SELECT coalesce(max(position) + 1, 0) FROM results)), ${lit(results)}::json, ${rev}, false)
           ON CONFLICT (key) DO UPDATE SET body = excluded.body, revision = excluded.revision, deleted = false`,
      );
      // The instance's statuses: ours as of our revision, and any committed since.
      const mine = o.statuses.filter((s) => s.instanceId === id);
      const latest = latestByInstance([...mine, ...newer.map((r) => r.body)]).get(id);
      const summary = summarize(instance.app, polled.results, latest, o.catalog.byId, o.catalog.key, o.now);
      writes.push(
        `INSERT INTO instance_scores (key, body, revision) VALUES (${sqlLiteral(id)}, ${lit(summary)}::json, ${rev})
           ON CONFLICT (key) DO UPDATE SET body = excluded.body, revision = excluded.revision`,
      );
      if (changes.length > 0) {
        poll = { at: polled.at, instanceId: id, changes };
        kinds.push('poll_history');
        writes.push(
          `INSERT INTO poll_history (revision, at, instance_id, changes) VALUES (${rev}, ${sqlLiteral(polled.at)}, ${sqlLiteral(id)}, ${lit(changes)}::json)`,
        );
        alerts = found.settings !== null && alertTargets(found.settings.alerts).length > 0;
      }
    }
    await o.held?.();
    // The alert queue is one row others change too (alerts sent): read and written under the
    // revision lock, taken here a round trip early for the polls that queue alerts.
    let head = REVISION_LOCK_SQL;
    if (alerts && poll && polled.results) {
      await client.query(REVISION_LOCK_SQL);
      head = 'SELECT 1';
      const q = await client.query<{ body: AlertQueue; position: number }>(
        `SELECT body, position FROM alert_queue WHERE key = '${ONE}' AND NOT deleted FOR UPDATE`,
      );
      const queue: AlertQueue = structuredClone(q.rows[0]?.body ?? { pending: [], dropped: 0 });
      const draft = { settings: found.settings!, alertQueue: queue } as StoreDoc;
      const before = queue.pending.length + queue.dropped;
      queueAlerts(draft, poll, polled.results, o.catalog.byId);
      if (draft.alertQueue.pending.length + draft.alertQueue.dropped !== before) {
        rows.set('alert_queue', [{ key: ONE, position: 0, body: draft.alertQueue }]);
        kinds.push('alert_queue');
        writes.push(upsert('alert_queue', ONE, '0', lit(draft.alertQueue)));
      }
    }
    const day = sqlLiteral(dayOf(o.now));
    const notCounted = `ARRAY[${o.notCounted.map((k) => sqlLiteral(k)).join(',')}]::text[]`;
    const key = sqlLiteral(o.catalog.key);
    // Today's point from every counted instance's summary, this one's included (round2 as docScores'),
    // from the columns the server keeps out of each summary's JSON (schema.ts, migration 2).
    const daily = `INSERT INTO daily (key, position, body, revision, deleted)
      SELECT ${day}, coalesce((SELECT position FROM daily WHERE key = ${day}), (SELECT coalesce(max(position) + 1, 0) FROM daily)),
             json_build_object('day', ${day}, 'achieved', round(coalesce(sum(a), 0)::numeric, 2)::float8,
                               'possible', round(coalesce(sum(p), 0)::numeric, 2)::float8), ${rev}, false
        FROM (SELECT s.achieved AS a, s.possible AS p
                FROM instance_scores s JOIN instances i ON i.key = s.key AND NOT i.deleted
               WHERE s.catalog = ${key} AND s.counted > 0
                 AND s.app = i.app AND NOT (s.key = ANY(${notCounted}))) AS summed
      ON CONFLICT (key) DO UPDATE SET body = excluded.body, revision = excluded.revision, deleted = false`;
    const text = [
      head,
      // The next revision, after every commit before ours (the lock is held till our COMMIT).
      `INSERT INTO changes (revision, operator, kinds)
         SELECT coalesce(max(revision), 0) + 1, ${sqlLiteral(o.operator)}, ${sqlLiteral(`{${kinds.join(',')}}`)}::text[] FROM changes`,
      ...writes,
      daily,
      `SELECT pg_notify('${CHANNEL}', ${rev}::text)`,
      `SELECT ${rev}::text AS revision, d.position, d.body,
         (SELECT position FROM results WHERE key = ${sqlLiteral(id)}) AS results_position
         FROM daily d WHERE d.key = ${day}`,
      'COMMIT',
    ].join(';\n');
    const results = (await client.query(text)) as unknown as pg.QueryResult[];
    const last = results[results.length - 2]!.rows[0] as {
      revision: string;
      position: number;
      body: unknown;
      results_position: number | null;
    };
    rows.set('daily', [{ key: dayOf(o.now), position: last.position, body: last.body }]);
    const written = rows.get('results')?.[0];
    if (written) written.position = last.results_position ?? 0;
    return { revision: Number(last.revision), rows, poll };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
