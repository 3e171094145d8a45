import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadCatalog } from '../../source/catalog/index.js';
import { PG_SCHEMA_VERSION } from '../../source/store/postgres/schema.js';
import { PgStore } from '../../source/store/postgres/store.js';
import { StoreError } from '../../source/store/store.js';
import { disposeWhenDone } from '../helpers/cleanup.js';
import { fleetStore } from '../helpers/pg-fleet.js';
import { freshDatabase, sql, openPg as open } from '../helpers/postgres.js';
import { startPostgres } from '../../scripts/postgres-server.mjs';
import { readFirstFrame } from '../../source/store/postgres/first-read.js';
import { HOSTILE } from '../helpers/hostile.js';

const catalog = loadCatalog();
/** How the console opens its store (cli.tsx, commands/context.ts). */
const CONSOLE = { checkLater: true, watch: true, catalog: catalog.byId, operator: 'c' } as const;

/** Connections opened and queries sent by every node-postgres client from now on. */
function countTraffic() {
  const connects = vi.spyOn(pg.Client.prototype, 'connect');
  const queries = vi.spyOn(pg.Client.prototype, 'query');
  return { connects: () => connects.mock.calls.length, queries: () => queries.mock.calls.length };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the PostgreSQL console's first frame", () => {
  it('waits for one connection and one round trip; the LISTEN comes after it, and others are followed', async () => {
    const url = await freshDatabase();
    const a = await fleetStore(url, 12);
    const traffic = countTraffic();
    const c = await open(url, CONSOLE);
    expect(c.earlyScores()).toBeDefined(); // drawn from the summaries
    expect(c.doc.instances).toEqual(a.doc.instances);
    // The schema's version, the head, the first frame's tables and the summaries: one query.
    expect({ connects: traffic.connects(), queries: traffic.queries() }).toEqual({ connects: 1, queries: 1 });

    await c.checkInBackground(); // the console calls this once its first frame is drawn
    expect(c.doc.results).toEqual(a.doc.results);
    await vi.waitFor(() => expect(traffic.connects()).toBe(2)); // the LISTEN's
    const name = a.doc.instances[3]!.name;
    await a.update((d) => {
      d.instances[3]!.name = `${name} (renamed)`;
    });
    await vi.waitFor(() => expect(c.doc.instances[3]!.name).toBe(`${name} (renamed)`));
  });

  it('reads every key and body as the rows hold them: quotes, escapes, hostile text, none at all', async () => {
    const url = await freshDatabase();
    const a = await fleetStore(url, 3);
    await a.update((d) => {
      HOSTILE.forEach((h, n) => {
        const i = d.instances[n % 3]!;
        i.name = `${i.name} ${h.text}`;
      });
    });
    await a.close();
    const odd = ['"quoted" \\ key', 'ключ\u0001\n', ''];
    for (const [n, key] of odd.entries())
      await sql(
        url,
        `INSERT INTO daily (key, position, body, revision) VALUES (${literal(key)}, ${100 + n}, ${n === 2 ? 'NULL' : `'{"at": "\\u00e9\\"", "n": ${n}}'`}, 1)`,
      );
    const rows = async (table: string) =>
      (
        await sql<{ key: string; position: number; body: unknown }>(
          url,
          `SELECT key, position, body FROM ${table} WHERE NOT deleted ORDER BY position`,
        )
      ).map(({ key, position, body }) => ({ key, position, body }));
    const client = new pg.Client(url);
    await client.connect();
    try {
      const first = (await readFirstFrame(client))!;
      expect(first.tables.get('instances')).toEqual(await rows('instances'));
      expect(first.tables.get('daily')).toEqual(await rows('daily'));
      expect(first.tables.get('daily')!.at(-1)).toEqual({ key: '', position: 102, body: null });
      const summaries = await sql<{ key: string; body: unknown }>(
        url,
        'SELECT key, body FROM instance_scores',
      );
      expect(first.summaries).toEqual(new Map(summaries.map((r) => [r.key, r.body])));
    } finally {
      await client.end();
    }
  });

  it('sees a commit made between its first read and its LISTEN', async () => {
    const url = await freshDatabase();
    const a = await fleetStore(url, 12);
    const c = await open(url, CONSOLE);
    await a.update((d) => {
      d.instances[0]!.recommendations = !d.instances[0]!.recommendations;
    });
    const want = a.doc.instances[0]!.recommendations;
    await c.checkInBackground();
    await vi.waitFor(() => expect(c.doc.instances[0]!.recommendations).toBe(want));
    expect(c.lastRevision).toBe(a.lastRevision);
  });

  it('refuses a newer schema with one line, whatever its tables, and writes nothing', async () => {
    const url = await freshDatabase();
    await fleetStore(url, 12);
    const revisions = (await sql(url, 'SELECT revision FROM changes')).length;
    await sql(url, 'UPDATE posture_schema SET version = 99');
    const refused = async () => {
      const err = await PgStore.open(url, CONSOLE).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as Error).message).toMatch(
        new RegExp(`has schema version 99, newer than this posture \\(${PG_SCHEMA_VERSION}\\)`),
      );
      expect((err as Error).message).not.toContain('\n');
    };
    await refused(); // its tables still read as ours
    await sql(url, 'ALTER TABLE instances RENAME TO instances_v99'); // they no longer do
    await refused();
    expect(await sql(url, 'SELECT version FROM posture_schema')).toEqual([{ version: 99 }]);
    expect(await sql(url, 'SELECT revision FROM changes')).toHaveLength(revisions);
  });

  it('makes the schema of a new database, and migrates an older one before reading it', async () => {
    const empty = await freshDatabase();
    const c = await open(empty, CONSOLE);
    expect(c.doc.instances).toEqual([]);
    expect(await sql(empty, 'SELECT version FROM posture_schema')).toEqual([{ version: PG_SCHEMA_VERSION }]);

    // Schema 1 had no summaries: migrated, then read whole (nothing to draw the first frame from).
    const url = await freshDatabase();
    const a = await fleetStore(url, 12);
    await a.close();
    await sql(url, 'DROP TABLE instance_scores; UPDATE posture_schema SET version = 1');
    const old = await open(url, CONSOLE);
    expect(await sql(url, 'SELECT version FROM posture_schema')).toEqual([{ version: PG_SCHEMA_VERSION }]);
    expect(old.earlyScores()).toBeUndefined();
    expect(old.doc.results).toEqual(a.doc.results);
  });

  it('follows others again after the server restarts under it', async () => {
    const server = await startPostgres();
    disposeWhenDone(() => server.stop());
    const url = server.url;
    const up = () => vi.waitFor(async () => expect(await sql(url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]));
    await up();
    const a = await fleetStore(url, 12);
    const c = await open(url, { ...CONSOLE, backoffMs: 50 });
    await c.checkInBackground();
    await server.restart();
    await up();
    await a.update((d) => {
      d.instances[1]!.name = 'after the restart';
    });
    await vi.waitFor(() => expect(c.doc.instances[1]!.name).toBe('after the restart'), { timeout: 10_000 });
  }, 60_000);
});

/** A text as an SQL literal (standard strings: only the quote is doubled). */
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
