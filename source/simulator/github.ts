import contoso from '../../data/demo/github-contoso.json' with { type: 'json' };
import labs from '../../data/demo/github-contoso-labs.json' with { type: 'json' };
import { graphql } from './github-graphql.js';
import { pageLimit } from './paging.js';
import { idBytes } from './random.js';
import type { DemoTenant, SimReply, SimRequest, Tenant, VendorSim } from './types.js';

/**
 * The GitHub REST API endpoints the connector reads, as GitHub speaks them: a User-Agent is
 * required, `Authorization: Bearer|token`, classic-token scopes decide what a token sees,
 * `{message, documentation_url, status}` error bodies with `status` as a string, `page`/`per_page`
 * paging with one `link` header (prev, next, last, first), and x-ratelimit-* on every API reply.
 *
 * Tenant data, in GitHub's wire format: `org` (the full owner view), `actions.permissions`,
 * `actions.workflow`, `hooks`, `repos`, `codeSecurity` (`configurations`, and `defaults` as
 * `{default_for_new_repos, configuration_id}`), `scopes` (the token's classic scopes), `user` and
 * `role` (the user's role in the organisation: owner by default, member or security_manager).
 * Repository keys starting with `_` are the simulator's own and never sent: `_protection` is the
 * default branch's classic protection, `_rules` the ruleset rules that apply to it, `_noAccess`
 * a repository the user has no access to (only an owner lists it).
 * `enterpriseServer` (a version) serves the tenant as GitHub Enterprise Server under `/api/v3`;
 * before 3.15 it has no code security configurations.
 * Also: `members` (`_role` admin for owners, `_public` for public membership), `runnerGroups`,
 * `secrets` (Actions secrets), `rulesetBypass` (ruleset id → bypass actors); per repository
 * `_files` (paths on the default branch), `_codeownersErrors`, `_admins` (logins with the admin
 * role), `_analyses` (code scanning analysis dates, newest first) and `_codeScanning: 'unavailable'`.
 * `_branches` lists a repository's branches for GraphQL (github-graphql.ts); `graphqlLimit` is the
 * GraphQL primary limit (points per hour, one per request here), counted apart from REST's.
 * `throttle` shapes an injected rate limit: `{status: 403|429, secondary?: true, retryAfter?: false}`.
 */

interface GhRepo {
  id: number;
  name: string;
  owner: { login: string };
  visibility?: string;
  default_branch?: string;
  permissions?: { admin?: boolean };
  _protection?: Record<string, unknown>;
  _rules?: unknown[];
  _noAccess?: boolean;
  _files?: string[];
  _codeownersErrors?: unknown[];
  _admins?: string[];
  _analyses?: string[];
  _codeScanning?: 'unavailable';
  _branches?: { name: string; committedDate?: string; target?: 'tag' }[];
  [k: string]: unknown;
}

interface GhConfiguration {
  id: number;
  target_type?: string;
  [k: string]: unknown;
}

interface GhData {
  org?: { login: string; id: number; [k: string]: unknown };
  actions?: { permissions?: unknown; workflow?: unknown };
  hooks?: { id: number; [k: string]: unknown }[];
  repos?: GhRepo[];
  codeSecurity?: {
    configurations?: GhConfiguration[];
    defaults?: { default_for_new_repos: string; configuration_id: number }[];
  };
  scopes?: string[];
  members?: { login: string; id: number; _role?: 'admin' | 'member'; _public?: boolean }[];
  runnerGroups?: Record<string, unknown>[];
  secrets?: Record<string, unknown>[];
  rulesetBypass?: Record<string, unknown[]>;
  user?: { login: string; id: number };
  role?: 'owner' | 'member' | 'security_manager';
  rateLimit?: number;
  graphqlLimit?: number;
  enterpriseServer?: string;
  throttle?: { status?: 403 | 429; secondary?: boolean; retryAfter?: boolean };
}

const DOCS = 'https://docs.github.com/rest';
const RATE_DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';
const DEFAULT_VERSION = '2022-11-28';
const API_VERSIONS = [DEFAULT_VERSION, '2026-03-10'];
const DEFAULT_LIMIT = 5000;

// GitHub's edge answers this one in plain text, before the API (so without API headers).
const USER_AGENT_REFUSAL =
  'Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.\n';

// What anyone may see of an organisation; the rest needs an owner's token with admin:org.
const PUBLIC_ORG_FIELDS = new Set([
  'login',
  'id',
  'node_id',
  'url',
  'repos_url',
  'events_url',
  'hooks_url',
  'issues_url',
  'members_url',
  'public_members_url',
  'avatar_url',
  'description',
  'name',
  'company',
  'blog',
  'location',
  'email',
  'twitter_username',
  'is_verified',
  'has_organization_projects',
  'has_repository_projects',
  'public_repos',
  'public_gists',
  'followers',
  'following',
  'html_url',
  'created_at',
  'updated_at',
  'archived_at',
  'type',
]);

