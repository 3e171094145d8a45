import { z } from 'zod';
import type { Datasets } from '../../domain/rules.js';
import { check, dataset, linkPaged } from '../datasets.js';
import { HttpClient, type Vendor, waitUntilEpochSeconds } from '../http.js';
import { CONNECTOR_OPTIONS } from '../../domain/app-options.js';
import { type CollectContext, type Connector, instanceOptions } from '../types.js';
import {
  accessRule,
  adminConsoleSettings,
  apiToken,
  trustedOrigin,
  appPolicyUsesZones,
  markFirstRule,
  networkZone,
  passwordPolicy,
  signOnRule,
} from './fields.js';
import { SCOPE, type Scope, needs, why } from './scopes.js';
import { type Admin, daysSince, readAdmins, superAdmins, tokenOwners } from './admins.js';

/** Okta Management API: `Authorization: SSWS <token>` (or Bearer), Link paging with `after`. */
export const oktaVendor: Vendor = {
  name: 'Okta',
  readError(body) {
    const b = body as { errorCode?: unknown; errorSummary?: unknown } | null;
    if (!b || typeof b.errorSummary !== 'string') return undefined;
    const code = typeof b.errorCode === 'string' ? b.errorCode : undefined;
    return { message: b.errorSummary, code, line: code ? `${b.errorSummary} (${code})` : b.errorSummary };
  },
  // Okta sends no Retry-After: wait until X-Rate-Limit-Reset, as Okta's own SDK does.
  rateLimitWait(res, now) {
    if (res.status !== 429) return undefined;
    return waitUntilEpochSeconds(res, 'x-rate-limit-reset', now) ?? 60_000;
  },
};

const obj = z.looseObject({});
const Policy = z.looseObject({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  type: z.string(),
});
const Rule = z.looseObject({ id: z.string(), name: z.string(), status: z.string() });
const App = z.looseObject({
  id: z.string(),
  name: z.string(),
  label: z.string().optional(),
  status: z.string().optional(),
  _links: z.looseObject({ accessPolicy: z.looseObject({ href: z.string() }).optional() }).optional(),
});

const rightOf = (scopes: string) =>
  `the ${scopes} (OAuth service app), or an API token of a Read-Only Administrator`;

async function policies(client: HttpClient, type: string, what: string) {
  return needs(SCOPE.policies, () =>
    linkPaged(client, '/api/v1/policies', { type, limit: 200 }, z.array(Policy), what),
  );
}

async function rulesOf(client: HttpClient, policy: { id: string; name: string }) {
  const rules = await needs(SCOPE.policies, () =>
    linkPaged(
      client,
      `/api/v1/policies/${encodeURIComponent(policy.id)}/rules`,
      { limit: 200 },
      z.array(Rule),
      `rules of ${policy.name}`,
    ),
  );
  return rules.map((r) => ({ ...r, _policy: policy.name, _label: `${policy.name} › ${r.name}` }));
}

async function signOnRules(client: HttpClient): Promise<unknown[]> {
  const rules: unknown[] = [];
  // Every active policy counts, not only the default: a weak custom policy must not hide.
  const all = await policies(client, 'OKTA_SIGN_ON', 'global session policies');
  for (const p of all.filter((p) => p.status === 'ACTIVE'))
    rules.push(...markFirstRule((await rulesOf(client, p)).map(signOnRule)));
  return rules;
}

/** The policy id of an app's `_links.accessPolicy`, `…/api/v1/policies/{policyId}` (ids are alphanumeric). */
const accessPolicyId = (app: z.infer<typeof App>) =>
  /\/api\/v1\/policies\/([\w-]+)$/.exec(app._links?.accessPolicy?.href ?? '')?.[1];

/**
 * The rules of a first-party app's authentication policy, found by the app's `name`: `saasure`
 * is the Okta Admin Console, `okta_enduser` the Okta Dashboard. Okta's OpenAPI description names
 * neither; both names are as Okta lists them in a real org's /api/v1/apps.
 */
