import { z } from 'zod';
import { loadCatalog } from '../../catalog/index.js';
import type { Datasets } from '../../domain/rules.js';
import type { Control } from '../../domain/schemas.js';
import { check, dataset } from '../datasets.js';
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

/**
 * ServiceNow Table API: `GET /api/now/table/{table}` with Basic auth (integration user + password)
 * or an OAuth bearer token; `{"result":[…]}` bodies whose values are all strings; offset paging.
 */

export const PROPERTIES = 'servicenow:sys_properties';
export const PLUGINS = 'servicenow:plugins';

const PAGE_SIZE = 100;
const MAX_PAGES = 200;
// Names per `nameIN…` query, to keep the URL well below proxies' limits as the catalog grows.
const NAMES_PER_QUERY = 50;

const ErrorBody = z.looseObject({
  error: z.looseObject({ message: z.string(), detail: z.string().nullish() }),
});

export const servicenowVendor: Vendor = {
  name: 'ServiceNow',
  errorMessage(body) {
    const r = ErrorBody.safeParse(body);
    if (!r.success) return undefined;
    const { message, detail } = r.data.error;
    return detail ? `${message} (${detail})` : message;
  },
  // 429 only exists when an admin created a rate-limit rule; it carries Retry-After in seconds.
  rateLimitWait(res, now) {
    if (res.status !== 429) return undefined;
    return retryAfterMs(res, now) ?? waitUntilEpochSeconds(res, 'x-ratelimit-reset', now) ?? 60_000;
  },
};

const Property = z.looseObject({ name: z.string(), value: z.string() });
const Plugin = z.looseObject({ id: z.string(), name: z.string(), active: z.string() });

/**
 * The values a catalog's rules select on one dataset (`where` on `path` with eq or in): the
 * property names and plugin ids to ask for. The catalog is the one list: a new control needs no code.
 */
export function wanted(controls: readonly Control[], datasetName: string, path: string): string[] {
  const out = new Set<string>();
  for (const c of controls) {
    if (c.rule.dataset !== datasetName) continue;
    for (const w of c.rule.where) {
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
): Promise<T[]> {
  const Envelope = z.looseObject({ result: z.array(schema) });
  const rows: T[] = [];
  let offset = 0;
  for (let page = 0; ; page++) {
    if (page >= MAX_PAGES) throw new ConnectorError(`${what}: more than ${MAX_PAGES} pages`, 'malformed');
    const res = await client.get(`/api/now/table/${table}`, {
      ...query,
      sysparm_exclude_reference_link: 'true',
      sysparm_limit: PAGE_SIZE,
      sysparm_offset: offset,
    });
    const { result } = check(Envelope, res.body, what);
    rows.push(...result);
    const count = Number.parseInt(header(res.headers, 'x-total-count') ?? '', 10);
    const total = Number.isNaN(count) ? undefined : count;
    const linked = offsetOf(parseLinks(res.headers.link).next);
    const next = linked ?? offset + PAGE_SIZE;
    // Without the count, a short page ends the list unless the Link header names a next page.
    if (total === undefined ? result.length < PAGE_SIZE && linked === undefined : next >= total) break;
    if (next <= offset) throw new ConnectorError(`${what}: the next page does not move forward`, 'malformed');
    offset = next;
  }
  return rows;
}

/** Rows whose `field` is one of `values`, a chunk of names per query. */
async function rowsIn<T>(
  client: HttpClient,
  table: string,
  field: string,
  values: readonly string[],
  fields: string,
  schema: z.ZodType<T>,
  what: string,
): Promise<T[]> {
  const rows: T[] = [];
  for (let i = 0; i < values.length; i += NAMES_PER_QUERY) {
    const chunk = values.slice(i, i + NAMES_PER_QUERY);
    const query = { sysparm_query: `${field}IN${chunk.join(',')}^ORDERBY${field}`, sysparm_fields: fields };
    rows.push(...(await tableRows(client, table, query, schema, what)));
  }
  return rows;
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
    [PROPERTIES]: 'the admin role, or a role granted read on sys_properties',
    [PLUGINS]: 'the admin role, or a role granted read on v_plugin',
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
    // A property without a row is not an error: its platform default applies (each rule knows it).
    const datasets: Datasets = {
      [PROPERTIES]: await dataset(() =>
        rowsIn(client, 'sys_properties', 'name', names, 'name,value', Property, 'system properties'),
      ),
      [PLUGINS]: await dataset(() =>
        rowsIn(client, 'v_plugin', 'id', ids, 'id,name,active', Plugin, 'plugins'),
      ),
    };
    return { datasets, requests: client.requests };
  },
};
