import { z } from 'zod';
import { loadCatalog } from '../../catalog/index.js';
import { type Dataset, type Datasets, unseenItem } from '../../domain/rules.js';
import type { Control } from '../../domain/schemas.js';
import { check, dataset, unreadableReason } from '../datasets.js';
import {
  ConnectorError,
  HttpClient,
  header,
  parseLinks,
  retryAfterMs,
  type Vendor,
  waitUntilEpochSeconds,
} from '../http.js';
import { CONNECTOR_OPTIONS } from '../../domain/app-options.js';
import { type CollectContext, type Connector, instanceOptions } from '../types.js';
import { tableCounts } from './counts.js';

/**
 * ServiceNow Table API: `GET /api/now/table/{table}` with Basic auth (integration user + password)
 * or an OAuth bearer token; `{"result":[…]}` bodies whose values are all strings; offset paging.
 */

export const PROPERTIES = 'servicenow:sys_properties';
export const PLUGINS = 'servicenow:plugins';
export const APPS = 'servicenow:store_apps';
export const PUBLIC_PAGES = 'servicenow:public_pages';
export const COUNTS = 'servicenow:table_counts';

const PAGE_SIZE = 100;
const MAX_PAGES = 200;
// Names per `nameIN…` query, to keep the URL well below proxies' limits as the catalog grows.
const NAMES_PER_QUERY = 50;

const ErrorBody = z.looseObject({
  error: z.looseObject({ message: z.string(), detail: z.string().nullish() }),
});

export const servicenowVendor: Vendor = {
  name: 'ServiceNow',
  // ServiceNow sends no error code: its message is all a connector could decide on.
  readError(body) {
    const r = ErrorBody.safeParse(body);
    if (!r.success) return undefined;
    const { message, detail } = r.data.error;
    return { message, line: detail ? `${message} (${detail})` : message };
  },
  // 429 only exists when an admin created a rate-limit rule; it carries Retry-After in seconds.
  rateLimitWait(res, now) {
    if (res.status !== 429) return undefined;
    return retryAfterMs(res, now) ?? waitUntilEpochSeconds(res, 'x-ratelimit-reset', now) ?? 60_000;
  },
};

const Property = z.looseObject({ name: z.string(), value: z.string() });
const Plugin = z.looseObject({ id: z.string(), name: z.string(), active: z.string() });
const StoreApp = z.looseObject({ scope: z.string(), name: z.string(), active: z.string() });
const PublicPage = z.looseObject({ sys_id: z.string(), page: z.string(), active: z.string() });

/**
 * The values a catalog's rules select on one dataset (`where` on `path` with eq or in): the
 * property names, plugin ids and application scopes to ask for. The catalog is the one list: a new control needs no code.
 */
export function wanted(controls: readonly Control[], datasetName: string, path: string): string[] {
  const out = new Set<string>();
  // A rule's own items, and the items that say whether it applies at all.
  const selections = controls.flatMap((c) =>
    [c.rule, c.rule.appliesWhen].flatMap((r) => (r?.dataset === datasetName ? [{ c, where: r.where }] : [])),
  );
  // Records named after another item (`{}.impersonateCheck`): one per value the rule selects on `from`.
  for (const c of controls) {
    const join = c.rule.join;
    if (join?.dataset !== datasetName || join.key !== path) continue;
    const froms = c.rule.where.filter((w) => w.path === join.from);
    selections.push({
      c,
      where: froms.map((w) => ({
        ...w,
        path,
        value: Array.isArray(w.value)
          ? w.value.map((v) => join.name.replace('{}', String(v)))
          : join.name.replace('{}', String(w.value)),
      })),
    });
  }
  for (const { c, where } of selections) {
    for (const w of where) {
      if (w.path !== path) continue;
      const values = w.op === 'eq' ? [w.value] : w.op === 'in' && Array.isArray(w.value) ? w.value : [];
      for (const v of values) {
        // Names go into an encoded query, where `^` and `,` are syntax.
        if (typeof v !== 'string' || !/^[\w.-]+$/.test(v))
          throw new Error(`catalog ${c.id}: ${JSON.stringify(v)} cannot be queried on ${datasetName}`);
        out.add(v);
      }
    }
  }
  return [...out].sort();
}