// "Only visible to organization owners or members of a team with the security manager role"
// (GitHub's description of organization-full).
const SECURITY_MANAGER_ORG_FIELDS = [
  'advanced_security_enabled_for_new_repositories',
  'dependabot_alerts_enabled_for_new_repositories',
  'dependabot_security_updates_enabled_for_new_repositories',
  'dependency_graph_enabled_for_new_repositories',
  'secret_scanning_enabled_for_new_repositories',
  'secret_scanning_push_protection_enabled_for_new_repositories',
];

const dataOf = (t: Tenant) => t.data as GhData;
const roleOf = (req: SimRequest) => dataOf(req.tenant).role ?? 'owner';
const isOwner = (req: SimRequest) => roleOf(req) === 'owner';
const isSecurityReader = (req: SimRequest) => isOwner(req) || roleOf(req) === 'security_manager';

/** Requests counted per tenant in the current hour, as GitHub's primary ("core") limit does. */
const usage = new WeakMap<Tenant, { used: number; reset: number }>();
/** GraphQL's primary limit is its own (x-ratelimit-resource: graphql). */
const graphqlUsage = new WeakMap<Tenant, { used: number; reset: number }>();

function meter(
  tenant: Tenant,
  count: boolean,
  resource: 'core' | 'graphql' = 'core',
): { limit: number; used: number; reset: number } {
  const now = Math.floor(Date.now() / 1000);
  const table = resource === 'core' ? usage : graphqlUsage;
  let u = table.get(tenant);
  if (!u || u.reset <= now) {
    u = { used: 0, reset: now + 3600 };
    table.set(tenant, u);
  }
  if (count) u.used++;
  const d = dataOf(tenant);
  const limit = (resource === 'core' ? d.rateLimit : d.graphqlLimit) ?? DEFAULT_LIMIT;
  return { limit, used: u.used, reset: u.reset };
}

function requestId(): string {
  const hex = (n: number) => idBytes(n).toString('hex').toUpperCase();
  return `${hex(2)}:${hex(3)}:${hex(4)}:${hex(4)}:${hex(4)}`;
}

function apiHeaders(req: SimRequest, resource: 'core' | 'graphql' = 'core'): Record<string, string> {
  const m = meter(req.tenant, false, resource);
  const headers: Record<string, string> = {
    'x-ratelimit-limit': String(m.limit),
    'x-ratelimit-remaining': String(Math.max(0, m.limit - m.used)),
    'x-ratelimit-reset': String(m.reset),
    'x-ratelimit-used': String(Math.min(m.used, m.limit)),
    'x-ratelimit-resource': resource,
    'x-github-media-type': 'github.v3; format=json',
    'x-github-api-version-selected': selectedVersion(req) ?? DEFAULT_VERSION,
    'x-github-request-id': requestId(),
  };
  const scopes = dataOf(req.tenant).scopes;
  if (scopes && authorized(req)) headers['x-oauth-scopes'] = scopes.join(', ');
  const version = dataOf(req.tenant).enterpriseServer;
  if (version) headers['x-github-enterprise-version'] = version;
  return headers;
}

function selectedVersion(req: SimRequest): string | undefined {
  const v = req.headers['x-github-api-version'];
  return typeof v === 'string' && API_VERSIONS.includes(v) ? v : undefined;
}

function tokenOf(req: SimRequest): string | undefined {
  const m = /^(?:bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

const authorized = (req: SimRequest) => tokenOf(req) === req.tenant.token;

function fail(
  req: SimRequest,
  status: number,
  message: string,
  documentation = DOCS,
  headers: Record<string, string> = {},
): SimReply {
  return {
    status,
    headers: { ...apiHeaders(req), ...headers },
    body: { message, documentation_url: documentation, status: String(status) },
  };
}

const notFound = (req: SimRequest, docs = DOCS, headers: Record<string, string> = {}) =>
  fail(req, 404, 'Not Found', docs, headers);

/** Strip the simulator's own `_` keys before anything goes on the wire. */
function wire<T extends Record<string, unknown>>(item: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !k.startsWith('_')));
}

function ok(req: SimRequest, body: unknown, headers: Record<string, string> = {}): SimReply {
  return { status: 200, headers: { ...apiHeaders(req), ...headers }, body };
}

