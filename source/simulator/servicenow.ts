import contoso from '../../data/demo/servicenow-contoso.json' with { type: 'json' };
import { pageLimit } from './paging.js';
import type { DemoTenant, SimReply, SimRequest, Tenant, VendorSim } from './types.js';

/**
 * The ServiceNow Table API (`/api/now/table/{table}`, also `/api/now/v2/table/{table}`) as the
 * instance speaks it: Basic or Bearer auth, `{"result":[…]}` with every value a string, encoded
 * queries, `sysparm_fields`, reference fields as `{link, value}` unless
 * `sysparm_exclude_reference_link=true`, offset paging with X-Total-Count and a Link header in
 * ServiceNow's own style (no spaces, raw commas inside URLs), `{"error":{message, detail},
 * "status":"failure"}` error bodies, and X-RateLimit-* headers when an admin rate-limit rule applies.
 *
 * Read ACLs as an instance applies them: after the query runs. A user whose roles pass no
 * table-level read ACL gets 200 with an empty `result` (KB3047115), not 403; a row whose
 * row-level read ACL the user fails (for sys_properties, the property's Read roles) is dropped
 * from its page, while X-Total-Count and the Link header still count it ("This limit is applied
 * before ACL evaluation", Table API GET, sysparm_limit).
 */

type Row = Record<string, string>;
interface InstanceData {
  tables?: Record<string, Row[]>;
  /** A `sys_rate_limit_rules` record that matches the integration user. */
  rateLimitRule?: { sys_id: string; limit: number };
  /** false: no X-Total-Count header, as behind a proxy that drops it. */
  totalCount?: false;
  /** The instance's users and their roles; without it any user authenticates, as admin. */
  users?: Record<string, { roles: string[] }>;
  /** Table-level read ACLs: the roles that may read each table listed (admin passes every ACL). */
  readAcl?: Record<string, string[]>;
  /** Tables of many like rows (the 5,000 excluded passwords): this many rows, generated. */
  generated?: Record<string, number>;
}

const generatedTables = new WeakMap<object, Record<string, Row[]>>();
/** The tenant's tables, with the generated ones filled in once per tenant. */
function tablesOf(tenant: Tenant): Record<string, Row[]> {
  const data = dataOf(tenant);
  const cached = generatedTables.get(data);
  if (cached) return cached;
  const tables: Record<string, Row[]> = { ...data.tables };
  for (const [name, count] of Object.entries(data.generated ?? {}))
    tables[name] = Array.from({ length: count }, (_, i) => ({
      sys_id: `${name}${i}`.padStart(32, '0').slice(-32),
      active: 'true',
    }));
  generatedTables.set(data, tables);
  return tables;
}

// The row-level read ACL of each table, as the roles a row asks for (empty: anyone who reads the table).
const ROW_ROLES: Record<string, (row: Row) => string[]> = {
  sys_properties: (row) =>
    (row.read_roles ?? '')
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean),
};

// Reference fields of the tables the demo serves, and the table each one points to.
const REFERENCES: Record<string, string> = { sys_scope: 'sys_scope', sys_package: 'sys_package' };
// Documented default of sysparm_limit on older releases.
const DEFAULT_LIMIT = 10_000;
const DEFAULT_RULE = { sys_id: '9f6d0a4c1b0b2010a5f1c9d1dc4bcb42', limit: 1000 };

function dataOf(tenant: Tenant): InstanceData {
  return tenant.data as InstanceData;
}

/** Headers ServiceNow adds when a rate-limit rule matches the caller (per hour, reset on the hour). */
function rateHeaders(tenant: Tenant): Record<string, string> {
  const rule = dataOf(tenant).rateLimitRule;
  if (!rule) return {};
  const nextHour = Math.ceil((Date.now() + 1) / 3_600_000) * 3600;
  return {
    'x-ratelimit-limit': String(rule.limit),
    'x-ratelimit-reset': String(nextHour),
    'x-ratelimit-rule': rule.sys_id,
  };
}

function failure(
  tenant: Tenant,
  status: number,
  message: string,
  detail: string | null,
  headers: Record<string, string> = {},
): SimReply {
  return {
    status,
    headers: { 'content-type': 'application/json;charset=UTF-8', ...rateHeaders(tenant), ...headers },
    body: { error: { message, detail }, status: 'failure' },
  };
}

