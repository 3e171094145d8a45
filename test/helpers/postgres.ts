import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { PgStore } from '../../source/store/postgres/store.js';
import { disposeWhenDone } from './cleanup.js';

/** The run's PostgreSQL server (test/helpers/postgres-global.ts). */
export function postgresServer(): string {
  return inject('postgresUrl');
}

/** A new, empty database on the run's server: its URL. Each test gets its own, so none share state. */
export async function freshDatabase(base = postgresServer()): Promise<string> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A PostgreSQL store closed when the test is done. */
export async function openPg(
  url: string,
  options: Parameters<typeof PgStore.open>[1] = {},
): Promise<PgStore> {
  const store = await PgStore.open(url, options);
  disposeWhenDone(() => store.close());
  return store;
}

/** The rows of one statement, on a connection of its own. */
export async function sql<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}
