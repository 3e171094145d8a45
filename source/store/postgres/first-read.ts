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
 * Each table's rows come as one text, a JSON array of `{key, position, body}` joined by the server
 * from the bodies' text as stored (`json` keeps it; no JSON is built there): one JSON.parse in
 * Node instead of a row message and a JSON.parse per row. At 5,000 instances and 5,000 summaries,
 * started cold as a console is: 25 ms of Node's CPU against 63-72 for rows as arrays, 37 ms from
 * query to objects against 50-56 (json_agg, which builds JSON on the server: 28 and 47).
 */
export async function readFirstFrame(client: pg.ClientBase): Promise<FirstRead | undefined> {
  const text = [
    'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    'SELECT version FROM posture_schema',
    'SELECT coalesce(max(revision), 0)::text FROM changes',
    ...FIRST_FRAME_TABLES.map(
      (t) =>
        `SELECT ${joined(`'{"key":' || ${KEY} || ',"position":' || position || ',"body":' || ${BODY} || '}'`, 'position')} FROM ${t} WHERE NOT deleted`,
    ),
    `SELECT ${joined(`'[' || ${KEY} || ',' || ${BODY} || ']'`)} FROM instance_scores`,
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
    const rows = rowsOf<Row>(results[3 + n]!);
    if (rows.length > 0) tables.set(t, rows);
  });
  const summaries = new Map(rowsOf<[string, ScoreSummary]>(results[3 + FIRST_FRAME_TABLES.length]!));
  return { version, head, tables, summaries };
}

/** A row's key as a JSON string, and its `json` body as it is stored (null for none). */
const KEY = 'to_json(key)::text';
const BODY = `coalesce(body::text, 'null')`;

/** Every row's JSON text (`row`, an SQL expression) joined into one JSON array, in `order`. */
const joined = (row: string, order?: string) =>
  `coalesce('[' || string_agg(${row}, ','${order ? ` ORDER BY ${order}` : ''}) || ']', '[]')`;

/** The rows `joined` made. */
const rowsOf = <Row>(result: pg.QueryArrayResult): Row[] => JSON.parse(result.rows[0]![0] as string) as Row[];