/** The roles of the user the request authenticates, or undefined when it does not authenticate. */
function caller(req: SimRequest): string[] | undefined {
  const [scheme = '', credential = ''] = (req.headers.authorization ?? '').split(' ');
  // The demo tenant names its integration user in its options; a bare test tenant accepts any user.
  const user = (req.tenant as Partial<DemoTenant>).options?.username;
  let name: string | undefined;
  if (scheme === 'Bearer') {
    if (credential !== req.tenant.token) return undefined;
    name = user;
  } else {
    if (scheme.toLowerCase() !== 'basic' || !credential) return undefined;
    const decoded = Buffer.from(credential, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0 || decoded.slice(colon + 1) !== req.tenant.token) return undefined;
    name = decoded.slice(0, colon);
    if (user !== undefined && name !== user) return undefined;
  }
  const users = dataOf(req.tenant).users;
  if (!users) return ['admin'];
  // An OAuth token acts as the user it was issued to: here the instance's integration user.
  name ??= Object.keys(users)[0];
  return name === undefined ? undefined : users[name]?.roles;
}

/** An ACL asking for `roles` (none: no role needed); admin passes it, as admin overrides do. */
function passes(roles: readonly string[], asked: readonly string[]): boolean {
  return asked.length === 0 || roles.includes('admin') || asked.some((r) => roles.includes(r));
}

type Test = (row: Row) => boolean;

// Encoded-query operators: the cell's value, the term's value and that value split on commas.
const OPERATORS: Record<string, (cell: string, value: string, list: string[]) => boolean> = {
  '=': (cell, value) => cell === value,
  '!=': (cell, value) => cell !== value,
  IN: (cell, _value, list) => list.includes(cell),
  'NOT IN': (cell, _value, list) => !list.includes(cell),
  STARTSWITH: (cell, value) => cell.startsWith(value),
  ENDSWITH: (cell, value) => cell.endsWith(value),
  LIKE: (cell, value) => cell.includes(value),
  'NOT LIKE': (cell, value) => !cell.includes(value),
  ISEMPTY: (cell) => cell === '',
  ISNOTEMPTY: (cell) => cell !== '',
};

/**
 * A subset of ServiceNow's encoded query language: `^` (AND), `^OR`, `=`, `!=`, `IN`, `NOT IN`,
 * `STARTSWITH`, `ENDSWITH`, `LIKE`, `ISEMPTY`, `ISNOTEMPTY`, `ORDERBY`/`ORDERBYDESC`. As on an
 * instance (unless glide.invalid_query.returns_no_rows is set), terms it cannot use are ignored.
 */
function parseQuery(query: string, rows: readonly Row[]): { test: Test; order?: [string, boolean] } {
  const known = new Set(rows.flatMap((r) => Object.keys(r)));
  const groups: Test[][] = [];
  let order: [string, boolean] | undefined;
  for (const raw of query.split('^')) {
    if (raw === '' || raw === 'EQ' || raw === 'NQ') continue;
    const desc = /^ORDERBYDESC(.+)$/.exec(raw);
    const asc = /^ORDERBY(.+)$/.exec(raw);
    if (desc?.[1] || asc?.[1]) {
      order = desc?.[1] ? [desc[1], true] : [asc?.[1] ?? '', false];
      continue;
    }
    const isOr = raw.startsWith('OR');
    const term = isOr ? raw.slice(2) : raw;
    const m =
      /^([a-z0-9_.]+)(NOT IN|IN|STARTSWITH|ENDSWITH|NOT LIKE|LIKE|ISNOTEMPTY|ISEMPTY|!=|=)(.*)$/s.exec(term);
    const [, field = '', op = '', value = ''] = m ?? [];
    if (!m || !known.has(field)) continue;
    const compare = OPERATORS[op];
    if (!compare) continue;
    const list = value.split(',');
    const test: Test = (r) => compare(r[field] ?? '', value, list);
    const last = groups[groups.length - 1];
    if (isOr && last) last.push(test);
    else groups.push([test]);
  }
  return {
    test: (row) => groups.every((group) => group.some((t) => t(row))),
    ...(order ? { order } : {}),
  };
}

