import { z } from 'zod';
import { type Dataset, type Datasets, type Gap, unseenItem } from '../../domain/rules.js';
import {
  check,
  dataset,
  linkPaged,
  linkPagedItems,
  type Malformed,
  ShapeError,
  unreadable,
} from '../datasets.js';
import {
  ConnectorError,
  HttpClient,
  header,
  retryAfterMs,
  type Vendor,
  type VendorError,
  waitUntilEpochSeconds,
} from '../http.js';
import { CONNECTOR_OPTIONS } from '../../domain/app-options.js';
import {
  BranchRule,
  type BypassRead,
  bypassOf,
  branchRulesItem,
  ClassicProtection,
  type ClassicRead,
  classicSettings,
  NOTHING,
  type RulesRead,
  rulesetSettings,
} from './branch-rules.js';
import { type CollectContext, type Connector, instanceOptions } from '../types.js';
import { owners, runnerGroups, secrets } from './org-reads.js';
import { repoDetails } from './repo-details.js';
import { branchActivity, GraphqlLimited, MAX_BRANCH_PAGES, STALE_BRANCH_DAYS } from './branch-activity.js';

/**
 * GitHub REST API (api.github.com, or `https://HOST/api/v3` for Enterprise Server): Bearer token,
 * the headers GitHub requires on every request, `page`/`per_page` paging through the `link` header,
 * and both of GitHub's rate limits (primary: remaining 0 until reset; secondary: retry-after).
 */

export const USER_AGENT = 'posture/0.1';
export const API_VERSION = '2022-11-28';
const SECONDARY_FLOOR_MS = 60_000;

/**
 * GitHub's error body. Its refusals carry no code, only a message ("Branch not protected"), which
 * is what a connector decides on; `code` is the code of the first validation error, if any.
 */
function readError(body: unknown): VendorError | undefined {
  if (typeof body === 'string') {
    const text = body.trim();
    // GitHub's edge answers some refusals in plain text; an HTML page says nothing useful.
    return text && !text.startsWith('<') ? { message: text, line: text } : undefined;
  }
  const b = body as { message?: unknown; errors?: unknown } | null;
  if (!b || typeof b.message !== 'string') return undefined;
  const first = Array.isArray(b.errors)
    ? (b.errors[0] as { message?: unknown; code?: unknown } | undefined)
    : undefined;
  const code = typeof first?.code === 'string' ? first.code : undefined;
  const detail = typeof first?.message === 'string' ? first.message : (code ?? '');
  return { message: b.message, code, line: detail ? `${b.message}: ${detail}` : b.message };
}

