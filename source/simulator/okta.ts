import eu from '../../data/demo/okta-contoso-eu.json' with { type: 'json' };
import us from '../../data/demo/okta-contoso-us.json' with { type: 'json' };
import { cursorPage, pageLimit } from './paging.js';
import { idBytes } from './random.js';
import type { DemoTenant, SimReply, SimRequest, VendorSim } from './types.js';

/**
 * The Okta Management API endpoints the connector reads, as Okta speaks them: an API token
 * (`SSWS`) or an OAuth access token (`Bearer`) with its granted scopes, `{errorCode, errorSummary,
 * …}` error bodies, Link paging with the `after` cursor on two separate header lines on the
 * operations that declare paging, X-Rate-Limit-* on every response and no Retry-After on a 429.
 *
 * A tenant whose `data.oauthScopes` lists scopes holds an OAuth access token: it is accepted only
 * as `Bearer`, and a request whose operation needs a scope it was not granted is a 403 E0000006
 * for that request only. Any other tenant holds an API token, accepted only as `SSWS`.
 */

interface OktaPolicy {
  id: string;
  type: string;
  name: string;
  status: string;
  rules?: unknown[];
  [k: string]: unknown;
}

const RATE_LIMIT = 600;

function rateHeaders(remaining: number, resetSeconds = 60): Record<string, string> {
  return {
    'x-rate-limit-limit': String(RATE_LIMIT),
    'x-rate-limit-remaining': String(remaining),
    'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + resetSeconds),
    'x-okta-request-id': idBytes(10).toString('base64url'),
  };
}

function error(status: number, code: string, summary: string): SimReply {
  return {
    status,
    headers: rateHeaders(RATE_LIMIT - 1),
    body: {
      errorCode: code,
      errorSummary: summary,
      errorLink: code,
      errorId: `oae${idBytes(8).toString('base64url')}`,
      errorCauses: [],
    },
  };
}

/** The scope each operation requires (its security requirement in Okta's OpenAPI description). */
const OPERATIONS: { path: RegExp; scope: string }[] = [
  { path: /^\/api\/v1\/policies$/, scope: 'okta.policies.read' },
  { path: /^\/api\/v1\/policies\/[^/]+(\/rules)?$/, scope: 'okta.policies.read' },
  { path: /^\/api\/v1\/apps$/, scope: 'okta.apps.read' },
  { path: /^\/api\/v1\/first-party-app-settings\/[^/]+$/, scope: 'okta.apps.read' },
  { path: /^\/api\/v1\/threats\/configuration$/, scope: 'okta.threatInsights.read' },
  { path: /^\/api\/v1\/org\/privacy\/oktaSupport$/, scope: 'okta.orgs.read' },
  { path: /^\/api\/v1\/api-tokens$/, scope: 'okta.apiTokens.read' },
  { path: /^\/api\/v1\/logStreams$/, scope: 'okta.logStreams.read' },
  { path: /^\/api\/v1\/authenticators$/, scope: 'okta.authenticators.read' },
  { path: /^\/api\/v1\/zones$/, scope: 'okta.networkZones.read' },
  { path: /^\/api\/v1\/iam\/assignees\/users$/, scope: 'okta.roles.read' },
  { path: /^\/api\/v1\/users\/[^/]+\/roles$/, scope: 'okta.roles.read' },
  { path: /^\/api\/v1\/users\/[^/]+(\/factors)?$/, scope: 'okta.users.read' },
  { path: /^\/api\/v1\/trustedOrigins$/, scope: 'okta.trustedOrigins.read' },
  { path: /^\/api\/v1\/authorizationServers$/, scope: 'okta.authorizationServers.read' },
];

/** A user of the simulated org: getUser's fields, plus its role assignments and enrolled factors. */
interface OktaUser {
  id: string;
  roles?: { type: string; [k: string]: unknown }[];
  factors?: unknown[];
  [k: string]: unknown;
}

/**
 * Okta's answer to an access token without the scope an operation needs: the E0000006 body its
 * OpenAPI description gives for a 403, and a `WWW-Authenticate` challenge naming the scope (as
 * reported from a real org in okta/okta-sdk-golang#145).
 */
