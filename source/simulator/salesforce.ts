import { createHash, randomBytes } from 'node:crypto';
import contoso from '../../data/demo/salesforce-contoso.json' with { type: 'json' };
import contosoDe from '../../data/demo/salesforce-contoso-de.json' with { type: 'json' };
import type { DemoTenant, SimReply, SimRequest, Tenant, VendorSim } from './types.js';

/**
 * The Salesforce REST and Tooling query APIs as Salesforce speaks them: OAuth 2.0 client
 * credentials at /services/oauth2/token (errors in the OAuth form), `Authorization: Bearer`
 * (or `OAuth`), SOQL over `/services/data/vXX.X/[tooling/]query?q=…` in batches linked by a
 * relative `nextRecordsUrl` (`…/query/01g…-<offset>`), JSON-array error bodies, and the org's
 * daily request limit: `Sforce-Limit-Info: api-usage=n/limit` on every response and a 403
 * REQUEST_LIMIT_EXCEEDED (no Retry-After) once it is spent.
 *
 * Tenant data: `clientId`, `orgId`, `apiLimit`, `apiUsed`, `objects` (REST sObject rows),
 * `tooling` (Tooling rows), and `runAs`, the connected app's run-as user: its `permissions` (API
 * names; all three by default) and `language`. Rows are stored as that user sees them: a
 * SecurityHealthCheckRisks `Setting` is a display label in the user's language. Salesforce hides an
 * object from a user without its permission and answers INVALID_TYPE, as if it did not exist; a
 * user without API Enabled gets API_CURRENTLY_DISABLED on every API call. `forbidden` entries are
 * path prefixes below `/services/data/vXX.X` that answer 403 INSUFFICIENT_ACCESS.
 */

type Row = Record<string, unknown>;
/**
 * User permissions by API name: "API Enabled", "View Setup and Configuration", "Manage
 * Multi-Factor Authentication in API", "Modify Metadata Through Metadata API Functions", "Modify
 * All Data". A run-as user without `permissions` holds the first three: posture's documented set-up.
 */
type Permission = 'ApiEnabled' | 'ViewSetup' | 'TwoFactorApi' | 'ModifyMetadata' | 'ModifyAllData';
const ALL_PERMISSIONS: Permission[] = ['ApiEnabled', 'ViewSetup', 'TwoFactorApi'];

interface SfData {
  clientId?: string;
  orgId?: string;
  apiLimit?: number;
  apiUsed?: number;
  runAs?: { permissions?: Permission[]; language?: string };
  objects?: Record<string, Row[]>;
  tooling?: Record<string, Row[]>;
  /** Metadata API components by type: `SecuritySettings` (the one named "Security"), `Profile` (by fullName). */
  metadata?: { SecuritySettings?: Row; Profile?: Row[] };
}

interface Entity {
  /** Where the object can be queried. */
  api: 'rest' | 'tooling';
  fields: string[];
  /** Relationship name → related entity, for `Assignee.Username`-style paths. */
  rel?: Record<string, string>;
  /** The field that names a row in its `attributes.url`. */
  key?: string;
  /** The permission without which Salesforce hides the object (its "Special Access Rules"). */
  requires?: Permission;
  /** Fields added after API 20.0, by the version that added them. */
  since?: Record<string, number>;
}

