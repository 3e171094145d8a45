import pg from 'pg';
import { expect, test } from 'vitest';
import { freshDatabase } from '../helpers/postgres.js';

test('the run has a real PostgreSQL server, and each test its own database', async () => {
  const [a, b] = await Promise.all([freshDatabase(), freshDatabase()]);
  expect(a).not.toBe(b);
  const client = new pg.Client({ connectionString: a });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>('select version() as v');
    expect(rows[0]!.v).toMatch(/^PostgreSQL \d+/);
    await client.query('create table t (x int)');
  } finally {
    await client.end();
  }
  // b does not see a's table
  const other = new pg.Client({ connectionString: b });
  await other.connect();
  try {
    const { rows } = await other.query(`select 1 from pg_tables where tablename = 't'`);
    expect(rows).toHaveLength(0);
  } finally {
    await other.end();
  }
});
