import type pg from 'pg';

/**
 * The database's schema, versioned as the file's is: a one-row table holds its version, and
 * MIGRATIONS[n] turns version n into n+1. Migrations run in order, in one transaction, under an
 * advisory lock, so two programs starting at once on a new database do not both migrate.
 *
 * Every table of the document has one shape: a key, a position (the document's order), the
 * item as JSON, the revision of the commit that last wrote it, and a tombstone (`deleted`), so
 * that another process reads only the rows of commits it has not seen, deletions included.
 * Statuses are keyed by their place in the history and only ever appended.
 */
export const PG_SCHEMA_VERSION = 3;

/** The document's tables, each one collection of it (settings and the alert queue: one row). */
export const TABLES = ['instances', 'results', 'statuses', 'daily', 'settings', 'alert_queue'] as const;
export type Table = (typeof TABLES)[number];

const table = (name: Table) => `
  CREATE TABLE ${name} (
    key text PRIMARY KEY,
    position integer NOT NULL,
    body json,
    revision bigint NOT NULL,
    deleted boolean NOT NULL DEFAULT false
  );
  CREATE INDEX ${name}_revision ON ${name} (revision);`;

const MIGRATIONS: Record<number, string> = {
  0: `
    CREATE TABLE posture_schema (version integer NOT NULL);
    INSERT INTO posture_schema VALUES (0);
    ${TABLES.map(table).join('\n')}
    CREATE TABLE poll_history (
      seq bigserial PRIMARY KEY,
      revision bigint NOT NULL,
      at text NOT NULL,
      instance_id text NOT NULL,
      changes json NOT NULL
    );
    CREATE INDEX poll_history_revision ON poll_history (revision);
    CREATE TABLE changes (
      revision bigint PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      operator text NOT NULL,
      kinds text[] NOT NULL
    );`,
  // Each instance's part of the scores (domain/score-summary.ts), kept by every commit that has
  // the catalog: a console's first frame reads these instead of every result.
  1: `
    CREATE TABLE instance_scores (
      key text PRIMARY KEY,
      body json NOT NULL,
      revision bigint NOT NULL
    );`,
  // Every poll's commit sums today's point over every instance's summary (poll-commit.ts): read
  // out of the JSON, 5,000 summaries and instances took 30-40 ms of the server's CPU a poll, under
  // the lock every commit waits for. Kept as columns by the server itself, the sum reads no JSON.
  // An instance's app is read with an escaped NUL (`\u0000`, which a name may hold and PostgreSQL
  // cannot make text of) turned into U+FFFD first: the same escape's length, so the JSON stays
  // valid, and the app is read whatever else the instance holds. A new instance's results go after
  // the others: their greatest position, found by an index. (IF NOT EXISTS: a database whose
  // summaries were dropped comes back through migration 1 with its instances' column kept.)
  2: `
    ALTER TABLE instance_scores
      ADD COLUMN IF NOT EXISTS app text GENERATED ALWAYS AS (body->>'app') STORED,
      ADD COLUMN IF NOT EXISTS catalog text GENERATED ALWAYS AS (body->>'catalog') STORED,
      ADD COLUMN IF NOT EXISTS counted integer GENERATED ALWAYS AS ((body->>'counted')::integer) STORED,
      ADD COLUMN IF NOT EXISTS achieved float8 GENERATED ALWAYS AS ((body->'sums'->>'achieved')::float8) STORED,
      ADD COLUMN IF NOT EXISTS possible float8 GENERATED ALWAYS AS ((body->'sums'->>'possible')::float8) STORED;
    ALTER TABLE instances ADD COLUMN IF NOT EXISTS app text
      GENERATED ALWAYS AS (replace(body::text, '\\u0000', '\\ufffd')::json->>'app') STORED;
    CREATE INDEX IF NOT EXISTS results_position ON results (position);`,
};

/** Advisory lock keys (two-int form): one for migrating, one that serialises commits. */
export const LOCK_CLASS = 0x7057; // "pW"
export const MIGRATE_LOCK = 1;
export const COMMIT_LOCK = 2;

/** The schema version of the database; 0 when it has no posture schema (a new, empty database). */
export async function schemaVersion(client: pg.ClientBase): Promise<number> {
  // pg_class read with a fresh snapshot, not to_regclass: its catalog cache may not yet know of a
  // table another program created while we waited for the migration lock.
  const { rows } = await client.query<{ exists: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relname = 'posture_schema' AND n.nspname = current_schema()) AS exists`,
  );
  if (!rows[0]?.exists) return 0;
  const v = await client.query<{ version: number }>('SELECT version FROM posture_schema');
  return v.rows[0]?.version ?? 0;
}

export class SchemaTooNew extends Error {
  constructor(readonly version: number) {
    super(`has schema version ${version}, newer than this posture (${PG_SCHEMA_VERSION})`);
  }
}

/**
 * Bring the schema up to this program's version. Nothing is written to a database whose schema is
 * newer (SchemaTooNew). Returns the version found before.
 */
export async function migrate(client: pg.ClientBase): Promise<number> {
  const found = await schemaVersion(client);
  if (found > PG_SCHEMA_VERSION) throw new SchemaTooNew(found);
  if (found === PG_SCHEMA_VERSION) return found;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_CLASS, MIGRATE_LOCK]);
    // Another program may have migrated while we waited for the lock.
    let version = await schemaVersion(client);
    if (version > PG_SCHEMA_VERSION) throw new SchemaTooNew(version);
    while (version < PG_SCHEMA_VERSION) {
      const step = MIGRATIONS[version];
      if (step === undefined) throw new Error(`no migration from schema version ${version}`);
      await client.query(step);
      version++;
      await client.query('UPDATE posture_schema SET version = $1', [version]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
  return found;
}