/** GitHub's page/per_page paging: one `link` header with prev, next, last and first. */
function paged(
  req: SimRequest,
  prefix: string,
  linkPath: string,
  items: readonly unknown[],
  headers: Record<string, string> = {},
): SimReply {
  const per = pageLimit(req.query, 30, Math.min(100, req.tenant.pageSize ?? 100));
  const asked = Number.parseInt(req.query.get('page') ?? '1', 10);
  const page = Number.isInteger(asked) && asked > 0 ? asked : 1;
  const last = Math.max(1, Math.ceil(items.length / per));
  const reply = ok(req, items.slice((page - 1) * per, page * per), headers);
  if (last > 1) {
    const at = (p: number) => {
      const u = new URL(req.base + prefix + linkPath);
      for (const [k, v] of req.query) if (k !== 'page') u.searchParams.append(k, v);
      u.searchParams.set('page', String(p));
      return u.href;
    };
    const links: string[] = [];
    if (page > 1) links.push(`<${at(Math.min(page - 1, last))}>; rel="prev"`);
    if (page < last) links.push(`<${at(page + 1)}>; rel="next"`, `<${at(last)}>; rel="last"`);
    if (page > 1) links.push(`<${at(1)}>; rel="first"`);
    reply.headers = { ...reply.headers, link: links.join(', ') };
  }
  return reply;
}

/** GitHub's cursor paging (`before`/`after` from the `link` header); cursors are opaque strings. */
function cursorPaged(req: SimRequest, prefix: string, linkPath: string, items: readonly unknown[]): SimReply {
  const per = pageLimit(req.query, 30, 100);
  const at = (cursor: string | null) => {
    const n = Number(
      Buffer.from(cursor ?? '', 'base64')
        .toString()
        .replace(/^cursor:/, ''),
    );
    return Number.isInteger(n) && n >= 0 ? n : 0;
  };
  const start = req.query.has('after') ? at(req.query.get('after')) : 0;
  const reply = ok(req, items.slice(start, start + per));
  if (start + per < items.length) {
    const u = new URL(req.base + prefix + linkPath);
    for (const [k, v] of req.query) if (k !== 'after' && k !== 'before') u.searchParams.append(k, v);
    u.searchParams.set('after', Buffer.from(`cursor:${start + per}`).toString('base64'));
    reply.headers = { ...reply.headers, link: `<${u.href}>; rel="next"` };
  }
  return reply;
}

function primaryLimited(req: SimRequest, status: number, resetSeconds: number): SimReply {
  const d = dataOf(req.tenant);
  const limit = d.rateLimit ?? DEFAULT_LIMIT;
  const rid = requestId();
  const when = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
  return {
    status,
    headers: {
      ...apiHeaders(req),
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': '0',
      'x-ratelimit-used': String(limit),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + resetSeconds),
      'x-github-request-id': rid,
    },
    body: {
      message: `API rate limit exceeded for user ID ${d.user?.id ?? 1}. If you reach out to GitHub Support for help, please include the request ID ${rid} and timestamp ${when}.`,
      documentation_url: RATE_DOCS,
      status: String(status),
    },
  };
}

function secondaryLimited(req: SimRequest, status: number, retryAfter?: number): SimReply {
  const rid = requestId();
  return {
    status,
    headers: {
      ...apiHeaders(req),
      'x-github-request-id': rid,
      ...(retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }),
    },
    body: {
      message: `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${rid}.`,
      documentation_url: `${RATE_DOCS}#about-secondary-rate-limits`,
      status: String(status),
    },
  };
}

const hasScope = (req: SimRequest, scope: string) => (dataOf(req.tenant).scopes ?? []).includes(scope);
// Classic scopes include the ones below them: admin:org > write:org > read:org.
const canReadOrg = (req: SimRequest) => ['read:org', 'write:org', 'admin:org'].some((s) => hasScope(req, s));

/** GitHub Enterprise Server before 3.15 has no code security configurations (GitHub's changelog). */
function hasConfigurations(req: SimRequest): boolean {
  const m = /^(\d+)\.(\d+)/.exec(dataOf(req.tenant).enterpriseServer ?? '');
  if (!m) return true;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 3 || (major === 3 && minor >= 15);
}

function findOrg(req: SimRequest, login: string) {
  const org = dataOf(req.tenant).org;
  return org && org.login.toLowerCase() === login.toLowerCase() ? org : undefined;
}

function visibleRepos(req: SimRequest): GhRepo[] {
  // Without the repo scope a classic token sees public repositories only; a member sees only
  // the private repositories they have access to.
  const all = dataOf(req.tenant).repos ?? [];
  return all.filter(
    (r) => r.visibility === 'public' || (hasScope(req, 'repo') && (isOwner(req) || !r._noAccess)),
  );
}

