import { z } from 'zod';
import type { Dataset, Datasets } from '../../domain/rules.js';
import { check, dataset, linkPaged, unreadable } from '../datasets.js';
import {
  ConnectorError,
  HttpClient,
  header,
  retryAfterMs,
  type Vendor,
  waitUntilEpochSeconds,
} from '../http.js';
import { CONNECTOR_OPTIONS } from '../../domain/app-options.js';
import { type CollectContext, type Connector, instanceOptions } from '../types.js';

/**
 * GitHub REST API (api.github.com, or `https://HOST/api/v3` for Enterprise Server): Bearer token,
 * the headers GitHub requires on every request, `page`/`per_page` paging through the `link` header,
 * and both of GitHub's rate limits (primary: remaining 0 until reset; secondary: retry-after).
 */

export const USER_AGENT = 'posture/0.1';
export const API_VERSION = '2022-11-28';
const SECONDARY_FLOOR_MS = 60_000;

function message(body: unknown): string | undefined {
  if (typeof body === 'string') {
    const text = body.trim();
    // GitHub's edge answers some refusals in plain text; an HTML page says nothing useful.
    return text && !text.startsWith('<') ? text : undefined;
  }
  const b = body as { message?: unknown; errors?: unknown } | null;
  if (!b || typeof b.message !== 'string') return undefined;
  const first = Array.isArray(b.errors)
    ? (b.errors[0] as { message?: unknown; code?: unknown } | undefined)
    : undefined;
  const detail =
    typeof first?.message === 'string' ? first.message : typeof first?.code === 'string' ? first.code : '';
  return detail ? `${b.message}: ${detail}` : b.message;
}

export const githubVendor: Vendor = {
  name: 'GitHub',
  headers: {
    accept: 'application/vnd.github+json',
    'user-agent': USER_AGENT,
    'x-github-api-version': API_VERSION,
  },
  errorMessage: message,
  // As GitHub documents (and Octokit's throttling plugin does): only 403 and 429 can be limits.
  rateLimitWait(res, now) {
    if (res.status !== 403 && res.status !== 429) return undefined;
    const text = message(res.body) ?? '';
    const retryMs = retryAfterMs(res, now) || undefined; // 0 says nothing
    const exhausted = header(res.headers, 'x-ratelimit-remaining') === '0';
    // A secondary limit waits what Retry-After says; without it, like any other limit below.
    if (retryMs !== undefined && /\bsecondary rate limit/i.test(text)) return retryMs;
    if (exhausted) return waitUntilEpochSeconds(res, 'x-ratelimit-reset', now) ?? SECONDARY_FLOOR_MS;
    // A 429, a retry-after or a message about a rate limit: throttled, never "forbidden".
    if (res.status === 429 || retryMs !== undefined || /\brate limit/i.test(text))
      return Math.max(retryMs ?? 0, SECONDARY_FLOOR_MS);
    return undefined;
  },
};

// ---- Response shapes: only what the rules read is typed; everything else passes through. ----
const Org = z.looseObject({
  login: z.string(),
  id: z.number(),
  two_factor_requirement_enabled: z.boolean().nullish(),
  default_repository_permission: z.string().nullish(),
  members_can_create_repositories: z.boolean().nullish(),
  members_can_create_public_repositories: z.boolean().nullish(),
  members_can_fork_private_repositories: z.boolean().nullish(),
  members_can_delete_repositories: z.boolean().nullish(),
  members_can_change_repo_visibility: z.boolean().nullish(),
  web_commit_signoff_required: z.boolean().nullish(),
  secret_scanning_enabled_for_new_repositories: z.boolean().nullish(),
  secret_scanning_push_protection_enabled_for_new_repositories: z.boolean().nullish(),
  plan: z.looseObject({}).nullish(),
});
type OrgBody = z.infer<typeof Org>;