async function firstPartyAppRules(client: HttpClient, name: string, what: string): Promise<unknown[]> {
  const apps = await needs(SCOPE.apps, () =>
    linkPaged(client, '/api/v1/apps', { filter: `name eq "${name}"` }, z.array(App), 'apps'),
  );
  const id = apps[0] ? accessPolicyId(apps[0]) : undefined;
  if (!id) return [];
  const path = `/api/v1/policies/${id}`;
  const policy = await needs(SCOPE.policies, async () =>
    check(Policy, (await client.get(path)).body, `${what} policy`),
  );
  return (await rulesOf(client, { id, name: policy.name })).map(accessRule);
}

/**
 * Every active app with whether its authentication policy restricts it by network zone. Apps
 * share policies (most use the default one), so each policy's rules are read once.
 */
async function appNetworkZones(client: HttpClient): Promise<unknown[]> {
  const apps = await needs(SCOPE.apps, () =>
    linkPaged(client, '/api/v1/apps', { limit: 200 }, z.array(App), 'apps'),
  );
  const rulesById = new Map<string, Promise<unknown[]>>();
  const out: unknown[] = [];
  for (const app of apps.filter((a) => a.status === 'ACTIVE')) {
    const item = { id: app.id, name: app.name, label: app.label ?? app.name, status: app.status };
    const id = accessPolicyId(app);
    // No policy link: Okta gives no way to tell why (a Classic org, an app type without one), so unknown.
    if (!id) {
      out.push(item);
      continue;
    }
    if (!rulesById.has(id)) rulesById.set(id, rulesOf(client, { id, name: id }));
    const rules = await rulesById.get(id)!;
    out.push({ ...item, _policy: id, _networkZones: appPolicyUsesZones(rules) });
  }
  return out;
}

/** An API token's age in whole days from `created` (absent when Okta gives none: unknown). */
function ageOf(token: unknown, now: number): { _ageDays?: number } {
  const created = (token as { created?: unknown }).created;
  const days = daysSince(typeof created === 'string' ? created : undefined, now);
  return days === undefined ? {} : { _ageDays: days };
}

async function single(client: HttpClient, scope: Scope, path: string, what: string): Promise<unknown[]> {
  const res = await needs(scope, () => client.get(path));
  return [check(obj, res.body, what)];
}

