import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

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
