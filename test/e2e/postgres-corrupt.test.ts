import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../source/store/open.js';
import { instance } from '../helpers/fixtures.js';
import { freshDatabase } from '../helpers/postgres.js';
import { spawn } from '../helpers/pty.js';

describe('a PostgreSQL store whose rows do not match the schema, opened in the console', () => {
  it('is refused with one line after the first frame, as the file is, and nothing is written', async () => {
    const url = await freshDatabase();
    const seed = await openStore(url);
    await seed.update((d) => {
      d.instances.push(instance('eu', { name: 'Okta Contoso EU' }));
    });
    await seed.close();
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    await db.query(`UPDATE instances SET body = jsonb_set(body::jsonb, '{baseUrl}', '42')::json`);
    const before = (await db.query('SELECT max(revision) AS head FROM changes')).rows[0] as { head: string };
    const session = spawn(['--store', url]);
    expect(await session.exit).toBe(2);
    const screen = session.screen().trim().replaceAll('\n', ''); // one line, wrapped by the terminal
    expect(screen).toMatch(/posture: store postgres:.*does not match the schema at instances\.0\.baseUrl/);
    expect(session.raw()).not.toMatch(/ERROR|posture\.m?js:\d+/); // no stack trace drawn on the way
    const after = (await db.query('SELECT max(revision) AS head FROM changes')).rows[0] as { head: string };
    expect(after.head).toBe(before.head);
    await db.end();
  }, 60_000);
});
