import pg from 'pg';
import type { ScoreSummary } from '../../domain/score-summary.js';
import type { Row } from './rows.js';
import { TABLES, type Table } from './schema.js';

/** What a console's first frame does without (the summaries hold their part of the scores). */
export const FIRST_FRAME_LEAVES: readonly Table[] = ['results', 'statuses'];

/** The tables the first frame is drawn from. */
const FIRST_FRAME_TABLES = TABLES.filter((t) => !FIRST_FRAME_LEAVES.includes(t));

/** A console's first read: the schema version it was made under, and the rows of its snapshot. */
export interface FirstRead {
  version: number;
  /** The latest revision, which the rows are as of. */
  head: number;
  tables: Map<Table, Row[]>;
  /** Score summaries by instance id. */
  summaries: Map<string, ScoreSummary>;
}

/**
 * What a console's first frame needs, in one round trip and one snapshot: the schema's version,
 * the latest revision, the instances, daily points, settings and alert queue, and the score
 * summaries. It takes the schema to be there: the caller uses the rows only when `version` is this
 * program's, else (or when undefined: no posture schema yet, or another version's tables) it
 * checks and migrates the schema the careful way, which refuses a newer one.
 *
 * Rows come as arrays, not objects: of objects, arrays and one JSON text aggregated by PostgreSQL
 * (5,000 instances and 5,000 summaries), arrays were the fastest to read; the aggregate costs the
 * server more than it saves Node.
 */
export async function readFirstFrame(client: pg.ClientBase): Promise<FirstRead | undefined> {
  const text = [
    'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    'SELECT version FROM posture_schema',
    'SELECT coalesce(max(revision), 0)::text FROM changes',
    ...FIRST_FRAME_TABLES.map(
      (t) => `SELECT key, position, body FROM ${t} WHERE NOT deleted ORDER BY position`,
    ),
    'SELECT key, body FROM instance_scores',
    'COMMIT',
  ].join(';\n');
  let results: pg.QueryArrayResult[];
  try {
    results = (await client.query({ text, rowMode: 'array' })) as unknown as pg.QueryArrayResult[];
  } catch (error) {
    // The server refused a statement (the rest were not run): give the transaction up and go the
    // careful way. Anything else (the connection broke) is the open's failure.
    if (!(error instanceof pg.DatabaseError)) throw error;
    await client.query('ROLLBACK');
    return undefined;
  }
  const version = Number(results[1]!.rows[0]?.[0] ?? 0);
  const head = Number(results[2]!.rows[0]![0]);
  const tables = new Map<Table, Row[]>();
  FIRST_FRAME_TABLES.forEach((t, n) => {
    const rows = results[3 + n]!.rows as [string, number, unknown][];
    if (rows.length > 0)
      tables.set(
        t,
        rows.map(([key, position, body]) => ({ key, position, body })),
      );
  });
  const summaries = new Map(
    (results[3 + FIRST_FRAME_TABLES.length]!.rows as [string, ScoreSummary][]).map(([k, b]) => [k, b]),
  );
  return { version, head, tables, summaries };
}