const USER_FIELDS = ['Id', 'Username', 'Name', 'Email', 'IsActive', 'UserType', 'ProfileId', 'LastLoginDate'];
const ENTITIES: Record<string, Entity> = {
  User: { api: 'rest', fields: USER_FIELDS },
  // The fields of the object reference for v62.0, plus the Id every object has.
  TwoFactorMethodsInfo: {
    api: 'rest',
    fields: [
      'Id',
      'ExternalId',
      'HasBuiltInAuthenticator',
      'HasSalesforceAuthenticator',
      'HasSecurityKey',
      'HasTempCode',
      'HasTotp',
      'HasU2F',
      'HasUserVerifiedEmailAddress',
      'HasUserVerifiedMobileNumber',
      'HasVerifiedMobileNumber',
      'UserId',
    ],
    requires: 'TwoFactorApi',
    since: { HasBuiltInAuthenticator: 53, HasUserVerifiedEmailAddress: 43, HasUserVerifiedMobileNumber: 43 },
  },
  PermissionSet: {
    api: 'rest',
    fields: [
      'Id',
      'Name',
      'Label',
      'IsCustom',
      'IsOwnedByProfile',
      'ProfileId',
      'PermissionsApiUserOnly',
      'PermissionsIsSsoEnabled',
      'PermissionsModifyAllData',
      'PermissionsViewAllData',
    ],
    rel: { Profile: 'Profile' },
    requires: 'ViewSetup',
    since: { IsCustom: 39 },
  },
  Profile: { api: 'rest', fields: ['Id', 'Name', 'UserType', 'UserLicenseId'] },
  // The fields of the field reference for ConnectedApplication; Setup data, so hidden without View Setup.
  ConnectedApplication: {
    api: 'rest',
    fields: [
      'Id',
      'Name',
      'CreatedDate',
      'MobileSessionTimeout',
      'MobileStartUrl',
      'OptionsAllowAdminApprovedUsersOnly',
      'OptionsFullContentPushNotifications',
      'OptionsHasSessionLevelPolicy',
      'OptionsIsInternal',
      'OptionsRefreshTokenValidityMetric',
      'PinLength',
      'RefreshTokenValidityPeriod',
      'StartUrl',
    ],
    requires: 'ViewSetup',
  },
  PermissionSetAssignment: {
    api: 'rest',
    fields: ['Id', 'AssigneeId', 'PermissionSetId', 'IsActive'],
    rel: { Assignee: 'User', PermissionSet: 'PermissionSet' },
    requires: 'ViewSetup',
  },
  SecurityHealthCheck: {
    api: 'tooling',
    fields: ['Id', 'DurableId', 'CustomBaselineId', 'Score'],
    key: 'DurableId',
    requires: 'ViewSetup',
  },
  SecurityHealthCheckRisks: {
    api: 'tooling',
    requires: 'ViewSetup',
    fields: [
      'Id',
      'DurableId',
      'SecurityHealthCheckId',
      'Setting',
      'SettingGroup',
      'SettingRiskCategory',
      'RiskType',
      'OrgValue',
      'OrgValueRaw',
      'StandardValue',
      'StandardValueRaw',
    ],
    key: 'DurableId',
  },
};

const DEFAULT_LIMIT = 15_000;
const usage = new WeakMap<Tenant, number>();
/** Access tokens the token endpoint issued → tenant id. Bounded: the oldest are forgotten. */
const sessions = new Map<string, string>();
/** Open query cursors (`01g…`) → the rows still to serve. Bounded the same way. */
const cursors = new Map<string, { tenant: string; api: 'rest' | 'tooling'; entity: string; rows: Row[] }>();

function remember<K, V>(map: Map<K, V>, key: K, value: V, max = 500): void {
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as K);
}

function data(req: SimRequest): SfData {
  return req.tenant.data as SfData;
}

function permissions(req: SimRequest): Permission[] {
  return data(req).runAs?.permissions ?? ALL_PERMISSIONS;
}

function limitHeaders(req: SimRequest): Record<string, string> {
  const d = data(req);
  const used = usage.get(req.tenant) ?? d.apiUsed ?? 0;
  return { 'sforce-limit-info': `api-usage=${used}/${d.apiLimit ?? DEFAULT_LIMIT}` };
}

function fail(req: SimRequest, status: number, errorCode: string, message: string): SimReply {
  return { status, headers: limitHeaders(req), body: [{ message, errorCode }] };
}

