import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { sqlLiteral } from '../../source/store/postgres/literal.js';
import { freshDatabase, sql } from '../helpers/postgres.js';
import { HOSTILE } from '../helpers/hostile.js';

const texts = [
  '',
  'plain',
  "O'Brien's",
  "''",
  '\\',
  "back\\slash and 'quote'",
  '\\\\u0000 "\\"',
  "E'\\'",
  'ключ \u0001 \u{1F600} \t\n',
  JSON.stringify({ name: "it's", value: 'a\\b', nul: '\u0000' }),
  ...HOSTILE.map((h) => h.text),
];

describe('an SQL literal made by sqlLiteral', () => {
  it("is node-postgres' escapeLiteral, to the character", () => {
    for (const text of texts) expect(sqlLiteral(text)).toBe(pg.escapeLiteral(text));
  });

  it('reads back as the text it was made from', async () => {
    const url = await freshDatabase();
    const usable = texts.filter((t) => !t.includes('\u0000')); // PostgreSQL's text holds no NUL
    const rows = await sql<{ t: string }>(
      url,
      usable.map((t) => `SELECT ${sqlLiteral(t)} AS t`).join(' UNION ALL '),
    );
    expect(rows.map((r) => r.t)).toEqual(usable);
  });
});
