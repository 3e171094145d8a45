import { z } from 'zod';
import { unseenItem } from '../../domain/rules.js';
import { check } from '../datasets.js';
import { ConnectorError, type HttpClient, header } from '../http.js';

/**
 * How many records a table holds, for settings that are a count (at least 5,000 excluded
 * passwords, at least one active IP access rule): one Table API page of one row, whose
 * X-Total-Count counts the query before read ACLs run. The query each table is counted with.
 */
export const COUNTED: Readonly<Record<string, string>> = {
  blacklisted_password: '',
  ip_access: 'active=true',
};

const rightOf = (table: string) => `the admin role, or a role that a table-level read ACL on ${table} grants`;

/**
 * One item per table, `{table, count}` (the count a string, as ServiceNow sends values). A count
 * the user's reads cannot back is a placeholder naming the role: no X-Total-Count; rows counted
 * but none returned (the table's read ACL hides them: ServiceNow answers 200 with an empty list,
 * not 403); or a 403. A count of 0 is the table being empty: the count runs before any ACL.
 */
export async function tableCounts(client: HttpClient, tables: readonly string[]): Promise<unknown[]> {
  const Envelope = z.looseObject({ result: z.array(z.unknown()) });
  const items: unknown[] = [];
  for (const table of tables) {
    const query = COUNTED[table];
    if (query === undefined) throw new Error(`catalog: no count query for the ServiceNow table ${table}`);
    const right = rightOf(table);
    let res;
    try {
      res = await client.get(`/api/now/table/${table}`, {
        ...(query ? { sysparm_query: query } : {}),
        sysparm_fields: 'sys_id',
        sysparm_limit: 1,
      });
    } catch (error) {
      if (!(error instanceof ConnectorError) || error.kind !== 'forbidden') throw error;
      items.push(
        unseenItem(
          { table },
          { reason: `the integration user may not read ${table}: it needs ${right}`, missing: right },
        ),
      );
      continue;
    }
    const { result } = check(Envelope, res.body, table);
    client.collected(result.length);
    const total = Number.parseInt(header(res.headers, 'x-total-count') ?? '', 10);
    if (Number.isNaN(total))
      items.push(
        unseenItem(
          { table },
          { reason: `the instance sent no X-Total-Count for ${table}, so its records cannot be counted` },
        ),
      );
    else if (total > 0 && result.length === 0)
      items.push(
        unseenItem(
          { table },
          {
            reason: `X-Total-Count counts ${total} records of ${table} but none came back: the integration user may not read ${table}`,
            missing: right,
          },
        ),
      );
    else items.push({ table, count: String(total) });
  }
  return items;
}