// The URL templates GitHub puts on every repository and user, after their `url`.
const REPO_URLS: [string, string][] = [
  ['archive_url', '/{archive_format}{/ref}'],
  ['assignees_url', '/assignees{/user}'],
  ['blobs_url', '/git/blobs{/sha}'],
  ['branches_url', '/branches{/branch}'],
  ['collaborators_url', '/collaborators{/collaborator}'],
  ['comments_url', '/comments{/number}'],
  ['commits_url', '/commits{/sha}'],
  ['compare_url', '/compare/{base}...{head}'],
  ['contents_url', '/contents/{+path}'],
  ['contributors_url', '/contributors'],
  ['deployments_url', '/deployments'],
  ['downloads_url', '/downloads'],
  ['events_url', '/events'],
  ['forks_url', '/forks'],
  ['git_commits_url', '/git/commits{/sha}'],
  ['git_refs_url', '/git/refs{/sha}'],
  ['git_tags_url', '/git/tags{/sha}'],
  ['hooks_url', '/hooks'],
  ['issue_comment_url', '/issues/comments{/number}'],
  ['issue_events_url', '/issues/events{/number}'],
  ['issues_url', '/issues{/number}'],
  ['keys_url', '/keys{/key_id}'],
  ['labels_url', '/labels{/name}'],
  ['languages_url', '/languages'],
  ['merges_url', '/merges'],
  ['milestones_url', '/milestones{/number}'],
  ['notifications_url', '/notifications{?since,all,participating}'],
  ['pulls_url', '/pulls{/number}'],
  ['releases_url', '/releases{/id}'],
  ['stargazers_url', '/stargazers'],
  ['statuses_url', '/statuses/{sha}'],
  ['subscribers_url', '/subscribers'],
  ['subscription_url', '/subscription'],
  ['tags_url', '/tags'],
  ['teams_url', '/teams'],
  ['trees_url', '/git/trees{/sha}'],
];
const USER_URLS: [string, string][] = [
  ['events_url', '/events{/privacy}'],
  ['followers_url', '/followers'],
  ['following_url', '/following{/other_user}'],
  ['gists_url', '/gists{/gist_id}'],
  ['organizations_url', '/orgs'],
  ['received_events_url', '/received_events'],
  ['repos_url', '/repos'],
  ['starred_url', '/starred{/owner}{/repo}'],
  ['subscriptions_url', '/subscriptions'],
];
const withUrls = (item: Record<string, unknown>, urls: [string, string][]) =>
  typeof item.url === 'string'
    ? { ...Object.fromEntries(urls.map(([k, suffix]) => [k, `${String(item.url)}${suffix}`])), ...item }
    : item;

function repoView(req: SimRequest, r: GhRepo): Record<string, unknown> {
  const owner = r.owner as Record<string, unknown>;
  const out = withUrls(wire(r), REPO_URLS);
  out.owner = {
    avatar_url: `https://avatars.githubusercontent.com/u/${String(owner.id)}?v=4`,
    gravatar_id: '',
    ...withUrls(owner, USER_URLS),
  };
  // GitHub shows security_and_analysis only to repository admins and org owners or security managers.
  if (!r.permissions?.admin && !isSecurityReader(req)) delete out.security_and_analysis;
  return out;
}

/** An organisation's configurations, or why GitHub would not show them. */
function configurations(req: SimRequest, login: string): GhConfiguration[] | SimReply {
  const docs = `${DOCS}/code-security/configurations`;
  if (!findOrg(req, login)) return notFound(req, docs);
  // Scope first, then role; the texts are the simulator's (GitHub documents only 403 and 404).
  if (!canReadOrg(req)) return fail(req, 403, 'Resource not accessible by personal access token', docs);
  if (!isSecurityReader(req)) return notFound(req, docs);
  return dataOf(req.tenant).codeSecurity?.configurations ?? [];
}

function seg(s: string | undefined): string {
  try {
    return decodeURIComponent(s ?? '');
  } catch {
    return s ?? '';
  }
}

type Handler = (req: SimRequest, m: RegExpExecArray, prefix: string) => SimReply;