const ActionsPermissions = z.looseObject({
  enabled_repositories: z.string(),
  allowed_actions: z.string().optional(),
});
const WorkflowPermissions = z.looseObject({
  default_workflow_permissions: z.string(),
  can_approve_pull_request_reviews: z.boolean(),
});
const Hook = z.looseObject({
  id: z.number(),
  name: z.string(),
  active: z.boolean(),
  config: z.looseObject({
    url: z.string().optional(),
    insecure_ssl: z.union([z.string(), z.number()]).optional(),
    secret: z.string().optional(),
  }),
});
const Status = z.looseObject({ status: z.string() }).nullish();
const Repo = z.looseObject({
  id: z.number(),
  name: z.string(),
  full_name: z.string(),
  owner: z.looseObject({ login: z.string() }),
  archived: z.boolean(),
  default_branch: z.string().optional(),
  permissions: z.looseObject({ admin: z.boolean() }).optional(),
  security_and_analysis: z
    .looseObject({
      secret_scanning: Status,
      secret_scanning_push_protection: Status,
      dependabot_security_updates: Status,
    })
    .nullish(),
});
type RepoBody = z.infer<typeof Repo>;
const Protection = z.looseObject({
  required_pull_request_reviews: z
    .looseObject({ required_approving_review_count: z.number().int().nonnegative().optional() })
    .optional(),
  allow_force_pushes: z.looseObject({ enabled: z.boolean() }).optional(),
});
const Rules = z.array(
  z.looseObject({
    type: z.string(),
    parameters: z.looseObject({ required_approving_review_count: z.number().int().optional() }).optional(),
  }),
);

// The settings GitHub returns only to an organisation owner whose token has admin:org.
const OWNER_FIELDS = [
  'two_factor_requirement_enabled',
  'default_repository_permission',
  'members_can_create_repositories',
  'plan',
] as const;

/** What one source says about a default branch; undefined when it could not be read. */
export interface BranchRules {
  approvals: number;
  forcePushBlocked: boolean;
  /** Nothing configured at all (for evidence). */
  none?: boolean;
}

/**
 * Combine classic branch protection and rulesets. Either source may protect the branch, so
 * a value is known when both sources were read, or when the one that was read already satisfies
 * the check; otherwise it stays unknown (absent), never a guess.
 */
export function combineProtection(
  classic: BranchRules | undefined,
  rulesets: BranchRules | undefined,
): { required_approvals?: number; force_push_blocked?: boolean } {
  const out: { required_approvals?: number; force_push_blocked?: boolean } = {};
  const known = [classic, rulesets].filter((s): s is BranchRules => s !== undefined);
  const both = known.length === 2;
  const approvals = Math.max(-1, ...known.map((s) => s.approvals));
  if (both || approvals >= 1) out.required_approvals = Math.max(0, approvals);
  const blocked = known.some((s) => s.forcePushBlocked);
  if (both || blocked) out.force_push_blocked = blocked;
  return out;
}

const NOT_PROTECTED: BranchRules = { approvals: 0, forcePushBlocked: false, none: true };

async function classicProtection(
  client: HttpClient,
  repo: RepoBody,
  branch: string,
): Promise<BranchRules | undefined> {
  // Only repository admins may read classic protection; GitHub answers anyone else with a 404.
  if (repo.permissions && !repo.permissions.admin) return undefined;
  try {
    const res = await client.get(
      `/repos/${encodeURIComponent(repo.owner.login)}/${encodeURIComponent(repo.name)}/branches/${encodeURIComponent(branch)}/protection`,
    );
    const p = check(Protection, res.body, `branch protection of ${repo.full_name}`);
    return {
      approvals: p.required_pull_request_reviews
        ? (p.required_pull_request_reviews.required_approving_review_count ?? 0)
        : 0,
      forcePushBlocked: !(p.allow_force_pushes?.enabled ?? false),
    };
  } catch (error) {
    // "Branch not protected" is an answer (unprotected); any other 404 or 403 is not.
    if (
      error instanceof ConnectorError &&
      error.kind === 'not_found' &&
      /Branch not protected/i.test(error.message)
    )
      return NOT_PROTECTED;
    if (unreadable(error)) return undefined;
    throw error;
  }
}