export const okta: Connector = {
  app: 'okta',
  secretLabel: 'API token (SSWS) or OAuth access token',
  options: CONNECTOR_OPTIONS.okta,
  rights: {
    'okta:policies/password': rightOf('okta.policies.read scope'),
    'okta:policies/signon/rules': rightOf('okta.policies.read scope'),
    'okta:admin-console/rules': rightOf('okta.apps.read and okta.policies.read scopes'),
    'okta:admin-console/settings': rightOf('okta.apps.read scope'),
    'okta:dashboard/rules': rightOf('okta.apps.read and okta.policies.read scopes'),
    'okta:apps/network-zones': rightOf('okta.apps.read and okta.policies.read scopes'),
    'okta:networkZones': rightOf('okta.networkZones.read scope'),
    'okta:threats/configuration': rightOf('okta.threatInsights.read scope'),
    'okta:org/oktaSupport': rightOf('okta.orgs.read scope'),
    'okta:api-tokens': rightOf('okta.apiTokens.read scope'),
    'okta:logStreams': rightOf('okta.logStreams.read scope'),
    'okta:authenticators': rightOf('okta.authenticators.read scope'),
    'okta:admins': rightOf('okta.roles.read and okta.users.read scopes'),
    'okta:admins/super': rightOf('okta.roles.read scope'),
    'okta:trustedOrigins': rightOf('okta.trustedOrigins.read scope'),
    'okta:authorizationServers': rightOf('okta.authorizationServers.read scope'),
  },
  async collect(ctx: CollectContext) {
    const bearer = ctx.instance.options.auth === 'bearer';
    const client = new HttpClient({
      ...instanceOptions(ctx),
      vendor: oktaVendor,
      auth: () => ({ authorization: `${bearer ? 'Bearer' : 'SSWS'} ${ctx.secret}` }),
      secrets: () => [ctx.secret],
    });
    const read = (fn: () => Promise<unknown[]>) => dataset(fn, { why: why(bearer) });
    const now = ctx.clock.now();
    // Read once: the admins are two datasets and tell whose API tokens act as a super admin.
    const admins = await read(() =>
      readAdmins(client, now, (error) => {
        const gap = why(bearer)(error);
        return typeof gap === 'string' ? { reason: gap } : gap;
      }),
    );
    // Only the query parameters each operation declares: listApiTokens and listAuthenticators
    // declare none, listLogStreams a `limit` of at most 200.
    const list = (scope: Scope, path: string, query: Record<string, number>, what: string) =>
      needs(scope, () => linkPaged(client, path, query, z.array(obj), what));
    const datasets: Datasets = {
      'okta:policies/password': await read(async () =>
        (await policies(client, 'PASSWORD', 'password policies')).map(passwordPolicy),
      ),
      'okta:policies/signon/rules': await read(() => signOnRules(client)),
      'okta:admin-console/rules': await read(() => firstPartyAppRules(client, 'saasure', 'Admin Console')),
      'okta:dashboard/rules': await read(() => firstPartyAppRules(client, 'okta_enduser', 'Dashboard')),
      'okta:apps/network-zones': await read(() => appNetworkZones(client)),
      'okta:admin-console/settings': await read(async () =>
        (
          await single(
            client,
            SCOPE.apps,
            '/api/v1/first-party-app-settings/admin-console',
            'Admin Console settings',
          )
        ).map(adminConsoleSettings),
      ),
      'okta:threats/configuration': await read(() =>
        single(client, SCOPE.threats, '/api/v1/threats/configuration', 'ThreatInsight'),
      ),
      'okta:org/oktaSupport': await read(() =>
        single(client, SCOPE.orgs, '/api/v1/org/privacy/oktaSupport', 'Okta Support access'),
      ),
      'okta:api-tokens': await read(async () =>
        tokenOwners(
          (await list(SCOPE.apiTokens, '/api/v1/api-tokens', {}, 'API tokens')).map((t) => ({
            ...apiToken(t),
            ...ageOf(t, now),
          })),
          admins.ok ? (admins.items as Admin[]) : { reason: admins.reason, missing: admins.missing },
        ),
      ),
      'okta:admins': admins,
      'okta:admins/super': admins.ok ? { ok: true, items: superAdmins(admins.items as Admin[]) } : admins,
      'okta:trustedOrigins': await read(async () =>
        (await list(SCOPE.trustedOrigins, '/api/v1/trustedOrigins', { limit: 200 }, 'trusted origins')).map(
          trustedOrigin,
        ),
      ),
      'okta:authorizationServers': await read(() =>
        list(
          SCOPE.authorizationServers,
          '/api/v1/authorizationServers',
          { limit: 200 },
          'authorization servers',
        ),
      ),
      'okta:logStreams': await read(() =>
        list(SCOPE.logStreams, '/api/v1/logStreams', { limit: 200 }, 'log streams'),
      ),
      'okta:authenticators': await read(() =>
        list(SCOPE.authenticators, '/api/v1/authenticators', {}, 'authenticators'),
      ),
      // listNetworkZones: `limit` defaults to -1 (all); the Link header is followed all the same.
      'okta:networkZones': await read(async () =>
        (await list(SCOPE.networkZones, '/api/v1/zones', {}, 'network zones')).map(networkZone),
      ),
    };
    return { datasets, requests: client.requests };
  },
};