const ROUTES: [RegExp, Handler][] = [
  [
    /^\/orgs\/([^/]+)$/,
    (req, m) => {
      const org = findOrg(req, seg(m[1]));
      if (!org) return notFound(req, `${DOCS}/orgs/orgs#get-an-organization`);
      const full = wire(org);
      const shown = (k: string) =>
        PUBLIC_ORG_FIELDS.has(k) ||
        (isSecurityReader(req) && canReadOrg(req) && SECURITY_MANAGER_ORG_FIELDS.includes(k));
      const body =
        isOwner(req) && hasScope(req, 'admin:org')
          ? full
          : Object.fromEntries(Object.entries(full).filter(([k]) => shown(k)));
      return ok(req, body, { 'x-accepted-oauth-scopes': 'admin:org, read:org, repo, user, write:org' });
    },
  ],
  [
    /^\/orgs\/([^/]+)\/actions\/permissions(\/workflow)?$/,
    (req, m) => {
      const actions = dataOf(req.tenant).actions;
      const docs = `${DOCS}/actions/permissions`;
      const accepted = { 'x-accepted-oauth-scopes': 'admin:org' };
      if (!findOrg(req, seg(m[1]))) return notFound(req, docs, accepted);
      // Observed: this endpoint answers 403 (not 404) when the token lacks admin:org.
      if (!hasScope(req, 'admin:org'))
        return fail(req, 403, 'Resource not accessible by personal access token', docs, accepted);
      const body = m[2] ? actions?.workflow : actions?.permissions;
      return body ? ok(req, body, accepted) : notFound(req, docs, accepted);
    },
  ],
  [
    /^\/orgs\/([^/]+)\/hooks$/,
    (req, m, prefix) => {
      const org = findOrg(req, seg(m[1]));
      const accepted = { 'x-accepted-oauth-scopes': 'admin:org_hook' };
      // Hooks hide behind a 404 when the token lacks admin:org_hook.
      if (!org || !hasScope(req, 'admin:org_hook'))
        return notFound(req, `${DOCS}/orgs/webhooks#list-organization-webhooks`, accepted);
      const self = `${req.base}${prefix}/orgs/${org.login}/hooks`;
      const hooks = (dataOf(req.tenant).hooks ?? []).map((h) => ({
        ...h,
        url: `${self}/${h.id}`,
        ping_url: `${self}/${h.id}/pings`,
        deliveries_url: `${self}/${h.id}/deliveries`,
      }));
      return paged(req, prefix, `/orgs/${org.login}/hooks`, hooks, accepted);
    },
  ],
  [
    // GitHub's links for an organisation's repositories use its numeric id.
    /^\/(orgs|organizations)\/([^/]+)\/repos$/,
    (req, m, prefix) => {
      const org =
        m[1] === 'orgs'
          ? findOrg(req, seg(m[2]))
          : dataOf(req.tenant).org?.id === Number(m[2])
            ? dataOf(req.tenant).org
            : undefined;
      if (!org) return notFound(req, `${DOCS}/repos/repos#list-organization-repositories`);
      return paged(
        req,
        prefix,
        `/organizations/${org.id}/repos`,
        visibleRepos(req).map((r) => repoView(req, r)),
      );
    },
  ],
  [
    /^\/orgs\/([^/]+)\/code-security\/configurations(\/defaults)?$/,
    (req, m, prefix) => {
      if (!hasConfigurations(req)) return notFound(req);
      const all = configurations(req, seg(m[1]));
      if (!Array.isArray(all)) return all;
      if (m[2]) {
        const byId = new Map(all.map((c) => [c.id, c]));
        const defaults = (dataOf(req.tenant).codeSecurity?.defaults ?? []).flatMap((d) => {
          const configuration = byId.get(d.configuration_id);
          return configuration ? [{ default_for_new_repos: d.default_for_new_repos, configuration }] : [];
        });
        return ok(req, defaults);
      }
      const target = req.query.get('target_type') ?? 'all';
      const listed = target === 'global' ? all.filter((c) => c.target_type === 'global') : all;
      return cursorPaged(req, prefix, `/orgs/${seg(m[1])}/code-security/configurations`, listed);
    },
  ],
  [
    /^\/repos\/([^/]+)\/([^/]+)\/branches\/([^/]+)\/protection$/,
    (req, m, prefix) => {
      const repo = findRepo(req, seg(m[1]), seg(m[2]));
      const docs = `${DOCS}/branches/branch-protection#get-branch-protection`;
      // Only repository admins may read classic protection; others get a plain 404.
      if (!repo?.permissions?.admin) return notFound(req, docs);
      const branch = seg(m[3]);
      if (branch !== repo.default_branch) return fail(req, 404, 'Branch not found', docs);
      if (!repo._protection) return fail(req, 404, 'Branch not protected', docs);
      const self = `${req.base}${prefix}/repos/${repo.owner.login}/${repo.name}/branches/${encodeURIComponent(branch)}/protection`;
      // GitHub gives each protection setting that has its own endpoint a url.
      const body: Record<string, unknown> = { url: self, ...structuredClone(repo._protection) };
      for (const part of [
        'required_status_checks',
        'required_pull_request_reviews',
        'required_signatures',
        'enforce_admins',
      ]) {
        const value = body[part];
        if (value && typeof value === 'object') body[part] = { url: `${self}/${part}`, ...value };
      }
      const checks = body.required_status_checks as Record<string, unknown> | undefined;
      if (checks) checks.contexts_url = `${self}/required_status_checks/contexts`;
      return ok(req, body);
    },
  ],
  [
    /^\/repos\/([^/]+)\/([^/]+)\/rules\/branches\/([^/]+)$/,
    (req, m, prefix) => {
      const repo = findRepo(req, seg(m[1]), seg(m[2]));
      if (!repo) return notFound(req, `${DOCS}/repos/rules#get-rules-for-a-branch`);
      // The branch need not exist: rules that would apply to that name are returned.
      const rules = seg(m[3]) === repo.default_branch ? (repo._rules ?? []) : [];
      return paged(req, prefix, m[0], rules);
    },
  ],
  [
    /^\/orgs\/([^/]+)\/members$/,
    (req, m, prefix) => {
      const org = findOrg(req, seg(m[1]));
      if (!org) return notFound(req, `${DOCS}/orgs/members#list-organization-members`);
      // Without read:org (or to a non-member) GitHub lists public members only.
      const role = req.query.get('role') ?? 'all';
      const members = (dataOf(req.tenant).members ?? [])
        .filter((u) => canReadOrg(req) || u._public)
        .filter((u) => role === 'all' || (u._role ?? 'member') === role)
        .map((u) => userView(req, u.login, u.id));
      return paged(req, prefix, `/orgs/${org.login}/members`, members);
    },
  ],
  [
    /^\/orgs\/([^/]+)\/actions\/(runner-groups|secrets)$/,
    (req, m, prefix) => {
      const docs = `${DOCS}/actions/${m[2] === 'secrets' ? 'secrets' : 'self-hosted-runner-groups'}`;
      const accepted = { 'x-accepted-oauth-scopes': 'admin:org' };
      const org = findOrg(req, seg(m[1]));
      if (!org) return notFound(req, docs, accepted);
      if (!hasScope(req, 'admin:org') || !isOwner(req))
        return fail(req, 403, 'Resource not accessible by personal access token', docs, accepted);
      const d = dataOf(req.tenant);
      const list = m[2] === 'secrets' ? (d.secrets ?? []) : (d.runnerGroups ?? []);
      const reply = paged(req, prefix, `/orgs/${org.login}/actions/${m[2]}`, list, accepted);
      const key = m[2] === 'secrets' ? 'secrets' : 'runner_groups';
      return { ...reply, body: { total_count: list.length, [key]: reply.body } };
    },
  ],
  [
    /^\/repos\/([^/]+)\/([^/]+)\/rulesets\/(\d+)$/,
    (req, m, prefix) => {
      const repo = findRepo(req, seg(m[1]), seg(m[2]));
      const docs = `${DOCS}/repos/rules#get-a-repository-ruleset`;
      const id = Number(m[3]);
      const rules = (repo?._rules ?? []) as {
        ruleset_id?: number;
        ruleset_source_type?: string;
        ruleset_source?: string;
        type: string;
        parameters?: unknown;
      }[];
      const own = rules.filter((r) => r.ruleset_id === id);
      const first = own[0];
      if (!repo || !first) return notFound(req, docs);
      const source = first.ruleset_source_type ?? 'Repository';
      // bypass_actors only for those who may edit the ruleset (GitHub's description).
      const canEdit = source === 'Repository' ? Boolean(repo.permissions?.admin) : isOwner(req);
      const base = `${req.base}${prefix}/repos/${repo.owner.login}/${repo.name}/rulesets/${id}`;
      return ok(req, {
        id,
        name: `ruleset ${id}`,
        target: 'branch',
        source_type: source,
        source: first.ruleset_source ?? `${repo.owner.login}/${repo.name}`,
        enforcement: 'active',
        ...(canEdit ? { bypass_actors: dataOf(req.tenant).rulesetBypass?.[String(id)] ?? [] } : {}),
        current_user_can_bypass: canEdit ? 'pull_requests_only' : 'never',
        node_id: Buffer.from(`Ruleset${id}`).toString('base64'),
        _links: {
          self: { href: base },
          html: { href: base.replace('/repos/', '/').replace(req.base + prefix, 'https://github.com') },
        },
        conditions: { ref_name: { include: ['~DEFAULT_BRANCH'], exclude: [] } },
        rules: own.map((r) => ({ type: r.type, ...(r.parameters ? { parameters: r.parameters } : {}) })),
        created_at: '2025-03-01T09:00:00.000Z',
        updated_at: '2025-03-01T09:00:00.000Z',
      });
    },
  ],
  [
    /^\/repos\/([^/]+)\/([^/]+)\/codeowners\/errors$/,
    (req, m) => {
      const repo = findRepo(req, seg(m[1]), seg(m[2]));
      const docs = `${DOCS}/repos/repos#list-codeowners-errors`;
      const has = repo?._files?.some((f) => CODEOWNERS_PATHS.includes(f));
      if (!repo || !has) return notFound(req, docs);
      return ok(req, { errors: repo._codeownersErrors ?? [] });
    },
  ],
  [
    /^\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/,
    (req, m, prefix) => {
      const repo = findRepo(req, seg(m[1]), seg(m[2]));
      const docs = `${DOCS}/repos/contents#get-repository-content`;
      const file = (m[3] ?? '').split('/').map(seg).join('/');
      if (!repo || !repo._files?.includes(file)) return notFound(req, docs);
      const content = Buffer.from(`# ${file}\n`).toString('base64');
      const sha = Buffer.from(file).toString('hex').padEnd(40, '0').slice(0, 40);
      const api = `${req.base}${prefix}/repos/${repo.owner.login}/${repo.name}`;
      const html = `https://github.com/${repo.owner.login}/${repo.name}/blob/${repo.default_branch ?? 'main'}/${file}`;
      return ok(req, {
        type: 'file',
        encoding: 'base64',
        size: Buffer.byteLength(`# ${file}\n`),
        name: file.split('/').at(-1),
        path: file,
        content,
        sha,
        url: `${api}/contents/${file}`,
        git_url: `${api}/git/blobs/${sha}`,
        html_url: html,
        download_url: `https://raw.githubusercontent.com/${repo.owner.login}/${repo.name}/${repo.default_branch ?? 'main'}/${file}`,
        _links: { git: `${api}/git/blobs/${sha}`, self: `${api}/contents/${file}`, html },
      });
    },
  ],
  [
    /^\/repos\/([^/]+)\/([^/]+)\/collaborators$/,
    (req, m, prefix) => {
      const repo = findRepo(req, seg(m[1]), seg(m[2]));
      const docs = `${DOCS}/collaborators/collaborators#list-repository-collaborators`;
      if (!repo) return notFound(req, docs);
      const perms = repo.permissions as { admin?: boolean; push?: boolean } | undefined;
      if (!perms?.admin && !perms?.push && !isOwner(req))
        return fail(req, 403, 'Must have push access to view repository collaborators.', docs);
      // The simulator knows only who has the admin role; any other filter lists them too.
      const admins = (repo._admins ?? []).map((login, i) => ({
        ...userView(req, login, 7000 + i),
        permissions: { admin: true, maintain: true, push: true, triage: true, pull: true },
        role_name: 'admin',
      }));
      return paged(req, prefix, `/repos/${repo.owner.login}/${repo.name}/collaborators`, admins);
    },
  ],
  [
    /^\/repos\/([^/]+)\/([^/]+)\/code-scanning\/analyses$/,
    (req, m, prefix) => {
      const repo = findRepo(req, seg(m[1]), seg(m[2]));
      const docs = `${DOCS}/code-scanning/code-scanning#list-code-scanning-analyses-for-a-repository`;
      if (!repo) return notFound(req, docs);
      if (repo._codeScanning === 'unavailable')
        return fail(
          req,
          403,
          'Advanced Security must be enabled for this repository to use code scanning.',
          docs,
        );
      if (!repo._analyses?.length) return fail(req, 404, 'no analysis found', docs);
      const api = `${req.base}${prefix}/repos/${repo.owner.login}/${repo.name}/code-scanning/analyses`;
      const list = repo._analyses.map((at, i) => ({
        ref: `refs/heads/${repo.default_branch ?? 'main'}`,
        commit_sha: Buffer.from(`${repo.name}${i}`).toString('hex').padEnd(40, '0').slice(0, 40),
        analysis_key: '.github/workflows/codeql.yml:analyze',
        environment: '{"language":"javascript"}',
        error: '',
        category: '/language:javascript',
        created_at: at,
        results_count: 0,
        rules_count: 49,
        id: 900 + i,
        url: `${api}/${900 + i}`,
        sarif_id: `6c81cd8e-b078-4ac3-a3be-1dad7dbd0b5${i % 10}`,
        tool: { name: 'CodeQL', guid: null, version: '2.20.0' },
        deletable: i === 0,
        warning: '',
      }));
      return paged(req, prefix, `/repos/${repo.owner.login}/${repo.name}/code-scanning/analyses`, list);
    },
  ],
];

