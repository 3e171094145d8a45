import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { PG_SCHEMA_VERSION } from '../../source/store/postgres/schema.js';
import { PgStore } from '../../source/store/postgres/store.js';
import { StoreError } from '../../source/store/store.js';
import { disposeWhenDone } from '../helpers/cleanup.js';
import { instance } from '../helpers/fixtures.js';
import { freshDatabase, sql, openPg as open } from '../helpers/postgres.js';
import { startPostgres } from '../../scripts/postgres-server.mjs';
import { bundleFixture } from '../helpers/bundle.js';

/** The operator fixture as one script (pg bundled in), run by node. */
const operatorScript = () => bundleFixture(join(import.meta.dirname, 'fixtures', 'operator.ts'));

function operator(script: string, url: string, name: string, state: string) {
  const child = spawn(process.execPath, [script, url, name, state], { stdio: ['ignore', 'pipe', 'pipe'] });
  disposeWhenDone(() => child.kill());
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const ready = vi.waitFor(() => expect(out).toContain('ready'), { timeout: 15_000 });
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { ready, exit, output: () => `${out}${err}` };
}

describe('the PostgreSQL store', () => {
  it('keeps both of two operator processes racing on one action: both in the history, the later stands', async () => {
    const url = await freshDatabase();
    const seed = await open(url, { operator: 'seed' });
    await seed.update((d) => {
      d.instances.push(instance('a'));
    });
    await seed.close();
    const script = await operatorScript();
    const alice = operator(script, url, 'alice', 'planned');
    const bob = operator(script, url, 'bob', 'risk_accepted');
    await Promise.all([alice.ready, bob.ready]); // both hold the document without the other's status
    await sql(url, "NOTIFY posture_go, 'now'");
    expect([await alice.exit, await bob.exit], alice.output() + bob.output()).toEqual([0, 0]);

    const after = await open(url, { readOnly: true });
    expect(after.doc.statuses.map((s) => s.by).sort()).toEqual(['alice', 'bob']);
    // The one committed second stands: it is last in the history.
    const commits = await sql<{ operator: string; kinds: string[] }>(
      url,
      'SELECT operator, kinds FROM changes ORDER BY revision',
    );
    expect(commits.map((c) => c.operator)).toEqual(['seed', expect.any(String), expect.any(String)]);
    expect(commits.slice(1).every((c) => c.kinds.join() === 'statuses')).toBe(true);
    const later = commits[2]!.operator;
    expect(after.doc.statuses.at(-1)!.by).toBe(later);
    expect(after.doc.statuses.at(-1)!.state).toBe(later === 'alice' ? 'planned' : 'risk_accepted');
  }, 60_000);

  it('brings a change by one store to another through its notification, reading only the rows that changed', async () => {
    const url = await freshDatabase();
    const a = await open(url, { operator: 'alice' });
    await a.update((d) => {
      for (let n = 0; n < 50; n++) d.instances.push(instance(`i${n}`));
      for (let n = 0; n < 50; n++) d.results[`i${n}`] = { polledAt: new Date().toISOString(), results: [] };
    });
    const b = await open(url, { operator: 'bob', watch: true });
    expect(b.doc.instances).toHaveLength(50);
    await b.flush();
    const fetched = b.stats.rowsFetched;
    const heard = b.stats.notifications;
    const untouched = b.doc.instances[0];
    let told = 0;
    b.subscribe(() => told++);
    await a.update((d) => {
      d.instances[7]!.recommendations = !d.instances[7]!.recommendations;
    });
    await vi.waitFor(() =>
      expect(b.doc.instances[7]!.recommendations).toBe(a.doc.instances[7]!.recommendations),
    );
    expect(b.stats.notifications).toBeGreaterThan(heard);
    expect(b.stats.rowsFetched - fetched).toBe(1); // the one instance, not the other 99 rows
    expect(b.doc.instances[0]).toBe(untouched); // unchanged rows stay the same objects
    expect(told).toBe(1);
    expect(b.lastRevision).toBe(a.lastRevision);
  });

  it('refuses a database whose schema is newer than the program, with one line, and writes nothing', async () => {
    const url = await freshDatabase();
    const s = await open(url);
    await s.update((d) => {
      d.instances.push(instance('a'));
    });
    await s.close();
    await sql(url, 'UPDATE posture_schema SET version = 99');
    for (const options of [{}, { readOnly: true }]) {
      const err = await PgStore.open(url, options).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as Error).message).toMatch(
        new RegExp(`has schema version 99, newer than this posture \\(${PG_SCHEMA_VERSION}\\)`),
      );
      expect((err as Error).message).not.toContain('\n');
    }
    expect(await sql(url, 'SELECT version FROM posture_schema')).toEqual([{ version: 99 }]);
    expect(await sql(url, 'SELECT revision FROM changes')).toHaveLength(1);
  });

  it('migrates once when two programs open a new database at once', async () => {
    const url = await freshDatabase();
    const stores = await Promise.all([1, 2, 3].map(() => open(url)));
    expect(stores.every((s) => s.doc.instances.length === 0)).toBe(true);
    expect(await sql(url, 'SELECT version FROM posture_schema')).toEqual([{ version: PG_SCHEMA_VERSION }]);
  });

  it('shows the URL without its password', async () => {
    const url = new URL(await freshDatabase());
    url.password = 'sekret';
    const s = await open(url.toString());
    expect(s.file).not.toContain('sekret');
  });

  it('carries on when the server restarts under it; a commit while it is down fails with one line and is undone', async () => {
    const server = await startPostgres();
    disposeWhenDone(() => server.stop());
    const url = server.url;
    // The server takes connections a moment after its port opens ("the database system is starting up").
    const up = () => vi.waitFor(async () => expect(await sql(url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]));
    await up();
    const writer = await open(url, { operator: 'alice', backoffMs: 50 });
    const reader = await open(url, { operator: 'bob', watch: true, backoffMs: 50 });
    await writer.update((d) => {
      d.instances.push(instance('a'));
    });
    await vi.waitFor(() => expect(reader.doc.instances).toHaveLength(1));

    process.kill(server.pid, 'SIGINT'); // fast shutdown: every session is cut off
    await vi.waitFor(async () => expect(await sql(url, 'SELECT 1').catch(() => 'down')).toBe('down'));
    const failed = await writer
      .update((d) => {
        d.instances.push(instance('b'));
      })
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(StoreError);
    expect((failed as Error).message).toMatch(/cannot be written/);
    expect((failed as Error).message).not.toContain('\n');
    expect(writer.doc.instances.map((i) => i.id)).toEqual(['a']); // back to what is committed

    await server.restart();
    await up();
    await writer.update((d) => {
      d.instances.push(instance('c'));
    });
    await vi.waitFor(() => expect(reader.doc.instances.map((i) => i.id)).toEqual(['a', 'c']), {
      timeout: 10_000,
    });
    await reader.update((d) => {
      d.instances[0]!.recommendations = true;
    });
    await vi.waitFor(() => expect(writer.doc.instances[0]!.recommendations).toBe(true), { timeout: 10_000 });
  }, 60_000);
});