function oauthError(req: SimRequest, status: number, error: string, description: string): SimReply {
  return {
    status,
    headers: { ...limitHeaders(req), 'cache-control': 'no-cache,must-revalidate,max-age=0,no-store,private' },
    body: { error, error_description: description },
  };
}

const sessionInvalid = (req: SimRequest) =>
  fail(req, 401, 'INVALID_SESSION_ID', 'Session expired or invalid');
const notFound = (req: SimRequest) => fail(req, 404, 'NOT_FOUND', 'The requested resource does not exist');

function orgId(req: SimRequest): string {
  return data(req).orgId ?? '00D000000000001EAA';
}

function token(req: SimRequest): SimReply {
  if (req.method !== 'POST') return oauthError(req, 400, 'invalid_request', 'must use HTTP POST');
  const form = new URLSearchParams(req.body);
  let clientId = form.get('client_id');
  let secret = form.get('client_secret');
  // The client may authenticate with HTTP Basic instead of form fields.
  const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
  if (basic?.[1]) {
    const [id, ...rest] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
    clientId = decodeURIComponent(id ?? '');
    secret = decodeURIComponent(rest.join(':'));
  }
  if (form.get('grant_type') !== 'client_credentials')
    return oauthError(req, 400, 'unsupported_grant_type', 'grant type not supported');
  if (!clientId || clientId !== data(req).clientId)
    return oauthError(req, 400, 'invalid_client_id', 'client identifier invalid');
  if (secret !== req.tenant.token)
    return oauthError(req, 400, 'invalid_client', 'invalid client credentials');
  const access = `${orgId(req)}!AQ${randomBytes(24).toString('base64url')}`;
  remember(sessions, access, req.tenant.id);
  const issued = String(Date.now());
  return {
    status: 200,
    headers: { ...limitHeaders(req), 'cache-control': 'no-cache,must-revalidate,max-age=0,no-store,private' },
    body: {
      access_token: access,
      signature: createHash('sha256').update(`${req.base}${issued}${access}`).digest('base64'),
      scope: 'api',
      instance_url: req.base,
      id: `${req.base}/id/${orgId(req)}/005000000000001AAA`,
      token_type: 'Bearer',
      issued_at: issued,
    },
  };
}

// ---- SOQL: SELECT f1, Rel.f2 FROM Object [WHERE a = x AND Rel.b = y] ----

class SoqlError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Query {
  fields: string[];
  entity: string;
  where: { path: string; op: '=' | '!='; value: unknown }[];
}

function literal(text: string): unknown {
  const t = text.trim();
  if (/^true$/i.test(t)) return true;
  if (/^false$/i.test(t)) return false;
  if (/^null$/i.test(t)) return null;
  if (/^'(?:[^'\\]|\\.)*'$/.test(t)) return t.slice(1, -1).replace(/\\(.)/g, '$1');
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${t}'`);
}

function parse(soql: string): Query {
  const m = /^\s*SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+(.+?))?\s*$/is.exec(soql);
  if (!m?.[1] || !m[2])
    throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${soql.trim().split(/\s+/)[0] ?? ''}'`);
  const fields = m[1].split(',').map((f) => f.trim());
  if (fields.some((f) => !/^\w+(\.\w+){0,4}$/.test(f)))
    throw new SoqlError(
      'MALFORMED_QUERY',
      `unexpected token: '${fields.find((f) => !/^\w+(\.\w+){0,4}$/.test(f))}'`,
    );
  const where = (m[3] ? m[3].split(/\s+AND\s+/i) : []).map((c) => {
    const w = /^(\w+(?:\.\w+){0,4})\s*(!=|=)\s*(.+)$/.exec(c.trim());
    if (!w?.[1] || !w[2] || !w[3]) throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${c.trim()}'`);
    return { path: w[1], op: w[2] as '=' | '!=', value: literal(w[3]) };
  });
  return { fields, entity: m[2], where };
}