/** ServiceNow writes query values into its Link URLs with commas left raw (`sysparm_fields=a,b`). */
function linkUrl(req: SimRequest, offset: number, limit: number): string {
  const parts: string[] = [];
  for (const [k, v] of req.query) {
    if (k === 'sysparm_offset' || k === 'sysparm_limit') continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/%2C/gi, ',')}`);
  }
  parts.push(`sysparm_offset=${offset}`, `sysparm_limit=${limit}`);
  return `${req.base}${req.path}?${parts.join('&')}`;
}

function project(req: SimRequest, row: Row, fields: string[] | undefined): Record<string, unknown> {
  const excludeLinks = req.query.get('sysparm_exclude_reference_link') === 'true';
  const out: Record<string, unknown> = {};
  for (const key of fields ?? Object.keys(row)) {
    const value = row[key];
    if (value === undefined) continue;
    const target = REFERENCES[key];
    out[key] =
      target && value !== '' && !excludeLinks
        ? { link: `${req.base}/api/now/table/${target}/${value}`, value }
        : value;
  }
  return out;
}

function table(req: SimRequest, name: string, roles: readonly string[]): SimReply {
  const rows = tablesOf(req.tenant)[name];
  if (!rows) return failure(req.tenant, 400, `Invalid table ${name}`, null);

  const rawOffset = req.query.get('sysparm_offset') ?? '0';
  const offset = Number.parseInt(rawOffset, 10) || 0;
  if (offset < 0) return failure(req.tenant, 400, `offset is ${offset}`, 'Negative offset is not supported');
  const limit = pageLimit(req.query, DEFAULT_LIMIT, req.tenant.pageSize);

  const { test, order } = parseQuery(req.query.get('sysparm_query') ?? '', rows);
  const matched = rows.filter(test);
  if (order) {
    const [field, desc] = order;
    matched.sort((a, b) => (a[field] ?? '').localeCompare(b[field] ?? '') * (desc ? -1 : 1));
  }
  const fields = req.query
    .get('sysparm_fields')
    ?.split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  // The page is cut before read ACLs run: hidden rows shorten it, and the count still has them.
  const readsTable = passes(roles, dataOf(req.tenant).readAcl?.[name] ?? []);
  const rowRoles = ROW_ROLES[name];
  const page = matched
    .slice(offset, offset + limit)
    .filter((row) => readsTable && (!rowRoles || passes(roles, rowRoles(row))))
    .map((row) => project(req, row, fields));

  const total = matched.length;
  const headers: Record<string, string> = {
    'content-type': 'application/json;charset=UTF-8',
    ...rateHeaders(req.tenant),
  };
  if (req.query.get('sysparm_no_count') !== 'true' && dataOf(req.tenant).totalCount !== false)
    headers['x-total-count'] = String(total);
  // One Link header with first/prev/next/last, no spaces: exactly the style got's parser rejects.
  if (total > limit && req.query.get('sysparm_suppress_pagination_header') !== 'true') {
    const links = [`<${linkUrl(req, 0, limit)}>;rel="first"`];
    if (offset > 0) links.push(`<${linkUrl(req, Math.max(0, offset - limit), limit)}>;rel="prev"`);
    if (offset + limit < total) links.push(`<${linkUrl(req, offset + limit, limit)}>;rel="next"`);
    links.push(`<${linkUrl(req, Math.floor((total - 1) / limit) * limit, limit)}>;rel="last"`);
    headers.link = links.join(',');
  }
  return { status: 200, headers, body: { result: page } };
}

export const servicenowSim: VendorSim = {
  error(req, status, message) {
    const title =
      status >= 500 ? 'Internal Server Error' : status === 404 ? 'No Record found' : 'Invalid request';
    return failure(req.tenant, status, title, message);
  },

  rateLimited(req, resetSeconds) {
    const rule = dataOf(req.tenant).rateLimitRule ?? DEFAULT_RULE;
    return failure(
      req.tenant,
      429,
      'Rate limit exceeded',
      // The body of "Inbound REST API rate limiting" (REST API Explorer docs), word for word.
      `Rate limit of ${rule.limit} requests per hour for Table API exceeded`,
      {
        'retry-after': String(resetSeconds),
        'x-ratelimit-limit': String(rule.limit),
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + resetSeconds),
        'x-ratelimit-rule': rule.sys_id,
      },
    );
  },

  handle(req) {
    const roles = caller(req);
    if (!roles)
      return failure(req.tenant, 401, 'User Not Authenticated', 'Required to provide Auth information', {
        'www-authenticate': 'BASIC realm="Service-now"',
      });
    if (req.method !== 'GET')
      return failure(req.tenant, 405, 'Method not Supported', 'This simulator serves GET requests only');
    const m = /^\/api\/now(?:\/v\d+)?\/table\/([a-z0-9_]+)$/.exec(req.path);
    if (!m?.[1]) return failure(req.tenant, 400, 'Requested URI does not represent any resource', null);
    return table(req, m[1], roles);
  },
};

/**
 * Demo tenant: a partly hardened instance whose integration user holds a custom read role that
 * reads sys_properties but not v_plugin (admin only), and misses one property hidden by its Read roles.
 */
export const servicenowDemo = [contoso] as DemoTenant[];