function insufficientScope(req: SimRequest, scope: string): SimReply {
  const reply = error(403, 'E0000006', 'You do not have permission to perform the requested action');
  const realm = new URL(req.base).origin;
  reply.headers = {
    ...reply.headers,
    'www-authenticate':
      `Bearer authorization_uri="${realm}/oauth2/v1/authorize", realm="${realm}", scope="${scope}", ` +
      `error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", ` +
      `resource="${req.path}"`,
  };
  return reply;
}

const notFound = (req: SimRequest) =>
  error(404, 'E0000007', `Not found: Resource not found: ${req.path} (Resource)`);

function list(
  req: SimRequest,
  items: readonly { id?: unknown }[],
  defaultLimit = 200,
  paged = true,
): SimReply {
  const limit = paged ? pageLimit(req.query, defaultLimit, req.tenant.pageSize) : items.length + 1;
  const { page, next } = cursorPage(items, req.query.get('after'), limit, (it) => String(it.id));
  const self = new URL(req.base + req.path);
  for (const [k, v] of req.query) self.searchParams.set(k, v);
  const links = [`<${self.href}>; rel="self"`];
  if (next) {
    const n = new URL(self);
    n.searchParams.set('after', next);
    links.push(`<${n.href}>; rel="next"`);
  }
  // Two separate `link` header lines, as Okta sends them.
  return { status: 200, headers: { ...rateHeaders(RATE_LIMIT - 1), link: links }, body: page };
}

/**
 * The demo's dates that must stay recent (an admin's last sign-in, a token's creation) are kept
 * as `<field>DaysAgo` and served as Okta does, an ISO time in `<field>`, counted from now.
 */
function relativeDates<T>(item: T): T {
  if (typeof item !== 'object' || item === null) return item;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) {
    const m = /^(.+)DaysAgo$/.exec(k);
    if (m && typeof v === 'number') out[m[1]!] = new Date(Date.now() - v * 86_400_000).toISOString();
    else out[k] = v;
  }
  return out as T;
}

function one(body: unknown): SimReply {
  return body === undefined || body === null
    ? error(404, 'E0000007', 'Not found: Resource not found (Resource)')
    : { status: 200, headers: rateHeaders(RATE_LIMIT - 1), body };
}

