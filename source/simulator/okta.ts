import { randomBytes } from 'node:crypto';
import eu from '../../data/demo/okta-contoso-eu.json' with { type: 'json' };
import us from '../../data/demo/okta-contoso-us.json' with { type: 'json' };
import { cursorPage, pageLimit } from './paging.js';
import type { DemoTenant, SimReply, SimRequest, VendorSim } from './types.js';

/**
 * The Okta Management API endpoints the connector reads, as Okta speaks them: SSWS or Bearer
 * auth, `{errorCode, errorSummary, …}` error bodies, Link paging with the `after` cursor on two
 * separate header lines, X-Rate-Limit-* on every response and no Retry-After on a 429.
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
    'x-okta-request-id': randomBytes(10).toString('base64url'),
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
      errorId: `oae${randomBytes(8).toString('base64url')}`,
      errorCauses: [],
    },
  };
}

const notFound = (req: SimRequest) =>
  error(404, 'E0000007', `Not found: Resource not found: ${req.path} (Resource)`);

function list(req: SimRequest, items: readonly { id?: unknown }[], defaultLimit = 200): SimReply {
  const limit = pageLimit(req.query, defaultLimit, req.tenant.pageSize);
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
    const auth = req.headers.authorization ?? '';
    const [scheme, token] = auth.split(' ');
    if (!token || (scheme !== 'SSWS' && scheme !== 'Bearer') || token !== req.tenant.token)
      return error(401, 'E0000011', 'Invalid token provided');
    if (req.method !== 'GET')
      return error(405, 'E0000022', 'The endpoint does not support the provided HTTP method');
    if (req.tenant.forbidden?.some((p) => req.path.startsWith(p)))
      return error(403, 'E0000006', 'You do not have permission to perform the requested action');

    const d = req.tenant.data as {
      policies?: OktaPolicy[];
      apps?: { id: string; name: string }[];
      adminConsoleSettings?: unknown;
      threats?: unknown;
      oktaSupport?: unknown;
      apiTokens?: { id: string }[];
      logStreams?: { id: string }[];
      authenticators?: { id: string }[];
    };
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
    const rules = /^\/api\/v1\/policies\/([^/]+)\/rules$/.exec(p);
    if (rules) {
      const policy = policies.find((x) => x.id === decodeURIComponent(rules[1] ?? ''));
      return policy ? list(req, (policy.rules ?? []) as { id?: unknown }[]) : notFound(req);
    }
    if (p === '/api/v1/apps') {
      const m = /^name eq "([^"]*)"$/.exec(req.query.get('filter') ?? '');
      const apps = d.apps ?? [];
      return list(req, m ? apps.filter((a) => a.name === m[1]) : apps);
    }
    if (p === '/api/v1/first-party-app-settings/admin-console') return one(d.adminConsoleSettings);
    if (p === '/api/v1/threats/configuration') return one(d.threats);
    if (p === '/api/v1/org/privacy/oktaSupport') return one(d.oktaSupport);
    if (p === '/api/v1/api-tokens') return list(req, d.apiTokens ?? []);
    if (p === '/api/v1/logStreams') return list(req, d.logStreams ?? [], 20);
    if (p === '/api/v1/authenticators') return list(req, d.authenticators ?? []);
    return notFound(req);
  },
};

/** Demo tenants: Contoso EU is well configured; Contoso US is not, and its token may not read log streams. */
export const oktaDemo = [eu, us] as DemoTenant[];