const CODEOWNERS_PATHS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'];

/** A user as GitHub lists one (simple-user). */
function userView(req: SimRequest, login: string, id: number): Record<string, unknown> {
  const url = `${req.base}/users/${login}`;
  return {
    login,
    id,
    node_id: Buffer.from(`04:User${id}`).toString('base64'),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url,
    html_url: `https://github.com/${login}`,
    ...Object.fromEntries(USER_URLS.map(([k, suffix]) => [k, `${url}${suffix}`])),
    type: 'User',
    user_view_type: 'public',
    site_admin: false,
  };
}

function route(req: SimRequest, path: string, prefix: string): SimReply {
  for (const [re, handler] of ROUTES) {
    const m = re.exec(path);
    if (m) return handler(req, m, prefix);
  }
  return notFound(req);
}

/** POST /graphql: the token as REST checks it, then GraphQL's own limit and answer. */
function graphqlReply(req: SimRequest): SimReply {
  const docs = 'https://docs.github.com/graphql';
  if (tokenOf(req) !== req.tenant.token)
    return {
      status: 401,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: {
        message:
          tokenOf(req) === undefined ? 'This endpoint requires you to be authenticated.' : 'Bad credentials',
        documentation_url: docs,
        status: '401',
      },
    };
  const m = meter(req.tenant, true, 'graphql');
  const limited = m.used > m.limit ? { userId: dataOf(req.tenant).user?.id ?? 1 } : undefined;
  const reply = graphql(
    req,
    (owner, name) => findRepo(req, owner, name),
    limited,
    req.tenant.pageSize ?? 100,
    req.tenant.forbidden?.includes('/graphql') ?? false,
  );
  return { ...reply, headers: { ...apiHeaders(req, 'graphql'), ...reply.headers } };
}