async function rulesetRules(
  client: HttpClient,
  repo: RepoBody,
  branch: string,
): Promise<BranchRules | undefined> {
  try {
    const rules = await linkPaged(
      client,
      `/repos/${encodeURIComponent(repo.owner.login)}/${encodeURIComponent(repo.name)}/rules/branches/${encodeURIComponent(branch)}`,
      { per_page: 100 },
      Rules,
      `rules for ${repo.full_name}`,
    );
    const approvals = rules
      .filter((r) => r.type === 'pull_request')
      .map((r) => r.parameters?.required_approving_review_count ?? 0);
    return {
      approvals: Math.max(0, ...approvals),
      forcePushBlocked: rules.some((r) => r.type === 'non_fast_forward'),
      ...(rules.length === 0 ? { none: true } : {}),
    };
  } catch (error) {
    // Enterprise Server before rulesets answers 404 here.
    if (unreadable(error)) return undefined;
    throw error;
  }
}

function sourceName(s: BranchRules | undefined, what: string): string {
  if (s === undefined) return `${what}: not visible to this token`;
  if (s.none) return `${what}: none`;
  const push = s.forcePushBlocked ? 'force pushes blocked' : 'force pushes allowed';
  return `${what}: ${s.approvals} approval(s) required, ${push}`;
}

/** One item per active repository: how its default branch is protected, from both sources. */
async function defaultBranches(client: HttpClient, repos: RepoBody[]): Promise<unknown[]> {
  const items: unknown[] = [];
  // One repository at a time: GitHub asks clients not to send concurrent requests.
  for (const repo of repos.filter((r) => !r.archived)) {
    const branch = repo.default_branch;
    if (!branch) {
      items.push({ repo: repo.full_name, sources: 'no default branch reported' });
      continue;
    }
    const classic = await classicProtection(client, repo, branch);
    const satisfied = classic !== undefined && classic.approvals >= 1 && classic.forcePushBlocked;
    // Classic protection that already does the job needs no second request.
    const rulesets = satisfied ? undefined : await rulesetRules(client, repo, branch);
    items.push({
      repo: repo.full_name,
      branch,
      ...combineProtection(classic, rulesets),
      sources: satisfied
        ? sourceName(classic, 'branch protection')
        : `${sourceName(classic, 'branch protection')}; ${sourceName(rulesets, 'rulesets')}`,
    });
  }
  return items;
}

/** Read a dataset that needs a scope: 403/404 means the token lacks it, so the controls are unknown. */
function scoped(scope: string, read: () => Promise<unknown[]>): Promise<Dataset> {
  return dataset(read, {
    why: (e) =>
      unreadable(e)
        ? {
            reason: `the token may not read this: it needs the ${scope} scope`,
            missing: `the ${scope} scope`,
          }
        : undefined,
  });
}

