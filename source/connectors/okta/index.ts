import { z } from 'zod';
import type { Datasets } from '../../domain/rules.js';
import { check, dataset, linkPaged } from '../datasets.js';
import { HttpClient, type Vendor, waitUntilEpochSeconds } from '../http.js';
import { CONNECTOR_OPTIONS } from '../../domain/app-options.js';
import { type CollectContext, type Connector, instanceOptions } from '../types.js';

/** Okta Management API: `Authorization: SSWS <token>` (or Bearer), Link paging with `after`. */
export const oktaVendor: Vendor = {
  name: 'Okta',
  errorMessage(body) {
    const b = body as { errorCode?: unknown; errorSummary?: unknown } | null;
    if (b && typeof b.errorSummary === 'string')
      return typeof b.errorCode === 'string' ? `${b.errorSummary} (${b.errorCode})` : b.errorSummary;
    return undefined;
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
  _links: z.looseObject({ accessPolicy: z.looseObject({ href: z.string() }).optional() }).optional(),
});

async function policyRules(client: HttpClient, type: string): Promise<unknown[]> {
  const policies = await linkPaged(
    client,
    '/api/v1/policies',
    { type, limit: 200 },
    z.array(Policy),
    `${type} policies`,
  );
  const rules: unknown[] = [];
  // Every active policy counts, not only the default: a weak custom policy must not hide.
  for (const p of policies.filter((p) => p.status === 'ACTIVE')) {
    const list = await linkPaged(
      client,
      `/api/v1/policies/${encodeURIComponent(p.id)}/rules`,
      { limit: 200 },
      z.array(Rule),
      `rules of ${p.name}`,
    );
    for (const r of list) rules.push({ ...r, _policy: p.name, _label: `${p.name} › ${r.name}` });
  }
  return rules;
}

async function adminConsoleRules(client: HttpClient): Promise<unknown[]> {
  // The Okta Admin Console is the first-party app named "saasure"; its access policy holds the rules.
  const apps = await linkPaged(client, '/api/v1/apps', { filter: 'name eq "saasure"' }, z.array(App), 'apps');
  const href = apps[0]?._links?.accessPolicy?.href;
  if (!href) return [];
  const policyId = href.split('/').pop() ?? '';
  const rules = await linkPaged(
    client,
    `/api/v1/policies/${encodeURIComponent(policyId)}/rules`,
    {},
    z.array(Rule),
    'Admin Console rules',
  );
  return rules.map((r) => ({ ...r, _label: `Admin Console › ${r.name}` }));
}

async function single(client: HttpClient, path: string, what: string): Promise<unknown[]> {
  const res = await client.get(path);
  return [check(obj, res.body, what)];
}

export const okta: Connector = {
  app: 'okta',
  secretLabel: 'API token (SSWS) or OAuth access token',
  options: CONNECTOR_OPTIONS.okta,
  rights: {
    'okta:policies/password': 'the okta.policies.read scope',
    'okta:policies/signon/rules': 'the okta.policies.read scope',
    'okta:admin-console/rules': 'the okta.apps.read and okta.policies.read scopes',
    'okta:admin-console/settings': 'the okta.apps.read scope',
    'okta:threats/configuration': 'the okta.threatInsights.read scope',
    'okta:org/oktaSupport': 'the okta.orgs.read scope',
    'okta:api-tokens': 'the okta.apiTokens.read scope',
    'okta:logStreams': 'the okta.logStreams.read scope',
    'okta:authenticators': 'the okta.authenticators.read scope',
  },
  async collect(ctx: CollectContext) {
    const scheme = ctx.instance.options.auth === 'bearer' ? 'Bearer' : 'SSWS';
    const client = new HttpClient({
      ...instanceOptions(ctx),
      vendor: oktaVendor,
      auth: () => ({ authorization: `${scheme} ${ctx.secret}` }),
      secrets: () => [ctx.secret],
    });
    const list = (path: string, what: string) =>
      dataset(() => linkPaged(client, path, { limit: 200 }, z.array(obj), what));
    const datasets: Datasets = {
      'okta:policies/password': await dataset(() =>
        linkPaged(
          client,
          '/api/v1/policies',
          { type: 'PASSWORD', limit: 200 },
          z.array(Policy),
          'password policies',
        ),
      ),
      'okta:policies/signon/rules': await dataset(() => policyRules(client, 'OKTA_SIGN_ON')),
      'okta:admin-console/rules': await dataset(() => adminConsoleRules(client)),
      'okta:admin-console/settings': await dataset(() =>
        single(client, '/api/v1/first-party-app-settings/admin-console', 'Admin Console settings'),
      ),
      'okta:threats/configuration': await dataset(() =>
        single(client, '/api/v1/threats/configuration', 'ThreatInsight'),
      ),
      'okta:org/oktaSupport': await dataset(() =>
        single(client, '/api/v1/org/privacy/oktaSupport', 'Okta Support access'),
      ),
      'okta:api-tokens': await list('/api/v1/api-tokens', 'API tokens'),
      'okta:logStreams': await list('/api/v1/logStreams', 'log streams'),
      'okta:authenticators': await list('/api/v1/authenticators', 'authenticators'),
    };
    return { datasets, requests: client.requests };
  },
};