function findRepo(req: SimRequest, owner: string, name: string): GhRepo | undefined {
  return visibleRepos(req).find(
    (r) => r.owner.login.toLowerCase() === owner.toLowerCase() && r.name.toLowerCase() === name.toLowerCase(),
  );
}

export const githubSim: VendorSim = {
  error(req, status, message) {
    const text: Record<number, string> = {
      400: 'Bad Request',
      403: 'Forbidden',
      404: 'Not Found',
      422: 'Validation Failed',
      500: 'Server Error',
      502: 'Server Error',
      503: 'Service Unavailable',
    };
    return fail(req, status, text[status] ?? message);
  },

  rateLimited(req, resetSeconds) {
    const t = dataOf(req.tenant).throttle ?? {};
    const status = t.status ?? 403;
    if (t.secondary) return secondaryLimited(req, status, t.retryAfter === false ? undefined : resetSeconds);
    return primaryLimited(req, status, resetSeconds);
  },

  handle(req) {
    const ua = req.headers['user-agent'];
    if (typeof ua !== 'string' || ua.trim() === '')
      return {
        status: 403,
        headers: { 'content-type': 'text/html', connection: 'close' },
        body: USER_AGENT_REFUSAL,
      };

    let path = req.path;
    let prefix = '';
    const ghes = dataOf(req.tenant).enterpriseServer !== undefined;
    if (req.method === 'POST' && path === (ghes ? '/api/graphql' : '/graphql')) return graphqlReply(req);
    if (ghes) {
      // GitHub Enterprise Server serves the API under /api/v3; other paths are its web UI.
      if (!path.startsWith('/api/v3/'))
        return {
          status: 404,
          headers: { 'content-type': 'text/html; charset=utf-8' },
          body: '<!DOCTYPE html><html><head><title>Page not found · GitHub</title></head><body>Not Found</body></html>',
        };
      path = path.slice('/api/v3'.length);
      prefix = '/api/v3';
    }

    const version = req.headers['x-github-api-version'];
    if (version !== undefined && !selectedVersion(req))
      return fail(
        req,
        400,
        `API version ${String(version)} is not supported.`,
        'https://docs.github.com/rest/about-the-rest-api/api-versions',
      );

    const token = tokenOf(req);
    if (token === undefined) return fail(req, 401, 'Requires authentication');
    if (token !== req.tenant.token)
      return {
        status: 401,
        headers: {
          ...apiHeaders(req),
          // Failed requests count against the caller's unauthenticated limit, not the tenant's.
          'x-ratelimit-limit': '60',
          'x-ratelimit-remaining': '59',
          'x-ratelimit-used': '1',
        },
        body: { message: 'Bad credentials', documentation_url: DOCS, status: '401' },
      };

    const m = meter(req.tenant, true);
    if (m.used > m.limit) return primaryLimited(req, 403, m.reset - Math.floor(Date.now() / 1000));
    if (req.method !== 'GET') return notFound(req);
    if (req.tenant.forbidden?.some((p) => path.startsWith(p)))
      return fail(req, 403, 'Resource not accessible by personal access token');
    return route(req, path, prefix);
  },
};

/**
 * Demo tenants: Contoso's token is an owner's with admin:org; Contoso Labs' token is a member's
 * with only read:org and repo, so the organisation's settings, code security configurations,
 * Actions and webhooks stay hidden, and so do the protection and security settings of the
 * repositories the member is not admin of.
 */
export const githubDemo = [contoso, labs] as DemoTenant[];