export const githubVendor: Vendor = {
  name: 'GitHub',
  headers: {
    accept: 'application/vnd.github+json',
    'user-agent': USER_AGENT,
    'x-github-api-version': API_VERSION,
  },
  readError,
  // As GitHub documents (and Octokit's throttling plugin does): only 403 and 429 can be limits.
  rateLimitWait(res, now) {
    if (res.status !== 403 && res.status !== 429) return undefined;
    const text = readError(res.body)?.line ?? '';
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
  is_verified: z.boolean().nullish(),
  members_can_create_teams: z.boolean().nullish(),
  members_can_delete_issues: z.boolean().nullish(),
  secret_scanning_enabled_for_new_repositories: z.boolean().nullish(),
  secret_scanning_push_protection_enabled_for_new_repositories: z.boolean().nullish(),
  public_repos: z.number().int().nonnegative().nullish(),
  total_private_repos: z.number().int().nonnegative().nullish(),
  owned_private_repos: z.number().int().nonnegative().nullish(),
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
  private: z.boolean(),
  visibility: z.string().optional(),
  archived: z.boolean(),
  default_branch: z.string().optional(),
  pushed_at: z.string().nullish(),
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
const Rules = z.array(BranchRule);
const CodeSecurityDefaults = z.array(
  z.looseObject({
    // `none` is what the PUT endpoint takes; a GET should not list it, but it would mean "nothing".
    default_for_new_repos: z.enum(['all', 'none', 'public', 'private_and_internal']),
    configuration: z
      .looseObject({
        id: z.number().optional(),
        name: z.string().optional(),
        secret_scanning: z.string().optional(),
        secret_scanning_push_protection: z.string().optional(),
      })
      .optional(),
  }),
);
type DefaultsBody = z.infer<typeof CodeSecurityDefaults>;

// The settings GitHub returns only to an organisation owner whose token has admin:org (`plan`
// is not one: GitHub Apps see it with the "Organization plan" permission).
const OWNER_FIELDS = [
  'two_factor_requirement_enabled',
  'default_repository_permission',
  'members_can_create_repositories',
] as const;

const OWNER = 'the organisation owner role';
const OWNER_OR_SECURITY_MANAGER = 'the organisation owner or security manager role';
const REPO_ADMIN = 'admin on the repository';
// Classic scopes that include read:org.
const READ_ORG = ['read:org', 'write:org', 'admin:org'];

/** A classic token's scopes from X-OAuth-Scopes; undefined for tokens without scopes (fine-grained, GitHub App). */
function scopeList(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}

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

const repoPath = (repo: RepoBody) =>
  `/repos/${encodeURIComponent(repo.owner.login)}/${encodeURIComponent(repo.name)}`;

/** One source read: the two settings of the default-branch dataset, and every setting of branch-rules. */
interface Read<T> {
  rules: BranchRules;
  read: T;
}

async function classicProtection(
  client: HttpClient,
  repo: RepoBody,
  branch: string,
): Promise<Read<ClassicRead> | undefined> {
  // Only repository admins may read classic protection; GitHub answers anyone else with a 404.
  if (repo.permissions && !repo.permissions.admin) return undefined;
  try {
    const res = await client.get(`${repoPath(repo)}/branches/${encodeURIComponent(branch)}/protection`);
    const p = check(ClassicProtection, res.body, `branch protection of ${repo.full_name}`);
    const settings = classicSettings(p);
    return {
      rules: {
        approvals: settings.required_approvals,
        forcePushBlocked: !(p.allow_force_pushes?.enabled ?? false),
      },
      read: { settings, adminsIncluded: p.enforce_admins?.enabled === true },
    };
  } catch (error) {
    // "Branch not protected" is an answer (unprotected); any other 404 or 403 is not. GitHub has
    // no code for it: its message, exactly, is the code.
    if (
      error instanceof ConnectorError &&
      error.kind === 'not_found' &&
      /^Branch not protected$/i.test(error.vendorMessage ?? '')
    )
      return { rules: NOT_PROTECTED, read: { settings: NOTHING } };
    if (unreadable(error)) return undefined;
    throw error;
  }
}

const Ruleset = z.looseObject({
  id: z.number(),
  source_type: z.string().optional(),
  bypass_actors: z
    .array(
      z.looseObject({
        actor_id: z.number().nullish(),
        actor_type: z.string().optional(),
        bypass_mode: z.string().optional(),
      }),
    )
    .optional(),
});

const BYPASS_GAP: Gap = {
  reason:
    "GitHub shows a ruleset's bypass list only to those who may edit the ruleset (repository admins; organisation owners for an organisation's rulesets)",
  missing: `${REPO_ADMIN} (${OWNER} for organisation rulesets)`,
};

/** Bypass lists already read this poll: an organisation's ruleset has one list for every repository. */
type BypassCache = Map<string, BypassRead | Gap>;

/**
 * Who may bypass the rulesets behind these rules: one GET per ruleset, an organisation's (or
 * enterprise's) ruleset read once per poll. Any list that cannot be read makes the whole a gap.
 */
async function bypassLists(
  client: HttpClient,
  repo: RepoBody,
  rules: readonly z.infer<typeof BranchRule>[],
  cache: BypassCache,
): Promise<BypassRead | Gap> {
  const ids = [...new Set(rules.map((r) => r.ruleset_id).filter((id): id is number => id !== undefined))];
  if (ids.length < new Set(rules.map((r) => r.ruleset_id)).size) return BYPASS_GAP;
  const actors: string[] = [];
  let admins = false;
  for (const id of ids) {
    const source = rules.find((r) => r.ruleset_id === id)?.ruleset_source_type ?? 'Repository';
    const key = source === 'Repository' ? `${repo.id}/${id}` : `${source}/${id}`;
    let read = cache.get(key);
    if (read === undefined) {
      try {
        const res = await client.get(`${repoPath(repo)}/rulesets/${id}`);
        const body = check(Ruleset, res.body, `ruleset ${id} of ${repo.full_name}`);
        read = body.bypass_actors ? bypassOf(body.bypass_actors) : BYPASS_GAP;
      } catch (error) {
        if (!unreadable(error)) throw error;
        read = BYPASS_GAP;
      }
      cache.set(key, read);
    }
    if ('reason' in read) return read;
    actors.push(...read.actors);
    admins ||= read.admins;
  }
  return { actors, admins };
}

async function rulesetRules(
  client: HttpClient,
  repo: RepoBody,
  branch: string,
  cache: BypassCache,
): Promise<Read<RulesRead> | undefined> {
  try {
    const rules = await linkPaged(
      client,
      `${repoPath(repo)}/rules/branches/${encodeURIComponent(branch)}`,
      { per_page: 100 },
      Rules,
      `rules for ${repo.full_name}`,
    );
    const approvals = rules
      .filter((r) => r.type === 'pull_request')
      .map((r) => r.parameters?.required_approving_review_count ?? 0);
    return {
      rules: {
        approvals: Math.max(0, ...approvals),
        forcePushBlocked: rules.some((r) => r.type === 'non_fast_forward'),
        ...(rules.length === 0 ? { none: true } : {}),
      },
      read: {
        settings: rulesetSettings(rules),
        count: rules.length,
        ...(rules.length > 0 ? { bypass: await bypassLists(client, repo, rules, cache) } : {}),
      },
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

const CLASSIC_GAP: Gap = {
  reason:
    'GitHub shows classic branch protection only to repository admins (it answers others with a 404), and the rulesets that apply do not settle it',
  missing: REPO_ADMIN,
};
const RULES_GAP: Gap = {
  reason:
    'GitHub did not return the rules that apply to the branch, and classic protection does not settle it',
};

/** One active repository's default branch: how it is protected, from both sources. */
async function defaultBranch(
  client: HttpClient,
  repo: RepoBody,
  branch: string,
  cache: BypassCache,
): Promise<{ protection: unknown; rules: unknown }> {
  const classicRead = await classicProtection(client, repo, branch);
  const classic = classicRead?.rules;
  const satisfied = classic !== undefined && classic.approvals >= 1 && classic.forcePushBlocked;
  // Both sources are read: the settings of the branch-rules dataset may come from either.
  const rulesRead = await rulesetRules(client, repo, branch, cache);
  // Classic protection that already does the job settles the two settings of this dataset alone.
  const rulesets = satisfied ? undefined : rulesRead?.rules;
  const combined = combineProtection(classic, rulesets);
  const rules = branchRulesItem(
    { id: repo.id, repo: repo.full_name, branch },
    classicRead?.read,
    rulesRead?.read,
    { classic: CLASSIC_GAP, rules: RULES_GAP },
  );
  const item = {
    id: repo.id,
    repo: repo.full_name,
    branch,
    ...combined,
    sources: satisfied
      ? sourceName(classic, 'branch protection')
      : `${sourceName(classic, 'branch protection')}; ${sourceName(rulesets, 'rulesets')}`,
  };
  const settled = combined.required_approvals !== undefined && combined.force_push_blocked !== undefined;
  // Not settled means a source could not be read: that repository is unseen, never "unprotected".
  return {
    protection: settled ? item : unseenItem(item, classic === undefined ? CLASSIC_GAP : RULES_GAP),
    rules,
  };
}

const BAD_NAME_GAP: Gap = {
  reason:
    'GitHub reported a repository or default branch name that is not valid Unicode text (a lone surrogate), so its protection cannot be asked for',
};

/**
 * One item per active repository in each of two datasets: how its default branch is protected
 * (approvals and force pushes), and each setting of the CIS GitHub Benchmark's branch rules. A
 * repository whose names cannot go into a URL, or whose protection GitHub answers in a shape
 * posture cannot read, is unseen on its own; the others are read as usual.
 */
async function defaultBranches(
  client: HttpClient,
  repos: RepoBody[],
  malformed: readonly Malformed[],
): Promise<{ protection: unknown[]; rules: unknown[] }> {
  const items: unknown[] = [];
  const ruleItems: unknown[] = [];
  const cache: BypassCache = new Map();
  const both = (item: unknown) => {
    items.push(item);
    ruleItems.push(item);
  };
  // One repository at a time: GitHub asks clients not to send concurrent requests.
  for (const repo of repos.filter((r) => !r.archived)) {
    const branch = repo.default_branch;
    if (!branch) {
      both({ id: repo.id, repo: repo.full_name, sources: 'no default branch reported' });
      continue;
    }
    const seen = { id: repo.id, repo: repo.full_name.toWellFormed(), branch: branch.toWellFormed() };
    // encodeURIComponent throws on a lone surrogate (JSON can carry one): nothing to ask GitHub.
    if (![branch, repo.owner.login, repo.name].every((s) => s.isWellFormed())) {
      both(unseenItem({ ...seen, sources: 'not read' }, BAD_NAME_GAP));
      continue;
    }
    try {
      const read = await defaultBranch(client, repo, branch, cache);
      items.push(read.protection);
      ruleItems.push(read.rules);
    } catch (error) {
      if (!(error instanceof ShapeError)) throw error;
      const reason = `GitHub answered about this repository's default branch in a shape posture cannot read (${error.message})`;
      both(unseenItem({ ...seen, sources: 'not read' }, { reason }));
    }
  }
  for (const bad of malformed) if (bad.raw.archived !== true) both(unseenRepo(bad, 'repo'));
  return { protection: items, rules: ruleItems };
}

/** Why the per-repository details are unknown on an instance that turned them off. */
export const REPO_DETAILS_OFF =
  "not read: this instance's option repoDetails=off (CODEOWNERS, SECURITY.md, administrators and code scanning cost up to six requests per repository)";

/**
 * One item per active repository: its CODEOWNERS file, security policy, administrators and code
 * scanning (repo-details.ts), up to six requests each, one repository at a time.
 */
async function repositoryDetails(
  client: HttpClient,
  repos: RepoBody[],
  malformed: readonly Malformed[],
): Promise<unknown[]> {
  const items: unknown[] = [];
  for (const repo of repos.filter((r) => !r.archived)) {
    if (![repo.owner.login, repo.name].every((s) => s.isWellFormed())) {
      items.push(unseenItem({ id: repo.id, repo: repo.full_name.toWellFormed() }, BAD_NAME_GAP));
      continue;
    }
    try {
      items.push(await repoDetails(client, repo));
    } catch (error) {
      if (!(error instanceof ShapeError)) throw error;
      const reason = `GitHub answered about this repository in a shape posture cannot read (${error.message})`;
      items.push(unseenItem({ id: repo.id, repo: repo.full_name }, { reason }));
    }
  }
  for (const bad of malformed) if (bad.raw.archived !== true) items.push(unseenRepo(bad, 'repo'));
  return items;
}

/** Why the branches are unknown on an instance that turned the per-repository details off. */
export const BRANCHES_OFF =
  "not read: this instance's option repoDetails=off (each repository's branches cost one GraphQL request per 100 branches)";

/**
 * One item per active repository: how many of its branches have had no commit for
 * STALE_BRANCH_DAYS (branch-activity.ts), one GraphQL request per 100 branches, one repository at a time.
 */
async function repositoryBranches(
  client: HttpClient,
  repos: RepoBody[],
  malformed: readonly Malformed[],
  now: number,
): Promise<unknown[]> {
  const items: unknown[] = [];
  let limited: GraphqlLimited | undefined;
  for (const repo of repos.filter((r) => !r.archived)) {
    const seen = { id: repo.id, repo: repo.full_name.toWellFormed() };
    if (limited) {
      items.push(unseenItem(seen, { reason: `not read: ${limited.message}` }));
      continue;
    }
    try {
      items.push(await branchActivity(client, repo, now));
    } catch (error) {
      if (error instanceof GraphqlLimited) {
        limited = error;
        items.push(unseenItem(seen, { reason: `not read: ${limited.message}` }));
      } else if (error instanceof ShapeError) {
        const reason = `GitHub answered about this repository's branches in a shape posture cannot read (${error.message})`;
        items.push(unseenItem(seen, { reason }));
      } else if (unreadable(error))
        items.push(
          unseenItem(seen, {
            reason: `GitHub's GraphQL API would not show this token the repository's branches (${error.message})`,
            missing: "read access to the repository, with a classic token's repo scope",
          }),
        );
      else throw error;
    }
  }
  for (const bad of malformed) if (bad.raw.archived !== true) items.push(unseenRepo(bad, 'repo'));
  return items;
}

/**
 * A repository GitHub listed in a shape posture cannot read: named by what of it can be read,
 * never judged. Unless it says it is archived it counts as active (the `where` of the repository
 * controls), so that it is reported as not judged rather than left out.
 */
function unseenRepo(bad: Malformed, labelKey: '_label' | 'repo'): Record<string, unknown> {
  const { id, full_name: fullName, name } = bad.raw;
  const label = typeof fullName === 'string' ? fullName : typeof name === 'string' ? name : `#${String(id)}`;
  return unseenItem(
    {
      ...(typeof id === 'number' ? { id } : {}),
      [labelKey]: label.toWellFormed(),
      archived: bad.raw.archived === true,
    },
    { reason: `GitHub listed this repository in a shape posture cannot read (${bad.issue})` },
  );
}

/** Read a dataset that needs a scope: 403/404 means the token lacks it (or, with it, the role). */
function scoped(
  scope: string,
  scopes: string[] | undefined,
  read: () => Promise<unknown[]>,
  role?: string,
): Promise<Dataset> {
  const hasScope = scopes?.includes(scope) ?? false;
  const missing = hasScope && role ? role : `the ${scope} scope`;
  return dataset(read, {
    why: (e) =>
      unreadable(e) ? { reason: `the token may not read this: it needs ${missing}`, missing } : undefined,
  });
}

function orgDataset(org: OrgBody, scopes: string[] | undefined): Dataset {
  if (OWNER_FIELDS.some((k) => org[k] !== undefined && org[k] !== null))
    return { ok: true, items: [{ ...org, _label: org.login }] };
  const lacksScope = scopes !== undefined && !scopes.includes('admin:org');
  return {
    ok: false,
    reason: `GitHub shows the organisation's settings only to owners whose token has the admin:org scope${
      scopes === undefined ? '' : ` (this token's scopes: ${scopes.join(', ') || 'none'})`
    }`,
    missing: lacksScope ? 'the admin:org scope, as an organisation owner' : OWNER,
  };
}

// The kinds of new repository a default configuration is set for, and what each value covers.
const NEW_REPOS = [
  { id: 'public', label: 'new public repositories' },
  { id: 'private_and_internal', label: 'new private and internal repositories' },
] as const;
const COVERS: Record<DefaultsBody[number]['default_for_new_repos'], readonly string[]> = {
  all: ['public', 'private_and_internal'],
  public: ['public'],
  private_and_internal: ['private_and_internal'],
  none: [],
};
type Feature = 'secret_scanning' | 'secret_scanning_push_protection';

/** "enabled" only when every default configuration for these repositories enables it. */
function featureOf(covering: DefaultsBody, feature: Feature): string {
  if (covering.length === 0) return 'no default configuration';
  // Enterprise Server returns a status only for installed security products.
  const values = covering.map((d) => d.configuration?.[feature] ?? 'not returned (product not installed)');
  return values.find((v) => v !== 'enabled') ?? 'enabled';
}

/**
 * One item per kind of new repository (public; private and internal): the default code security
 * configuration GitHub applies to it, and whether that turns secret scanning and push protection on.
 */
export function newRepositoryDefaults(defaults: DefaultsBody): unknown[] {
  return NEW_REPOS.map((kind) => {
    const covering = defaults.filter((d) => COVERS[d.default_for_new_repos].includes(kind.id));
    const names = covering.map((d) => d.configuration?.name ?? `#${d.configuration?.id ?? '?'}`);
    return {
      _id: kind.id,
      _label: kind.label,
      configuration: names.join(', ') || 'none',
      secret_scanning: featureOf(covering, 'secret_scanning'),
      secret_scanning_push_protection: featureOf(covering, 'secret_scanning_push_protection'),
    };
  });
}

/**
 * GitHub Enterprise Server serves code security configurations from 3.15 on (GitHub's changelog
 * of 2024-06-20 and the 3.15 REST docs; the 3.17-3.19 descriptions in @octokit/openapi list them).
 */
const FIRST_GHES_WITH_CONFIGURATIONS = [3, 15] as const;

export function ghesWithoutConfigurations(version: string | undefined): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version ?? '');
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  const [first, firstMinor] = FIRST_GHES_WITH_CONFIGURATIONS;
  return major < first || (major === first && minor < firstMinor);
}

/** An old Enterprise Server's only source: the organisation fields GitHub now marks as closing down. */
function legacyDefaults(org: OrgBody, version: string): Dataset {
  const status = (v: boolean | null | undefined) =>
    typeof v === 'boolean' ? (v ? 'enabled' : 'disabled') : undefined;
  const scanning = status(org.secret_scanning_enabled_for_new_repositories);
  const push = status(org.secret_scanning_push_protection_enabled_for_new_repositories);
  if (scanning === undefined && push === undefined)
    return {
      ok: false,
      reason: `GitHub Enterprise Server ${version} has no code security configurations, and shows the organisation's settings for new repositories only to owners and security managers`,
      missing: OWNER_OR_SECURITY_MANAGER,
    };
  return {
    ok: true,
    items: [
      {
        _id: 'organisation',
        _label: 'new repositories (organisation setting)',
        configuration: `none: GitHub Enterprise Server ${version} predates code security configurations`,
        ...(scanning ? { secret_scanning: scanning } : {}),
        ...(push ? { secret_scanning_push_protection: push } : {}),
      },
    ],
  };
}

async function codeSecurityDefaults(
  client: HttpClient,
  o: string,
  org: OrgBody,
  ghes: string | undefined,
  scopes: string[] | undefined,
): Promise<Dataset> {
  try {
    const res = await client.get(`${o}/code-security/configurations/defaults`);
    const defaults = check(CodeSecurityDefaults, res.body, 'default code security configurations');
    return { ok: true, items: newRepositoryDefaults(defaults) };
  } catch (error) {
    // Only an Enterprise Server that predates the endpoint may fall back: elsewhere a 404 is a refusal.
    if (
      error instanceof ConnectorError &&
      error.kind === 'not_found' &&
      ghes &&
      ghesWithoutConfigurations(ghes)
    )
      return legacyDefaults(org, ghes);
    if (!unreadable(error)) throw error;
    // GitHub's description names read:org for classic tokens (api.github.com; not stated for Enterprise Server).
    const lacksScope =
      ghes === undefined && scopes !== undefined && !scopes.some((s) => READ_ORG.includes(s));
    const missing = lacksScope ? 'the read:org scope' : OWNER_OR_SECURITY_MANAGER;
    return {
      ok: false,
      reason: `GitHub shows default code security configurations only to organisation owners and security managers${
        lacksScope ? ' whose token has the read:org scope' : ''
      } (${error.message})`,
      missing,
    };
  }
}

const SECURITY_AND_ANALYSIS_GAP: Gap = {
  reason:
    'GitHub shows security_and_analysis only to repository admins and organisation owners or security managers',
  missing: `${REPO_ADMIN}, or ${OWNER_OR_SECURITY_MANAGER}`,
};

const DAY_MS = 86_400_000;

function repoItem(r: RepoBody, now: number): unknown {
  // Days since the last push to any branch (pushed_at), for the inactive-repository control.
  const pushed = r.pushed_at ? Date.parse(r.pushed_at) : Number.NaN;
  const item = {
    ...r,
    _label: r.full_name,
    ...(Number.isNaN(pushed) ? {} : { _days_since_push: Math.max(0, Math.floor((now - pushed) / DAY_MS)) }),
  };
  // Absent for a non-admin because GitHub hides it, not because the features are off.
  return r.security_and_analysis == null && r.permissions?.admin === false
    ? unseenItem(item, SECURITY_AND_ANALYSIS_GAP)
    : item;
}

/**
 * Whether the listing may lack repositories: the organisation's own counts (public_repos, and
 * total_private_repos where this token sees it) say more exist than were listed, or a classic
 * token without the repo scope, which lists public repositories only.
 */
export function listingGap(org: OrgBody, repos: RepoBody[], scopes: string[] | undefined): Gap | undefined {
  const isPublic = (r: RepoBody) => (r.visibility ? r.visibility === 'public' : !r.private);
  const listedPublic = repos.filter(isPublic).length;
  const privateCount = org.total_private_repos ?? org.owned_private_repos;
  const missedPublic = Math.max(0, (org.public_repos ?? 0) - listedPublic);
  const missedPrivate =
    privateCount === undefined || privateCount === null
      ? 0
      : Math.max(0, privateCount - (repos.length - listedPublic));
  const noRepoScope = scopes !== undefined && !scopes.includes('repo');
  if (missedPublic + missedPrivate > 0)
    return {
      reason: `GitHub counts ${missedPublic + missedPrivate} more repositories in the organisation than it listed to this token`,
      missing:
        noRepoScope && missedPrivate > 0
          ? 'the repo scope'
          : 'read access to every repository of the organisation',
    };
  if ((privateCount === undefined || privateCount === null) && noRepoScope)
    return {
      reason: 'a classic token without the repo scope lists public repositories only',
      missing: 'the repo scope',
    };
  return undefined;
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
  secretLabel: 'personal access token of an organisation owner (classic: admin:org, admin:org_hook and repo)',
  options: CONNECTOR_OPTIONS.github,
  // From GitHub's REST description (@octokit/openapi): each operation's text names the role and scope.
  rights: {
    'github:org': `${OWNER}, with a classic token's admin:org scope`,
    'github:code-security/defaults': `${OWNER_OR_SECURITY_MANAGER}, with a classic token's read:org scope`,
    'github:actions/permissions': "a classic token's admin:org scope",
    'github:actions/workflow': "a classic token's admin:org scope",
    'github:hooks': `${OWNER}, with a classic token's admin:org_hook scope`,
    'github:repos': `read access to every repository (a classic token's repo scope); to see security_and_analysis, admin on each repository or ${OWNER_OR_SECURITY_MANAGER}`,
    'github:repos/default-branch':
      "admin on each repository (classic branch protection), with a classic token's repo scope",
    'github:repos/branch-rules':
      "admin on each repository (classic branch protection and ruleset bypass lists), with a classic token's repo scope",
    'github:repos/details':
      "write access to each repository (its administrators), with a classic token's repo scope",
    'github:repos/branches': `read access to each repository (its branches, through the GraphQL API), with a classic token's repo scope; at most ${MAX_BRANCH_PAGES * 100} branches per repository, stale after ${STALE_BRANCH_DAYS} days`,
    'github:owners': "membership of the organisation, with a classic token's read:org scope",
    'github:runner-groups': `${OWNER}, with a classic token's admin:org scope`,
    'github:actions/secrets': `${OWNER}, with a classic token's admin:org scope`,
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
          error,
        );
      throw error;
    }
    const org = check(Org, orgRes.body, 'organisation');
    const scopes = scopeList(header(orgRes.headers, 'x-oauth-scopes'));
    // Enterprise Server names its version on every API reply.
    const ghes = header(orgRes.headers, 'x-github-enterprise-version');

    const datasets: Datasets = {
      'github:org': orgDataset(org, scopes),
      'github:code-security/defaults': await codeSecurityDefaults(client, o, org, ghes, scopes),
      'github:actions/permissions': await scoped('admin:org', scopes, async () => {
        const res = await client.get(`${o}/actions/permissions`);
        const p = check(ActionsPermissions, res.body, 'Actions permissions');
        // With Actions turned off nothing runs, whatever allowed_actions would say.
        const effective = p.enabled_repositories === 'none' ? 'none (Actions disabled)' : p.allowed_actions;
        return [{ ...p, _allowed_actions: effective, _id: org.id, _label: `${login} Actions` }];
      }),
      'github:actions/workflow': await scoped('admin:org', scopes, async () => {
        const res = await client.get(`${o}/actions/permissions/workflow`);
        return [
          {
            ...check(WorkflowPermissions, res.body, 'Actions workflow permissions'),
            _id: org.id,
            _label: `${login} Actions`,
          },
        ];
      }),
      'github:hooks': await scoped(
        'admin:org_hook',
        scopes,
        async () => {
          const hooks = await linkPaged(
            client,
            `${o}/hooks`,
            { per_page: 100 },
            z.array(Hook),
            'organisation webhooks',
          );
          return hooks.map(hookItem);
        },
        OWNER,
      ),
      'github:owners': await owners(client, o, org, scopes),
      'github:runner-groups': await runnerGroups(client, o, scopes),
      'github:actions/secrets': await secrets(client, o, scopes, ctx.clock.now()),
    };
    let repos: RepoBody[] = [];
    let malformed: Malformed[] = [];
    const listed = await dataset(async () => {
      // Item by item: one repository with a field of the wrong type leaves only itself unseen.
      ({ items: repos, malformed } = await linkPagedItems(
        client,
        `${o}/repos`,
        { type: 'all', per_page: 100 },
        Repo,
        'repositories',
      ));
      const now = ctx.clock.now();
      return [...repos.map((r) => repoItem(r, now)), ...malformed.map((bad) => unseenRepo(bad, '_label'))];
    });
    datasets['github:repos'] = listed;
    if (listed.ok) {
      const hidden = listingGap(org, repos, scopes);
      if (hidden) listed.hidden = hidden;
      const branches = await defaultBranches(client, repos, malformed);
      datasets['github:repos/default-branch'] = {
        ok: true,
        items: branches.protection,
        ...(hidden ? { hidden } : {}),
      };
      datasets['github:repos/branch-rules'] = {
        ok: true,
        items: branches.rules,
        ...(hidden ? { hidden } : {}),
      };
      datasets['github:repos/details'] =
        ctx.instance.options.repoDetails === 'off'
          ? { ok: false, reason: REPO_DETAILS_OFF }
          : {
              ok: true,
              items: await repositoryDetails(client, repos, malformed),
              ...(hidden ? { hidden } : {}),
            };
      datasets['github:repos/branches'] =
        ctx.instance.options.repoDetails === 'off'
          ? { ok: false, reason: BRANCHES_OFF }
          : {
              ok: true,
              items: await repositoryBranches(client, repos, malformed, ctx.clock.now()),
              ...(hidden ? { hidden } : {}),
            };
    } else {
      datasets['github:repos/default-branch'] = listed;
      datasets['github:repos/branch-rules'] = listed;
      datasets['github:repos/details'] = listed;
      datasets['github:repos/branches'] = listed;
    }
    return { datasets, requests: client.requests };
  },
};