function offsetOf(link: string | undefined): number | undefined {
  if (!link) return undefined;
  const m = /[?&]sysparm_offset=(\d+)/.exec(link);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** The rows of one query, and its X-Total-Count (undefined when the instance sent none). */
interface Rows<T> {
  rows: T[];
  total: number | undefined;
}

/**
 * Every row of a table query, by sysparm_offset. The end is known from X-Total-Count (rows hidden
 * by ACLs shorten a page without ending the list); a short page ends it only when the count is
 * absent. The Link header is ServiceNow's (raw commas inside URLs, which got's parser rejects); we
 * read only its next offset, which also covers an instance that serves fewer rows than asked.
 */
export async function tableRows<T>(
  client: HttpClient,
  table: string,
  query: Record<string, string>,
  schema: z.ZodType<T>,
  what: string,
): Promise<Rows<T>> {
  const Envelope = z.looseObject({ result: z.array(schema) });
  const rows: T[] = [];
  let offset = 0;
  let first: number | undefined;
  for (let page = 0; ; page++) {
    if (page >= MAX_PAGES) throw new ConnectorError(`${what}: more than ${MAX_PAGES} pages`, 'malformed');
    const res = await client.get(`/api/now/table/${table}`, {
      ...query,
      sysparm_exclude_reference_link: 'true',
      sysparm_limit: PAGE_SIZE,
      sysparm_offset: offset,
    });
    const { result } = check(Envelope, res.body, what);
    client.collected(result.length);
    rows.push(...result);
    const count = Number.parseInt(header(res.headers, 'x-total-count') ?? '', 10);
    const total = Number.isNaN(count) ? undefined : count;
    if (page === 0) first = total;
    const linked = offsetOf(parseLinks(res.headers.link).next);
    const next = linked ?? offset + PAGE_SIZE;
    // Without the count, a short page ends the list unless the Link header names a next page.
    if (total === undefined ? result.length < PAGE_SIZE && linked === undefined : next >= total) break;
    if (next <= offset) throw new ConnectorError(`${what}: the next page does not move forward`, 'malformed');
    offset = next;
  }
  return { rows, total: first };
}

/** One table the catalog reads by key (a property name, a plugin id), and the rights it takes. */
interface Keyed<T> {
  table: string;
  key: 'name' | 'id' | 'scope' | 'sys_id';
  fields: string;
  schema: z.ZodType<T>;
  what: string;
  noun: string;
  /** The right that reads the table (its table-level read ACL). */
  right: string;
  /** The right that reads every row (what row-level read ACLs ask for). */
  rowRight: string;
}

const PROPERTY_TABLE: Keyed<z.infer<typeof Property>> = {
  table: 'sys_properties',
  key: 'name',
  fields: 'name,value',
  schema: Property,
  what: 'system properties',
  noun: 'properties',
  right: 'the admin role, or a role that a table-level read ACL on sys_properties grants',
  rowRight: "the admin role, or a role in each hidden property's Read roles",
};

const PLUGIN_TABLE: Keyed<z.infer<typeof Plugin>> = {
  table: 'v_plugin',
  key: 'id',
  fields: 'id,name,active',
  schema: Plugin,
  what: 'plugins',
  noun: 'plugins',
  right: 'the admin role, or a role that a table-level read ACL on v_plugin grants',
  rowRight: 'the admin role, or the roles of the row-level read ACLs on v_plugin',
};

const STORE_APP_TABLE: Keyed<z.infer<typeof StoreApp>> = {
  table: 'sys_store_app',
  key: 'scope',
  fields: 'scope,name,active,version',
  schema: StoreApp,
  what: 'store applications',
  noun: 'applications',
  right: 'the admin role, or a role that a table-level read ACL on sys_store_app grants',
  rowRight: 'the admin role, or the roles of the row-level read ACLs on sys_store_app',
};

const PUBLIC_PAGE_TABLE: Keyed<z.infer<typeof PublicPage>> = {
  table: 'sys_public',
  key: 'sys_id',
  fields: 'sys_id,page,active',
  schema: PublicPage,
  what: 'public pages',
  noun: 'public pages',
  right: 'the admin role, or a role that a table-level read ACL on sys_public grants',
  rowRight: 'the admin role, or the roles of the row-level read ACLs on sys_public',
};

/**
 * The rows whose key is one of `values` (a chunk of names per query), with a placeholder for
 * each value the instance may hide. ServiceNow filters rows by read ACLs after the query runs,
 * while X-Total-Count counts the query (Table API: "This limit is applied before ACL
 * evaluation"). So a count above the rows returned means some rows exist but are hidden from
 * this user, and any value not returned may be one of them: unseen, never the platform default.
 * A count equal to the rows returned means the others are truly not set. Without a count (a proxy
 * that drops the header; we never send sysparm_no_count=true) the two cannot be told apart, so a
 * value not returned is unseen too: a default there could pass a setting nobody has seen.
 */
async function keyedRows<T extends Record<string, unknown>>(
  client: HttpClient,
  spec: Keyed<T>,
  values: readonly string[],
): Promise<unknown[]> {
  const items: unknown[] = [];
  let returned = 0;
  for (let i = 0; i < values.length; i += NAMES_PER_QUERY) {
    const chunk = values.slice(i, i + NAMES_PER_QUERY);
    const query = {
      sysparm_query: `${spec.key}IN${chunk.join(',')}^ORDERBY${spec.key}`,
      sysparm_fields: spec.fields,
    };
    const { rows, total } = await tableRows(client, spec.table, query, spec.schema, spec.what);
    returned += rows.length;
    items.push(...rows);
    const seen = new Set(rows.map((r) => r[spec.key]));
    const absent = chunk.filter((v) => !seen.has(v));
    if (absent.length === 0) continue;
    const gap =
      total === undefined
        ? {
            reason: `the instance sent no X-Total-Count, so ${spec.noun} it did not return may be hidden by a read ACL rather than not set`,
            missing: spec.rowRight,
          }
        : total > rows.length
          ? {
              reason: `X-Total-Count counts ${total} matching ${spec.noun} but ${rows.length} came back: a read ACL hides ${total - rows.length} from this user, any of the ${absent.length} not returned`,
              missing: spec.rowRight,
            }
          : undefined;
    if (gap) items.push(...absent.map((v) => unseenItem({ [spec.key]: v }, gap)));
  }
  // Not one row: the table itself may be unreadable, which ServiceNow answers with 200 and an
  // empty list (KB3047115), not 403. Every instance has hundreds of properties and plugins, so
  // one row of the whole table tells a readable table from one this user may not read. (If that
  // one row is hidden by a row-level ACL, the table is taken as unreadable: unknown, never a default.)
  if (values.length > 0 && returned === 0 && !(await anyRow(client, spec)))
    throw new ConnectorError(
      `${spec.table} returned no rows at all, though every instance has hundreds: ServiceNow answers a user without read access with an empty list`,
      'forbidden',
    );
  return items;
}

/** Whether this user can see at least one row of the table: one row, one field, counted as usual. */
async function anyRow<T>(client: HttpClient, spec: Keyed<T>): Promise<boolean> {
  const res = await client.get(`/api/now/table/${spec.table}`, {
    sysparm_fields: spec.key,
    sysparm_limit: 1,
  });
  const Envelope = z.looseObject({ result: z.array(z.unknown()) });
  return check(Envelope, res.body, spec.what).result.length > 0;
}

/** A dataset read by key: a 403, or a table that answers nothing, leaves it unknown naming the role. */
function keyedDataset<T extends Record<string, unknown>>(
  client: HttpClient,
  spec: Keyed<T>,
  values: readonly string[],
): Promise<Dataset> {
  return dataset(() => keyedRows(client, spec, values), {
    why: (error) =>
      error.kind === 'forbidden'
        ? {
            reason: `the integration user may not read ${spec.table}: it needs ${spec.right}`,
            missing: spec.right,
          }
        : unreadableReason(error),
  });
}

function authHeader(ctx: CollectContext): string {
  if (ctx.instance.options.auth === 'bearer') return `Bearer ${ctx.secret}`;
  const user = ctx.instance.options.username;
  if (!user)
    throw new ConnectorError(
      'the ServiceNow instance has no username option (needed for basic auth; or set auth to "bearer")',
      'auth',
    );
  return `Basic ${Buffer.from(`${user}:${ctx.secret}`).toString('base64')}`;
}

export const servicenow: Connector = {
  app: 'servicenow',
  secretLabel: 'password of the integration user, or an OAuth access token',
  options: CONNECTOR_OPTIONS.servicenow,
  rights: {
    [PROPERTIES]: PROPERTY_TABLE.right,
    [PLUGINS]: PLUGIN_TABLE.right,
    [APPS]: STORE_APP_TABLE.right,
    [PUBLIC_PAGES]: PUBLIC_PAGE_TABLE.right,
    [COUNTS]: 'the admin role, or a role that a table-level read ACL on each counted table grants',
  },
  async collect(ctx: CollectContext) {
    const authorization = authHeader(ctx);
    const client = new HttpClient({
      ...instanceOptions(ctx),
      vendor: servicenowVendor,
      auth: () => ({ authorization }),
      // The Basic header is the password in base64: as secret as the password itself.
      secrets: () => [ctx.secret, authorization.split(' ')[1] ?? ''],
    });
    const controls = loadCatalog().forApp('servicenow');
    const names = wanted(controls, PROPERTIES, '/name');
    const ids = wanted(controls, PLUGINS, '/id');
    const scopes = wanted(controls, APPS, '/scope');
    // A property seen not to have a row takes its platform default (each rule knows it).
    const datasets: Datasets = {
      [PROPERTIES]: await keyedDataset(client, PROPERTY_TABLE, names),
      [PLUGINS]: await keyedDataset(client, PLUGIN_TABLE, ids),
      // An application that sys_store_app does not list is not installed: its settings do not apply.
      [APPS]: await keyedDataset(client, STORE_APP_TABLE, scopes),
      // Every instance has public pages (the login page among them): the usual probe applies.
      [PUBLIC_PAGES]: await keyedDataset(
        client,
        PUBLIC_PAGE_TABLE,
        wanted(controls, PUBLIC_PAGES, '/sys_id'),
      ),
      [COUNTS]: await dataset(() => tableCounts(client, wanted(controls, COUNTS, '/table'))),
    };
    return { datasets, requests: client.requests };
  },
};