function orgDataset(org: OrgBody, scopes: string | undefined): Dataset {
  const ownerView = OWNER_FIELDS.some((k) => org[k] !== undefined && org[k] !== null);
  if (!ownerView)
    return {
      ok: false,
      reason: `GitHub shows the organisation's settings only to owners whose token has the admin:org scope${
        scopes === undefined ? '' : ` (this token's scopes: ${scopes || 'none'})`
      }`,
    };
  return { ok: true, items: [{ ...org, _label: org.login }] };
}

function hookItem(h: z.infer<typeof Hook>): unknown {
  let host = '';
  try {
    host = h.config.url ? new URL(h.config.url).host : '';
  } catch {
    host = 'invalid URL';
  }
  // The label shows the host only: webhook URLs can carry tokens in their query string.
  const config = {
    ...h.config,
    ...(h.config.insecure_ssl === undefined ? {} : { insecure_ssl: String(h.config.insecure_ssl) }),
  };
  return { ...h, config, _label: `${h.name} #${h.id}${host ? ` → ${host}` : ''}` };
}

const ORG_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;

export const github: Connector = {
  app: 'github',
  secretLabel:
    'personal access token (classic: read:org and repo; admin:org and admin:org_hook for every control)',
  options: CONNECTOR_OPTIONS.github,
  rights: {
    'github:org': 'an organisation owner whose classic token has the admin:org scope',
    'github:actions/permissions': 'the admin:org scope',
    'github:actions/workflow': 'the admin:org scope',
    'github:hooks': 'the admin:org_hook scope',
    'github:repos': 'the repo scope',
    'github:repos/default-branch': 'the repo scope and admin on each repository',
  },
  async collect(ctx: CollectContext) {
    const login = ctx.instance.options.org?.trim() ?? '';
    if (!login)
      throw new ConnectorError('GitHub needs the organisation: set the instance option "org"', 'http');
    if (!ORG_LOGIN.test(login))
      throw new ConnectorError(`"${login}" is not a GitHub organisation login`, 'http');
    const client = new HttpClient({
      ...instanceOptions(ctx),
      vendor: githubVendor,
      auth: () => ({ authorization: `Bearer ${ctx.secret}` }),
      secrets: () => [ctx.secret],
    });
    const o = `/orgs/${encodeURIComponent(login)}`;

    // The organisation itself must be readable: a wrong name or token fails the whole poll.
    let orgRes: Awaited<ReturnType<HttpClient['get']>>;
    try {
      orgRes = await client.get(o);
    } catch (error) {
      if (error instanceof ConnectorError && error.kind === 'not_found')
        throw new ConnectorError(
          `GitHub organisation "${login}" was not found, or this token may not see it (${error.message})`,
          'not_found',
          error.status,
        );
      throw error;
    }
    const org = check(Org, orgRes.body, 'organisation');

    const datasets: Datasets = {
      'github:org': orgDataset(org, header(orgRes.headers, 'x-oauth-scopes')),
      'github:actions/permissions': await scoped('admin:org', async () => {
        const res = await client.get(`${o}/actions/permissions`);
        const p = check(ActionsPermissions, res.body, 'Actions permissions');
        // With Actions turned off nothing runs, whatever allowed_actions would say.
        const effective = p.enabled_repositories === 'none' ? 'none (Actions disabled)' : p.allowed_actions;
        return [{ ...p, _allowed_actions: effective, _label: `${login} Actions` }];
      }),
      'github:actions/workflow': await scoped('admin:org', async () => {
        const res = await client.get(`${o}/actions/permissions/workflow`);
        return [
          {
            ...check(WorkflowPermissions, res.body, 'Actions workflow permissions'),
            _label: `${login} Actions`,
          },
        ];
      }),
      'github:hooks': await scoped('admin:org_hook', async () => {
        const hooks = await linkPaged(
          client,
          `${o}/hooks`,
          { per_page: 100 },
          z.array(Hook),
          'organisation webhooks',
        );
        return hooks.map(hookItem);
      }),
    };
    let repos: RepoBody[] = [];
    datasets['github:repos'] = await dataset(async () => {
      repos = await linkPaged(
        client,
        `${o}/repos`,
        { type: 'all', per_page: 100 },
        z.array(Repo),
        'repositories',
      );
      return repos.map((r) => ({ ...r, _label: r.full_name }));
    });
    const listed = datasets['github:repos'];
    datasets['github:repos/default-branch'] = listed?.ok
      ? { ok: true, items: await defaultBranches(client, repos) }
      : (listed ?? { ok: false, reason: 'repositories were not read' });
    return { datasets, requests: client.requests };
  },
};