export const oktaSim: VendorSim = {
  error(_req, status, message) {
    if (status === 429)
      return error(429, 'E0000047', 'API call exceeded rate limit due to too many requests.');
    if (status >= 500) return error(status, 'E0000009', `Internal Server Error (${message})`);
    return error(status, 'E0000001', `Api validation failed: ${message}`);
  },

  rateLimited(_req, resetSeconds) {
    const reply = error(429, 'E0000047', 'API call exceeded rate limit due to too many requests.');
    reply.headers = { ...rateHeaders(0, resetSeconds), 'x-rate-limit-limit': String(RATE_LIMIT) };
    return reply;
  },

  handle(req) {
    const d = req.tenant.data as {
      oauthScopes?: string[];
      policies?: OktaPolicy[];
      apps?: { id: string; name: string }[];
      adminConsoleSettings?: unknown;
      threats?: unknown;
      oktaSupport?: unknown;
      apiTokens?: { id: string }[];
      logStreams?: { id: string }[];
      authenticators?: { id: string }[];
      networkZones?: { id: string }[];
      users?: OktaUser[];
      trustedOrigins?: { id: string }[];
      authorizationServers?: { id: string }[];
    };
    const auth = req.headers.authorization ?? '';
    const [scheme, token] = auth.split(' ');
    // An API token is not an access token and the other way round: the wrong scheme is a 401.
    const expected = d.oauthScopes ? 'Bearer' : 'SSWS';
    if (!token || scheme !== expected || token !== req.tenant.token)
      return error(401, 'E0000011', 'Invalid token provided');
    if (req.method !== 'GET')
      return error(405, 'E0000022', 'The endpoint does not support the provided HTTP method');
    const op = OPERATIONS.find((o) => o.path.test(req.path));
    if (op && d.oauthScopes && !d.oauthScopes.includes(op.scope)) return insufficientScope(req, op.scope);
    if (req.tenant.forbidden?.some((p) => req.path.startsWith(p)))
      return error(403, 'E0000006', 'You do not have permission to perform the requested action');
    const policies = d.policies ?? [];
    const p = req.path;

    if (p === '/api/v1/policies') {
      const type = req.query.get('type');
      if (!type) return error(400, 'E0000001', 'Api validation failed: type');
      return list(
        req,
        policies.filter((x) => x.type === type).map(({ rules: _rules, ...policy }) => policy),
      );
    }
    const byId = /^\/api\/v1\/policies\/([^/]+)(\/rules)?$/.exec(p);
    if (byId) {
      const policy = policies.find((x) => x.id === decodeURIComponent(byId[1] ?? ''));
      if (!policy) return notFound(req);
      const { rules = [], ...rest } = policy;
      return byId[2] ? list(req, rules as { id?: unknown }[]) : one(rest);
    }
    if (p === '/api/v1/apps') {
      const m = /^name eq "([^"]*)"$/.exec(req.query.get('filter') ?? '');
      const apps = d.apps ?? [];
      return list(req, m ? apps.filter((a) => a.name === m[1]) : apps);
    }
    if (p === '/api/v1/first-party-app-settings/admin-console') return one(d.adminConsoleSettings);
    if (p === '/api/v1/threats/configuration') return one(d.threats);
    if (p === '/api/v1/org/privacy/oktaSupport') return one(d.oktaSupport);
    // listApiTokens and listAuthenticators declare no paging: every item in one answer.
    if (p === '/api/v1/api-tokens') return list(req, (d.apiTokens ?? []).map(relativeDates), 200, false);
    if (p === '/api/v1/logStreams') return list(req, d.logStreams ?? [], 20);
    if (p === '/api/v1/authenticators') return list(req, d.authenticators ?? [], 200, false);
    // listNetworkZones: `limit` defaults to -1, every zone on one page unless the client asks for fewer.
    if (p === '/api/v1/zones') {
      const zones = d.networkZones ?? [];
      return list(req, zones, Math.max(zones.length, 1));
    }
    if (p === '/api/v1/iam/assignees/users') return assignees(req, d.users ?? []);
    const user = /^\/api\/v1\/users\/([^/]+)(\/roles|\/factors)?$/.exec(p);
    if (user) {
      const u = (d.users ?? []).find((x) => x.id === decodeURIComponent(user[1] ?? ''));
      if (!u) return error(404, 'E0000007', `Not found: Resource not found: ${user[1]} (User)`);
      const { roles = [], factors = [], ...rest } = u;
      // listAssignedRolesForUser and listFactors declare no paging: one array each.
      if (user[2] === '/roles') return one(roles);
      if (user[2] === '/factors') return one(factors);
      return one(relativeDates(rest));
    }
    if (p === '/api/v1/trustedOrigins') return list(req, d.trustedOrigins ?? [], 20);
    if (p === '/api/v1/authorizationServers') return list(req, d.authorizationServers ?? [], 200);
    return notFound(req);
  },
};

/**
 * listUsersWithRoleAssignments: a RoleAssignedUsers object, `{value, _links}`, paged by
 * `_links.next.href` in the body (not a Link header), 100 users a page unless asked for fewer.
 */
function assignees(req: SimRequest, users: readonly OktaUser[]): SimReply {
  const admins = users.filter((u) => (u.roles ?? []).length > 0);
  const limit = pageLimit(req.query, 100, req.tenant.pageSize);
  const { page, next } = cursorPage(admins, req.query.get('after'), limit, (u) => u.id);
  const href = (id: string) => `${req.base}/api/v1/users/${id}`;
  const value = page.map((u) => ({
    id: u.id,
    orn: `orn:okta:00o1sim:users:${u.id}`,
    _links: { self: { href: href(u.id) }, roles: { href: `${href(u.id)}/roles` } },
  }));
  const nextUrl = new URL(`${req.base}/api/v1/iam/assignees/users`);
  if (next) {
    nextUrl.searchParams.set('after', next);
    nextUrl.searchParams.set('limit', String(limit));
  }
  return one({ value, _links: next ? { next: { href: nextUrl.href } } : {} });
}

/**
 * Demo tenants: Contoso EU is well configured and read with an API token; Contoso US is not, and
 * is read with an OAuth access token that lacks the log-stream and API-token scopes.
 */
export const oktaDemo = [eu, us] as DemoTenant[];