function hasField(entity: Entity | undefined, field: string, version: number): boolean {
  return !!entity?.fields.includes(field) && version >= (entity.since?.[field] ?? 0);
}

function checkField(entityName: string, path: string, version: number): void {
  const suffix =
    "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.";
  const parts = path.split('.');
  const field = parts.pop() ?? '';
  // Each step of a child-to-parent path is a relationship of the entity before it.
  let name = entityName;
  for (const step of parts) {
    const related = ENTITIES[name]?.rel?.[step];
    if (!related)
      throw new SoqlError(
        'INVALID_FIELD',
        `Didn't understand relationship '${step}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    name = related;
  }
  if (!hasField(ENTITIES[name], field, version))
    throw new SoqlError('INVALID_FIELD', `No such column '${field}' on entity '${name}'. ${suffix}`);
}

function valueAt(row: Row, path: string): unknown {
  let cur: unknown = row;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return null;
    cur = (cur as Row)[part];
  }
  return cur ?? null;
}

function attributes(version: string, api: 'rest' | 'tooling', type: string, id: unknown) {
  const tooling = api === 'tooling' ? 'tooling/' : '';
  return { type, url: `/services/data/${version}/${tooling}sobjects/${type}/${String(id)}` };
}

/** A row as Salesforce serialises it: `attributes` first, only the selected fields, nulls kept. */
function project(row: Row, q: Query, version: string, api: 'rest' | 'tooling'): Row {
  const entity = ENTITIES[q.entity]!;
  const out: Row = { attributes: attributes(version, api, q.entity, row[entity.key ?? 'Id']) };
  for (const f of q.fields) {
    const parts = f.split('.');
    const field = parts.pop() ?? '';
    // Walk the parents: a null parent is serialised as null and ends the path.
    let source: Row = row;
    let target: Row = out;
    let type = q.entity;
    let ended = false;
    for (const step of parts) {
      const related = source[step];
      type = ENTITIES[type]?.rel?.[step] ?? step;
      if (related === null || related === undefined || typeof related !== 'object') {
        if (!(step in target)) target[step] = null;
        ended = true;
        break;
      }
      if (!target[step])
        target[step] = { attributes: attributes(version, 'rest', type, (related as Row).Id) };
      source = related as Row;
      target = target[step] as Row;
    }
    if (!ended) target[field] = source[field] ?? null;
  }
  return out;
}

function batchSize(req: SimRequest): number {
  // Sforce-Query-Options: batchSize=N is a request, not a promise (200–2000).
  const asked = /batchSize=(\d+)/i.exec(String(req.headers['sforce-query-options'] ?? ''))?.[1];
  const n = asked ? Math.min(2000, Math.max(200, Number(asked))) : 2000;
  return Math.min(n, req.tenant.pageSize ?? n);
}

function page(
  req: SimRequest,
  version: string,
  api: 'rest' | 'tooling',
  entity: string,
  rows: Row[],
  offset: number,
  locator?: string,
): SimReply {
  const size = batchSize(req);
  const batch = rows.slice(offset, offset + size);
  const done = offset + size >= rows.length;
  let next: string | undefined;
  if (!done) {
    const id = locator ?? `01g${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')}`;
    remember(cursors, id, { tenant: req.tenant.id, api, entity, rows });
    next = `${id}-${offset + size}`;
  }
  const nextRecordsUrl = next
    ? `/services/data/${version}/${api === 'tooling' ? 'tooling/' : ''}query/${next}`
    : undefined;
  const body =
    api === 'tooling'
      ? {
          size: batch.length,
          totalSize: rows.length,
          done,
          ...(nextRecordsUrl ? { nextRecordsUrl } : {}),
          queryLocator: next ?? null,
          entityTypeName: entity,
          records: batch,
        }
      : { totalSize: rows.length, done, ...(nextRecordsUrl ? { nextRecordsUrl } : {}), records: batch };
  return { status: 200, headers: limitHeaders(req), body };
}

function query(req: SimRequest, version: string, api: 'rest' | 'tooling'): SimReply {
  const soql = req.query.get('q');
  if (!soql) return fail(req, 400, 'MALFORMED_QUERY', 'A query string has to be specified');
  try {
    const q = parse(soql);
    const d = data(req);
    const entity = ENTITIES[q.entity];
    if (!entity || entity.api !== api || (entity.requires && !permissions(req).includes(entity.requires)))
      throw new SoqlError(
        'INVALID_TYPE',
        `sObject type '${q.entity}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    const v = Number(version.slice(1));
    for (const f of [...q.fields, ...q.where.map((w) => w.path)]) checkField(q.entity, f, v);
    const source = (api === 'tooling' ? d.tooling : d.objects)?.[q.entity] ?? [];
    const rows = source
      .filter((row) => q.where.every((w) => (valueAt(row, w.path) === w.value) === (w.op === '=')))
      .map((row) => project(row, q, version, api));
    return page(req, version, api, q.entity, rows, 0);
  } catch (error) {
    if (error instanceof SoqlError) return fail(req, 400, error.code, error.message);
    throw error;
  }
}

function more(req: SimRequest, version: string, api: 'rest' | 'tooling', ref: string): SimReply {
  const m = /^(01g\w+)-(\d+)$/.exec(ref);
  const cursor = m?.[1] ? cursors.get(m[1]) : undefined;
  if (!m?.[1] || !cursor || cursor.tenant !== req.tenant.id || cursor.api !== api)
    return fail(req, 400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
  return page(req, version, api, cursor.entity, cursor.rows, Number(m[2]), m[1]);
}

function api(req: SimRequest): SimReply {
  const m = /^\/services\/data\/(v(\d+)\.0)(\/.*)?$/.exec(req.path);
  if (!m?.[1] || !m[2] || Number(m[2]) < 20 || Number(m[2]) > 66) return notFound(req);
  const version = m[1];
  const rest = (m[3] ?? '/').replace(/\/+$/, '') || '/';
  const [scheme, value] = (req.headers.authorization ?? '').split(' ');
  if (!value || !/^(Bearer|OAuth)$/i.test(scheme ?? '') || sessions.get(value) !== req.tenant.id)
    return sessionInvalid(req);
  // A session exists, but the run-as user may not use the API at all (HTTP status unconfirmed; 403 assumed).
  if (!permissions(req).includes('ApiEnabled'))
    return fail(req, 403, 'API_CURRENTLY_DISABLED', 'API is disabled for this User');
  if (req.tenant.forbidden?.some((p) => rest.startsWith(p)))
    return fail(
      req,
      403,
      'INSUFFICIENT_ACCESS',
      'You do not have the level of access necessary to perform the operation you requested. Please contact the owner of the record or your administrator if access is necessary.',
    );
  // Every API request counts against the org's rolling 24-hour limit; once spent, nothing passes.
  const d = data(req);
  const used = (usage.get(req.tenant) ?? d.apiUsed ?? 0) + 1;
  usage.set(req.tenant, used);
  if (used > (d.apiLimit ?? DEFAULT_LIMIT)) return salesforceSim.rateLimited(req, 0);
  if (req.method !== 'GET')
    return fail(
      req,
      405,
      'METHOD_NOT_ALLOWED',
      `HTTP Method '${req.method}' not allowed. Allowed are GET,HEAD`,
    );
  if (rest === '/query') return query(req, version, 'rest');
  if (rest === '/tooling/query') return query(req, version, 'tooling');
  const next = /^\/(tooling\/)?query\/([^/]+)$/.exec(rest);
  if (next?.[2]) return more(req, version, next[1] ? 'tooling' : 'rest', next[2]);
  return notFound(req);
}

// ---- Metadata API (SOAP): listMetadata and readMetadata ----

const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const MD_NS = 'http://soap.sforce.com/2006/04/metadata';

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function unesc(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&');
}

/** A value as Metadata API XML: objects are elements, arrays repeat their element. */
function toXml(name: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => toXml(name, v)).join('');
  if (value === null || value === undefined) return '';
  if (typeof value === 'object')
    return `<${name}>${Object.entries(value as Row)
      .map(([k, v]) => toXml(k, v))
      .join('')}</${name}>`;
  return `<${name}>${esc(String(value))}</${name}>`;
}

function soapReply(req: SimRequest, status: number, body: string): SimReply {
  return {
    status,
    headers: { ...limitHeaders(req), 'content-type': 'text/xml;charset=UTF-8' },
    body:
      '<?xml version="1.0" encoding="UTF-8"?>' +
      `<soapenv:Envelope xmlns:soapenv="${SOAP_NS}" xmlns="${MD_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`,
  };
}

/** Every Metadata API fault is an HTTP 500 whose faultstring repeats the code. */
function soapFault(req: SimRequest, code: string, message: string, prefix = 'sf'): SimReply {
  const faultcode = prefix === 'sf' ? `sf:${code}` : `${prefix}:${code}`;
  const text = prefix === 'sf' ? `${code}: ${message}` : message;
  return soapReply(
    req,
    500,
    `<soapenv:Fault xmlns:sf="${MD_NS}"><faultcode>${faultcode}</faultcode><faultstring>${esc(text)}</faultstring></soapenv:Fault>`,
  );
}

function tagText(xml: string, name: string): string[] {
  const re = new RegExp(`<(?:\\w+:)?${name}>([^<]*)</(?:\\w+:)?${name}>`, 'g');
  return [...xml.matchAll(re)].map((m) => unesc(m[1] ?? ''));
}

function readMetadata(d: SfData, type: string, names: string[]): string {
  const record = (name: string): string => {
    const found =
      type === 'SecuritySettings'
        ? name === 'Security'
          ? d.metadata?.SecuritySettings
          : undefined
        : type === 'Profile'
          ? d.metadata?.Profile?.find((p) => p.fullName === name)
          : undefined;
    // A name the org does not have comes back as an empty record.
    if (!found) return '<records xsi:nil="true"/>';
    const inner = Object.entries(type === 'SecuritySettings' ? { fullName: 'Security', ...found } : found)
      .map(([k, v]) => toXml(k, v))
      .join('');
    return `<records xsi:type="${type}">${inner}</records>`;
  };
  return `<readMetadataResponse><result>${names.map(record).join('')}</result></readMetadataResponse>`;
}

function listMetadata(d: SfData, type: string): string {
  const rows =
    type === 'Profile'
      ? (d.metadata?.Profile ?? []).map(
          (p, i) =>
            `<result><createdById>005000000000001AAA</createdById><fileName>profiles/${esc(String(p.fullName))}.profile</fileName><fullName>${esc(String(p.fullName))}</fullName><id>00e00000000${String(i).padStart(4, '0')}AAA</id><type>Profile</type></result>`,
        )
      : [];
  return `<listMetadataResponse>${rows.join('')}</listMetadataResponse>`;
}

function soap(req: SimRequest): SimReply {
  const m = /^\/services\/Soap\/m\/(\d+)\.0$/.exec(req.path);
  if (!m?.[1] || Number(m[1]) < 20 || Number(m[1]) > 66) return notFound(req);
  if (req.method !== 'POST')
    return soapFault(req, 'Client', 'HTTP method not allowed for SOAP requests', 'soapenv');
  if (req.headers.soapaction === undefined)
    return soapFault(req, 'Client', 'No SOAPAction header!', 'soapenv');
  const body = req.body;
  const session = tagText(body, 'sessionId')[0] ?? '';
  if (sessions.get(session) !== req.tenant.id)
    return soapFault(req, 'INVALID_SESSION_ID', 'Invalid Session ID found in SessionHeader: Illegal Session');
  const perms = permissions(req);
  if (!perms.includes('ApiEnabled'))
    return soapFault(req, 'API_CURRENTLY_DISABLED', 'API is disabled for this User');
  const d = data(req);
  const used = (usage.get(req.tenant) ?? d.apiUsed ?? 0) + 1;
  usage.set(req.tenant, used);
  if (used > (d.apiLimit ?? DEFAULT_LIMIT))
    return soapFault(req, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
  // Metadata API access: "Modify Metadata Through Metadata API Functions" or "Modify All Data", even to read.
  if (!perms.includes('ModifyMetadata') && !perms.includes('ModifyAllData'))
    return soapFault(
      req,
      'INSUFFICIENT_ACCESS',
      'use of the Metadata API requires a user with the ModifyAllData or ModifyMetadata permission',
    );
  const call = /<(?:\w+:)?Body>\s*<(?:\w+:)?(\w+)[\s>]/.exec(body)?.[1];
  const type = tagText(body, 'type')[0] ?? '';
  if (call === 'readMetadata') {
    const names = tagText(body, 'fullNames');
    // readMetadata reads at most 10 components per call (the fault's wording is assumed).
    if (names.length > 10)
      return soapFault(req, 'LIMIT_EXCEEDED', 'Too many fullNames: readMetadata accepts at most 10');
    return soapReply(req, 200, readMetadata(d, type, names));
  }
  if (call === 'listMetadata') return soapReply(req, 200, listMetadata(d, type));
  return soapFault(req, 'Client', `No operation available for request {${MD_NS}}${call ?? ''}`, 'soapenv');
}

export const salesforceSim: VendorSim = {
  error(req, status, message) {
    if (req.path === '/services/oauth2/token')
      return oauthError(req, status, status >= 500 ? 'server_error' : 'invalid_request', message);
    if (status === 401) return sessionInvalid(req);
    if (status === 403)
      return fail(req, 403, 'INSUFFICIENT_ACCESS', 'insufficient access rights on cross-reference id');
    if (status === 404) return notFound(req);
    if (status === 503)
      return fail(req, 503, 'SERVER_UNAVAILABLE', `Server temporarily unavailable (${message})`);
    if (status >= 500)
      return fail(
        req,
        status,
        'UNKNOWN_EXCEPTION',
        `An unexpected error occurred. Please include this ErrorId if you contact support: ${randomBytes(4).readUInt32BE()}-${randomBytes(2).readUInt16BE()} (${message})`,
      );
    return fail(req, status, 'BAD_REQUEST', message);
  },

  // Salesforce gives no Retry-After and no reset time: the daily limit is a rolling 24 hours.
  rateLimited(req) {
    const d = data(req);
    const limit = d.apiLimit ?? DEFAULT_LIMIT;
    return {
      status: 403,
      headers: {
        'sforce-limit-info': `api-usage=${Math.max(limit + 1, usage.get(req.tenant) ?? 0)}/${limit}`,
      },
      body: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
    };
  },

  handle(req) {
    if (req.path === '/services/oauth2/token') return token(req);
    if (req.path.startsWith('/services/data/')) return api(req);
    if (req.path.startsWith('/services/Soap/m/')) return soap(req);
    return notFound(req);
  },
};

/**
 * Demo orgs. Contoso's run-as user lacks "Manage Multi-Factor Authentication in API", so
 * TwoFactorMethodsInfo stays hidden and MFA is unknown, and "Modify Metadata Through Metadata API
 * Functions", so SSO enforcement and login IP ranges are unknown; Contoso DE's run-as user has every
 * permission and reads Health Check in German (labels written for the demo, not Salesforce's
 * own translations), with users registered with every kind of verifier.
 */
export const salesforceDemo = [contoso, contosoDe] as DemoTenant[];
