import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../source/catalog/index.js';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { newRepositoryDefaults } from '../../source/connectors/github/index.js';
import {
  type BranchRuleBody,
  type BypassRead,
  bypassOf,
  branchRulesItem,
  type ClassicBody,
  classicSettings,
  NOTHING,
  rulesetSettings,
} from '../../source/connectors/github/branch-rules.js';
import { type Datasets, evaluate, unseenItem } from '../../source/domain/rules.js';

/**
 * Each GitHub control on passing, failing and unknown fixtures shaped like the connector's
 * datasets (GitHub's wire fields, plus the few `_` fields the connector adds).
 */

const controls = loadCatalog().forApp('github');
const byId = (id: string) => {
  const c = controls.find((x) => x.id === id);
  if (!c) throw new Error(`no control ${id}`);
  return c;
};

const ok = (items: unknown[]) => ({ ok: true as const, items });
const hidden = (reason: string) => ({ ok: false as const, reason });
const OWNER_ONLY =
  "GitHub shows the organisation's settings only to owners whose token has the admin:org scope";

const org = (fields: Record<string, unknown>): Datasets => ({
  'github:org': ok([{ login: 'contoso', id: 5124091, _label: 'contoso', ...fields }]),
});
const noOrg: Datasets = { 'github:org': hidden(OWNER_ONLY) };
const workflow = (fields: Record<string, unknown>): Datasets => ({
  'github:actions/workflow': ok([
    { default_workflow_permissions: 'read', can_approve_pull_request_reviews: false, ...fields },
  ]),
});
const noActions = hidden('the token may not read this: it needs the admin:org scope (GitHub 403: Forbidden)');

type Defaults = Parameters<typeof newRepositoryDefaults>[0];
const config = (name: string, scanning: string, push: string) => ({
  id: name.length,
  name,
  secret_scanning: scanning,
  secret_scanning_push_protection: push,
});
/** The dataset the connector builds from GET /orgs/{org}/code-security/configurations/defaults. */
const defaults = (body: Defaults): Datasets => ({
  'github:code-security/defaults': ok(newRepositoryDefaults(body)),
});
const noDefaults = {
  ok: false as const,
  reason:
    'GitHub shows default code security configurations only to organisation owners and security managers',
  missing: 'the organisation owner or security manager role',
};

const hook = (id: number, config: Record<string, unknown>, active = true) => ({
  id,
  name: 'web',
  active,
  config: { url: 'https://ci.contoso.com/hook', content_type: 'json', ...config },
  _label: `web #${id}`,
});

// A repository's stable identity is its numeric id, which survives renames.
const idOf = (name: string) => [...name].reduce((n, c) => n * 31 + c.charCodeAt(0), 7);
const repo = (name: string, sa: Record<string, string> | null, archived = false) => ({
  id: idOf(name),
  full_name: `contoso/${name}`,
  archived,
  _label: `contoso/${name}`,
  security_and_analysis:
    sa === null ? null : Object.fromEntries(Object.entries(sa).map(([k, status]) => [k, { status }])),
});

const branch = (name: string, fields: Record<string, unknown>) => ({
  id: idOf(name),
  repo: `contoso/${name}`,
  branch: 'main',
  ...fields,
});
const protectedBranch = { required_approvals: 1, force_push_blocked: true };

// GitHub's documented example of GET /repos/{owner}/{repo}/branches/{branch}/protection
// (@octokit/openapi): status checks (not strict), admins enforced, two approvals with stale-review
// dismissal and code owners, linear history and conversation resolution; force pushes and deletions allowed.
const description = JSON.parse(
  readFileSync(
    createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json'),
    'utf8',
  ),
) as { components: { examples: Record<string, { value: unknown }> } };
const documented = description.components.examples['branch-protection']?.value as ClassicBody;

const CLASSIC_GAP = {
  reason: 'GitHub shows classic branch protection only to repository admins',
  missing: 'admin on the repository',
};
const BYPASS_GAP = {
  reason: "GitHub shows a ruleset's bypass list only to those who may edit the ruleset",
  missing: 'admin on the repository',
};
// GitHub's documented repository-ruleset example lets team 234 bypass always.
const rulesetExample = description.components.examples['repository-ruleset']?.value as {
  bypass_actors: { actor_id: number; actor_type: string; bypass_mode: string }[];
};
const teamBypass = bypassOf(rulesetExample.bypass_actors);
const adminBypass = bypassOf([{ actor_id: 5, actor_type: 'RepositoryRole', bypass_mode: 'always' }]);
const noBypass = bypassOf([]);
const RULES_GAP = { reason: 'GitHub did not return the rules that apply to the branch' };
/**
 * A branch-rules item as the connector builds it: from a classic protection body ('none' for
 * "Branch not protected", undefined when not visible) and the ruleset rules (undefined: not read).
 */
const branchRules = (
  name: string,
  classic: ClassicBody | 'none' | undefined,
  rules: BranchRuleBody[] | undefined,
  bypass?: BypassRead | typeof BYPASS_GAP,
) =>
  branchRulesItem(
    { id: idOf(name), repo: `contoso/${name}`, branch: 'main' },
    classic === undefined
      ? undefined
      : classic === 'none'
        ? { settings: NOTHING }
        : { settings: classicSettings(classic), adminsIncluded: classic.enforce_admins?.enabled === true },
    rules === undefined
      ? undefined
      : { settings: rulesetSettings(rules), count: rules.length, ...(bypass ? { bypass } : {}) },
    { classic: CLASSIC_GAP, rules: RULES_GAP },
  );
const branchRulesDs = (...items: unknown[]): Datasets => ({ 'github:repos/branch-rules': ok(items) });
const classicWith = (patch: Record<string, unknown>) =>
  ({ ...structuredClone(documented), ...patch }) as ClassicBody;
const reviews = (patch: Record<string, unknown>) =>
  classicWith({ required_pull_request_reviews: { ...documented.required_pull_request_reviews, ...patch } });
const rule = (type: string, parameters?: Record<string, unknown>): BranchRuleBody => ({
  type,
  ruleset_source_type: 'Repository',
  ruleset_source: 'contoso/web',
  ruleset_id: 42,
  ...(parameters ? { parameters } : {}),
});
const prRule = (patch: Record<string, unknown>) =>
  rule('pull_request', {
    allowed_merge_methods: ['merge', 'squash', 'rebase'],
    dismiss_stale_reviews_on_push: false,
    require_code_owner_review: false,
    require_last_push_approval: false,
    required_approving_review_count: 0,
    required_review_thread_resolution: false,
    ...patch,
  });
/**
 * A branch setting's three outcomes: on in one source (classic or a ruleset); off in both; and
 * unknown when classic protection is not visible and the rulesets read do not turn it on.
 */
const branchCase = (onClassic: ClassicBody, onRules: BranchRuleBody[], offClassic: ClassicBody): Case => ({
  pass: branchRulesDs(branchRules('web', onClassic, []), branchRules('api', 'none', onRules)),
  fail: branchRulesDs(branchRules('web', offClassic, []), branchRules('api', 'none', [])),
  unknown: branchRulesDs(
    branchRules('web', undefined, []),
    branchRules('api', undefined, [rule('non_fast_forward')]),
  ),
});

/** An item of github:repos/details as the connector builds it (repo-details.ts). */
const details = (name: string, fields: Record<string, unknown>, gaps: Record<string, unknown> = {}) => ({
  id: idOf(name),
  repo: `contoso/${name}`,
  ...fields,
  ...(Object.keys(gaps).length ? { _unseenFields: gaps } : {}),
});
const detailsDs = (...items: unknown[]): Datasets => ({ 'github:repos/details': ok(items) });
const branchesDs = (...items: unknown[]): Datasets => ({ 'github:repos/branches': ok(items) });
const COLLAB_GAP = {
  reason: "GitHub lists a repository's collaborators only to those with write access to it",
  missing: 'write access to the repository',
};
const ownersDs = (owners: number): Datasets => ({
  'github:owners': ok([{ _id: 5124091, _label: 'contoso', owners }]),
});
// GitHub's documented runner-groups-org example: "Default" (all repositories, public allowed) and two others.
const runnerGroupsExample = (
  description.components.examples['runner-groups-org']?.value as { runner_groups: Record<string, unknown>[] }
).runner_groups;
const runnerGroup = (patch: Record<string, unknown>) => ({
  ...runnerGroupsExample[1],
  ...patch,
  _label: 'runner group x',
});
const secret = (name: string, days: number) => ({
  name,
  created_at: '2019-08-10T14:59:22Z',
  updated_at: '2020-01-10T14:59:22Z',
  _id: name,
  _label: `secret ${name}`,
  _days_since_update: days,
});

interface Case {
  pass: Datasets;
  fail: Datasets;
  unknown: Datasets;
}

const orgCase = (path: string, good: unknown, bad: unknown): Case => ({
  pass: org({ [path]: good }),
  fail: org({ [path]: bad }),
  // Owner-only fields come back null or not at all: never a fail.
  unknown: org({ [path]: null }),
});

const cases: Record<string, Case> = {
  'gh.org.2fa': orgCase('two_factor_requirement_enabled', true, false),
  'gh.org.base_perm': {
    pass: org({ default_repository_permission: 'none' }),
    fail: org({ default_repository_permission: 'write' }),
    unknown: noOrg,
  },
  'gh.org.repo_create': orgCase('members_can_create_public_repositories', false, true),
  'gh.org.repo_delete': {
    pass: org({ members_can_delete_repositories: false }),
    fail: org({ members_can_delete_repositories: true }),
    // Absent depending on the token or the plan.
    unknown: org({}),
  },
  'gh.org.visibility_change': {
    pass: org({ members_can_change_repo_visibility: false }),
    fail: org({ members_can_change_repo_visibility: true }),
    unknown: org({ members_can_delete_repositories: false }),
  },
  'gh.org.fork_private': orgCase('members_can_fork_private_repositories', false, true),
  'gh.org.actions_token': {
    pass: workflow({ default_workflow_permissions: 'read', can_approve_pull_request_reviews: true }),
    fail: workflow({ default_workflow_permissions: 'write' }),
    unknown: { 'github:actions/workflow': noActions },
  },
  'gh.org.actions_approve_prs': {
    pass: workflow({ default_workflow_permissions: 'write', can_approve_pull_request_reviews: false }),
    fail: workflow({ can_approve_pull_request_reviews: true }),
    unknown: { 'github:actions/workflow': noActions },
  },
  'gh.org.actions_allowed': {
    pass: {
      'github:actions/permissions': ok([{ enabled_repositories: 'all', _allowed_actions: 'selected' }]),
    },
    fail: {
      'github:actions/permissions': ok([{ enabled_repositories: 'selected', _allowed_actions: 'all' }]),
    },
    unknown: { 'github:actions/permissions': noActions },
  },
  'gh.org.secret_scanning_default': {
    pass: defaults([{ default_for_new_repos: 'all', configuration: config('all on', 'enabled', 'enabled') }]),
    fail: defaults([
      { default_for_new_repos: 'public', configuration: config('recommended', 'enabled', 'enabled') },
      {
        default_for_new_repos: 'private_and_internal',
        configuration: config('cheap', 'disabled', 'disabled'),
      },
    ]),
    unknown: { 'github:code-security/defaults': noDefaults },
  },
  'gh.org.push_protection_default': {
    pass: defaults([
      { default_for_new_repos: 'public', configuration: config('public', 'enabled', 'enabled') },
      {
        default_for_new_repos: 'private_and_internal',
        configuration: config('private', 'enabled', 'enabled'),
      },
    ]),
    fail: defaults([
      { default_for_new_repos: 'all', configuration: config('no push', 'enabled', 'disabled') },
    ]),
    unknown: { 'github:code-security/defaults': noDefaults },
  },
  'gh.org.web_commit_signoff': orgCase('web_commit_signoff_required', true, false),
  'gh.org.webhooks': {
    pass: {
      'github:hooks': ok([
        hook(1, { insecure_ssl: '0', secret: '********' }),
        // An inactive hook sends nothing, so it does not count.
        hook(2, { insecure_ssl: '1' }, false),
      ]),
    },
    fail: {
      'github:hooks': ok([
        hook(1, { insecure_ssl: '0', secret: '********' }),
        hook(2, { insecure_ssl: '0' }),
      ]),
    },
    unknown: { 'github:hooks': hidden('the token may not read this: it needs the admin:org_hook scope') },
  },
  'gh.repo.branch_protection': {
    pass: {
      'github:repos/default-branch': ok([
        branch('web', { required_approvals: 2, force_push_blocked: true }),
        branch('api', protectedBranch),
      ]),
    },
    fail: {
      'github:repos/default-branch': ok([
        branch('web', { required_approvals: 0, force_push_blocked: true }),
        branch('api', { required_approvals: 1, force_push_blocked: false }),
      ]),
    },
    // Neither classic protection nor rulesets could settle it.
    unknown: { 'github:repos/default-branch': ok([branch('web', {}), branch('api', {})]) },
  },
  'gh.repo.secret_scanning': {
    pass: {
      'github:repos': ok([
        repo('web', { secret_scanning: 'enabled' }),
        repo('old', { secret_scanning: 'disabled' }, true),
      ]),
    },
    fail: { 'github:repos': ok([repo('web', { secret_scanning: 'disabled' })]) },
    // security_and_analysis is shown only to repository admins.
    unknown: { 'github:repos': ok([repo('web', null), repo('api', null)]) },
  },
  'gh.repo.dependabot': {
    pass: { 'github:repos': ok([repo('web', { dependabot_security_updates: 'enabled' })]) },
    fail: {
      'github:repos': ok([
        repo('web', { dependabot_security_updates: 'disabled' }),
        repo('api', { dependabot_security_updates: 'disabled' }),
      ]),
    },
    unknown: { 'github:repos': hidden('the token may not read this') },
  },
  'gh.org.verified_domain': orgCase('is_verified', true, false),
  'gh.org.team_create': orgCase('members_can_create_teams', false, true),
  'gh.org.issue_delete': orgCase('members_can_delete_issues', false, true),
  'gh.repo.inactive': {
    pass: {
      'github:repos': ok([
        { ...repo('web', null), _days_since_push: 3 },
        // Archived: already read-only, nothing to do.
        { ...repo('old', null, true), _days_since_push: 900 },
      ]),
    },
    fail: { 'github:repos': ok([{ ...repo('legacy', null), _days_since_push: 181 }]) },
    // No pushed_at: GitHub did not say when it was last pushed to.
    unknown: { 'github:repos': ok([repo('web', null)]) },
  },
  'gh.repo.two_approvals': {
    pass: branchRulesDs(
      branchRules('web', reviews({ required_approving_review_count: 2 }), []),
      branchRules('api', 'none', [prRule({ required_approving_review_count: 3 })]),
    ),
    fail: branchRulesDs(
      branchRules('web', reviews({ required_approving_review_count: 1 }), [
        prRule({ required_approving_review_count: 1 }),
      ]),
    ),
    // One approval in classic protection, and the rulesets not visible: a ruleset may ask for two.
    unknown: branchRulesDs(branchRules('web', reviews({ required_approving_review_count: 1 }), undefined)),
  },
  'gh.repo.stale_reviews': branchCase(
    reviews({ dismiss_stale_reviews: true }),
    [prRule({ dismiss_stale_reviews_on_push: true })],
    reviews({ dismiss_stale_reviews: false }),
  ),
  'gh.repo.code_owner_review': branchCase(
    reviews({ require_code_owner_reviews: true }),
    [prRule({ require_code_owner_review: true })],
    reviews({ require_code_owner_reviews: false }),
  ),
  'gh.repo.status_checks': branchCase(
    documented,
    [
      rule('required_status_checks', {
        strict_required_status_checks_policy: false,
        required_status_checks: [{ context: 'ci/build' }],
      }),
    ],
    classicWith({ required_status_checks: null }),
  ),
  'gh.repo.up_to_date': branchCase(
    classicWith({
      required_status_checks: {
        strict: true,
        contexts: ['ci/build'],
        checks: [{ context: 'ci/build', app_id: null }],
      },
    }),
    [
      rule('required_status_checks', {
        strict_required_status_checks_policy: true,
        required_status_checks: [{ context: 'ci/build' }],
      }),
    ],
    // GitHub's example has no `strict`: branches need not be up to date.
    documented,
  ),
  'gh.repo.conversation_resolution': branchCase(
    classicWith({ required_conversation_resolution: { enabled: true } }),
    [prRule({ required_review_thread_resolution: true })],
    classicWith({ required_conversation_resolution: { enabled: false } }),
  ),
  'gh.repo.signed_commits': branchCase(
    classicWith({
      required_signatures: {
        url: 'https://api.github.com/repos/contoso/web/branches/main/protection/required_signatures',
        enabled: true,
      },
    }),
    [rule('required_signatures')],
    classicWith({ required_signatures: { enabled: false } }),
  ),
  'gh.repo.linear_history': branchCase(
    classicWith({ required_linear_history: { enabled: true } }),
    [rule('required_linear_history')],
    classicWith({ required_linear_history: { enabled: false } }),
  ),
  'gh.repo.deletion_blocked': {
    // A ruleset's "Restrict deletions" is the deletion rule; classic protection blocks unless allow_deletions.
    pass: branchRulesDs(
      branchRules('web', classicWith({ allow_deletions: { enabled: false } }), []),
      branchRules('api', 'none', [rule('deletion')]),
    ),
    fail: branchRulesDs(
      // GitHub's example allows deletions.
      branchRules('web', documented, []),
      branchRules('api', 'none', []),
    ),
    unknown: branchRulesDs(branchRules('web', undefined, [rule('non_fast_forward')])),
  },
  'gh.repo.admins_included': {
    pass: branchRulesDs(branchRules('web', documented, [rule('deletion')])),
    fail: branchRulesDs(
      branchRules('web', classicWith({ enforce_admins: { enabled: false } }), []),
      branchRules('api', 'none', []),
    ),
    // Classic exempts admins and a ruleset applies: its bypass list decides, and it could not be read.
    unknown: branchRulesDs(
      branchRules('web', classicWith({ enforce_admins: { enabled: false } }), [rule('deletion')], BYPASS_GAP),
    ),
  },
  'gh.repo.dismissal_restricted': {
    // GitHub's example restricts dismissal (dismissal_restrictions present).
    pass: branchRulesDs(branchRules('web', documented, [])),
    fail: branchRulesDs(
      branchRules('web', reviews({ dismissal_restrictions: undefined }), []),
      // Rulesets have no dismissal list.
      branchRules('api', 'none', [prRule({})]),
    ),
    unknown: branchRulesDs(branchRules('web', undefined, [prRule({})])),
  },
  'gh.repo.push_restricted': branchCase(documented, [rule('update')], classicWith({ restrictions: null })),
  'gh.repo.code_scanning_required': {
    pass: branchRulesDs(
      branchRules('web', documented, [
        rule('code_scanning', {
          code_scanning_tools: [{ tool: 'CodeQL', alerts: 'errors', security_alerts: 'high_or_higher' }],
        }),
      ]),
    ),
    fail: branchRulesDs(branchRules('web', documented, [rule('deletion')])),
    unknown: branchRulesDs(branchRules('web', documented, undefined)),
  },
  'gh.repo.force_push_blocked': branchCase(
    classicWith({ allow_force_pushes: { enabled: false } }),
    [rule('non_fast_forward')],
    // GitHub's example allows force pushes.
    documented,
  ),
  'gh.repo.ruleset_bypass': {
    pass: branchRulesDs(
      branchRules('web', documented, [rule('deletion')], noBypass),
      // No ruleset applies: nobody bypasses anything.
      branchRules('api', documented, []),
    ),
    fail: branchRulesDs(branchRules('web', 'none', [rule('deletion')], teamBypass)),
    unknown: branchRulesDs(branchRules('web', documented, [rule('deletion')], BYPASS_GAP)),
  },
  'gh.repo.codeowners': {
    pass: detailsDs(details('web', { codeowners: true, codeowners_errors: 0 })),
    fail: detailsDs(details('web', { codeowners: false }), details('api', { codeowners: false })),
    unknown: detailsDs(details('web', {}, { codeowners: { reason: 'GitHub would not show it' } })),
  },
  'gh.repo.security_policy': {
    pass: detailsDs(details('web', { security_policy: true, security_policy_path: '.github/SECURITY.md' })),
    fail: detailsDs(details('web', { security_policy: false })),
    unknown: detailsDs(details('web', {}, { security_policy: { reason: 'GitHub would not show it' } })),
  },
  'gh.repo.two_admins': {
    pass: detailsDs(details('web', { admins: 2 })),
    fail: detailsDs(details('web', { admins: 1 }), details('api', { admins: 0 })),
    unknown: detailsDs(details('web', {}, { admins: COLLAB_GAP })),
  },
  'gh.repo.few_admins': {
    pass: detailsDs(details('web', { admins: 3 })),
    fail: detailsDs(details('web', { admins: 4 })),
    unknown: detailsDs(details('web', {}, { admins: COLLAB_GAP })),
  },
  'gh.repo.code_scanning': {
    pass: detailsDs(details('web', { code_scanning: true, code_scanning_last: '2020-08-27T15:05:21Z' })),
    fail: detailsDs(details('web', { code_scanning: false })),
    unknown: detailsDs(details('web', {}, { code_scanning: { reason: 'GitHub would not show it' } })),
  },
  // The items branch-activity.ts makes of GitHub's GraphQL refs (totalCount, committedDate).
  'gh.repo.stale_branches': {
    pass: branchesDs(details('web', { branches: 3, branches_read: 3, stale_branches: 0 })),
    fail: branchesDs(
      details('web', { branches: 3, branches_read: 3, stale_branches: 1 }),
      details('api', {
        branches: 1200,
        branches_read: 1000,
        stale_branches: 2,
        stale_branches_note: 'at least',
      }),
    ),
    // A capped read that found nothing stale proves nothing.
    unknown: branchesDs(
      details(
        'web',
        { branches: 1200, branches_read: 1000 },
        { stale_branches: { reason: 'read 1000 of 1200' } },
      ),
    ),
  },
  'gh.org.owner_count': {
    pass: ownersDs(3),
    fail: ownersDs(4),
    unknown: {
      'github:owners': {
        ok: false,
        reason: 'a classic token without read:org sees only the public members of the organisation',
        missing: 'the read:org scope',
      },
    },
  },
  'gh.org.actions_repos_selected': {
    pass: {
      'github:actions/permissions': ok([{ enabled_repositories: 'selected', allowed_actions: 'all' }]),
    },
    fail: {
      'github:actions/permissions': ok([{ enabled_repositories: 'all', allowed_actions: 'selected' }]),
    },
    unknown: { 'github:actions/permissions': noActions },
  },
  'gh.org.runner_groups_private': {
    pass: { 'github:runner-groups': ok([runnerGroup({ allows_public_repositories: false })]) },
    fail: { 'github:runner-groups': ok(runnerGroupsExample) },
    unknown: { 'github:runner-groups': noActions },
  },
  'gh.org.runner_groups_selected': {
    pass: { 'github:runner-groups': ok([runnerGroup({ visibility: 'selected' })]) },
    // The Default group of the example is open to all repositories.
    fail: { 'github:runner-groups': ok(runnerGroupsExample) },
    unknown: { 'github:runner-groups': noActions },
  },
  'gh.org.secrets_rotated': {
    pass: { 'github:actions/secrets': ok([secret('DEPLOY_TOKEN', 30)]) },
    fail: { 'github:actions/secrets': ok([secret('DEPLOY_TOKEN', 30), secret('GIST_ID', 366)]) },
    unknown: { 'github:actions/secrets': noActions },
  },
};

describe('GitHub catalog rules', () => {
  it('has a fixture for every GitHub control, and at least twelve controls', () => {
    expect(Object.keys(cases).sort()).toEqual(controls.map((c) => c.id).sort());
    expect(controls.length).toBeGreaterThanOrEqual(12);
  });

  it.each(Object.keys(cases))('%s: passes, fails and is unknown on the matching fixtures', (id) => {
    const c = byId(id);
    const f = cases[id] as Case;
    expect(evaluate(c, f.pass).outcome).toBe('pass');
    expect(evaluate(c, f.fail).outcome).toBe('fail');
    const unknown = evaluate(c, f.unknown);
    expect(unknown.outcome).toBe('unknown');
    expect(unknown.reason).toBeTruthy();
  });

  it('gives no share of points while a repository cannot be judged, and names the failing ones', () => {
    const r = evaluate(byId('gh.repo.branch_protection'), {
      'github:repos/default-branch': ok([
        branch('a', protectedBranch),
        branch('b', protectedBranch),
        branch('c', { required_approvals: 0, force_push_blocked: false }),
        branch('d', {}),
      ]),
    });
    expect(r).toMatchObject({ outcome: 'unknown', failing: [{ id: String(idOf('c')), name: 'contoso/c' }] });
    expect(r.reason).toMatch(/did not reveal the setting for every item/);
    expect(r.evidence.find((e) => e.item === 'contoso/d')?.value).toBe('(not revealed)');
    // The failing repository comes first in the evidence.
    expect(r.evidence[0]?.item).toBe('contoso/c');
  });

  it('leaves archived repositories out of the repository controls', () => {
    const r = evaluate(byId('gh.repo.secret_scanning'), {
      'github:repos': ok([
        repo('a', { secret_scanning: 'enabled' }),
        repo('b', { secret_scanning: 'disabled' }),
        repo('old', { secret_scanning: 'disabled' }, true),
      ]),
    });
    expect(r).toMatchObject({ outcome: 'partial', count: 1, total: 2 });
  });

  it('passes when Actions are turned off, and with nothing to check', () => {
    const actions = evaluate(byId('gh.org.actions_allowed'), {
      'github:actions/permissions': ok([
        { enabled_repositories: 'none', _allowed_actions: 'none (Actions disabled)' },
      ]),
    });
    expect(actions.outcome).toBe('pass');
    expect(evaluate(byId('gh.org.webhooks'), { 'github:hooks': ok([]) }).outcome).toBe('pass');
    expect(
      evaluate(byId('gh.repo.branch_protection'), { 'github:repos/default-branch': ok([]) }).outcome,
    ).toBe('pass');
  });

  it('leaves unjudged only the branch settings a source could not settle, naming the missing right', () => {
    // Classic protection not visible; the ruleset read requires signed commits only.
    const ds = branchRulesDs(branchRules('web', undefined, [rule('required_signatures')]));
    expect(evaluate(byId('gh.repo.signed_commits'), ds).outcome).toBe('pass');
    expect(evaluate(byId('gh.repo.linear_history'), ds)).toMatchObject({
      outcome: 'unknown',
      missing: 'admin on the repository',
      reason: expect.stringMatching(
        /^could not judge 1 of 1 repositories: GitHub shows classic branch protection/,
      ),
    });
  });

  it('takes either source: a ruleset can satisfy what classic protection lacks, and the stronger count wins', () => {
    const ds = branchRulesDs(
      branchRules('web', reviews({ required_approving_review_count: 1, dismiss_stale_reviews: false }), [
        prRule({ required_approving_review_count: 2, dismiss_stale_reviews_on_push: true }),
      ]),
    );
    expect(evaluate(byId('gh.repo.two_approvals'), ds).outcome).toBe('pass');
    expect(evaluate(byId('gh.repo.stale_reviews'), ds).outcome).toBe('pass');
    // Status checks without any check named require nothing.
    const empty = branchRulesDs(
      branchRules(
        'web',
        classicWith({ required_status_checks: { strict: true, contexts: [], checks: [] } }),
        [],
      ),
    );
    expect(evaluate(byId('gh.repo.status_checks'), empty).outcome).toBe('fail');
    expect(evaluate(byId('gh.repo.up_to_date'), empty).outcome).toBe('fail');
  });

  it('fails a webhook that skips TLS verification even with a secret', () => {
    const r = evaluate(byId('gh.org.webhooks'), {
      'github:hooks': ok([hook(7, { insecure_ssl: '1', secret: '********' })]),
    });
    expect(r.outcome).toBe('fail');
    expect(r.evidence).toContainEqual({ item: 'web #7', path: '/config/insecure_ssl', value: '1' });
  });

  it('keeps the reason when the token may not see the organisation settings', () => {
    const r = evaluate(byId('gh.org.2fa'), noOrg);
    expect(r).toMatchObject({ outcome: 'unknown', reason: OWNER_ONLY });
  });

  it('reads "enabled for new repositories" per kind of new repository, from default_for_new_repos', () => {
    const scanning = byId('gh.org.secret_scanning_default');
    const push = byId('gh.org.push_protection_default');
    // Only public repositories have a default: new private and internal ones get nothing.
    const publicOnly = evaluate(
      scanning,
      defaults([
        { default_for_new_repos: 'public', configuration: config('recommended', 'enabled', 'enabled') },
      ]),
    );
    expect(publicOnly).toMatchObject({
      outcome: 'fail',
      failing: [{ id: 'private_and_internal', name: 'new private and internal repositories' }],
    });
    expect(publicOnly.evidence[0]?.value).toBe('no default configuration');
    // No default at all, or "none": new repositories start with nothing on.
    expect(evaluate(scanning, defaults([])).failing?.map((f) => f.id)).toEqual([
      'public',
      'private_and_internal',
    ]);
    expect(
      evaluate(
        scanning,
        defaults([{ default_for_new_repos: 'none', configuration: config('x', 'enabled', 'enabled') }]),
      ).outcome,
    ).toBe('fail');
    // "not_set" leaves the feature as a new repository has it: off, so not "enabled by default".
    expect(
      evaluate(
        scanning,
        defaults([{ default_for_new_repos: 'all', configuration: config('x', 'not_set', 'enabled') }]),
      ).outcome,
    ).toBe('fail');
    // Push protection without secret scanning blocks nothing.
    expect(
      evaluate(
        push,
        defaults([{ default_for_new_repos: 'all', configuration: config('x', 'disabled', 'enabled') }]),
      ).outcome,
    ).toBe('fail');
    // Enterprise Server returns a status only for installed products: absent is not "enabled".
    expect(
      evaluate(scanning, defaults([{ default_for_new_repos: 'all', configuration: { id: 1, name: 'x' } }]))
        .outcome,
    ).toBe('fail');
  });

  it('names the missing right when no default configuration could be read', () => {
    const r = evaluate(byId('gh.org.push_protection_default'), {
      'github:code-security/defaults': noDefaults,
    });
    expect(r).toMatchObject({
      outcome: 'unknown',
      missing: 'the organisation owner or security manager role',
    });
  });

  it('never judges a repository whose protection the token could not read', () => {
    const gap = {
      reason: 'GitHub shows classic branch protection only to repository admins',
      missing: 'admin on the repository',
    };
    const r = evaluate(byId('gh.repo.branch_protection'), {
      'github:repos/default-branch': ok([
        branch('a', protectedBranch),
        // Rulesets say force pushes are blocked, and nothing about reviews: still not "unprotected".
        unseenItem(branch('b', { force_push_blocked: true }), gap),
      ]),
    });
    expect(r).toMatchObject({ outcome: 'unknown', missing: 'admin on the repository' });
    expect(r.reason).toBe(
      'could not judge 1 of 2 repositories: GitHub shows classic branch protection only to repository admins',
    );
  });

  it('judges administrators under rulesets by their bypass lists', () => {
    const exempt = classicWith({ enforce_admins: { enabled: false } });
    const admins = byId('gh.repo.admins_included');
    // A ruleset nobody may bypass holds administrators, though classic protection exempts them.
    expect(
      evaluate(admins, branchRulesDs(branchRules('web', exempt, [rule('deletion')], noBypass))).outcome,
    ).toBe('pass');
    // A team on the bypass list (GitHub's example) is not the admin role: administrators are held.
    expect(
      evaluate(admins, branchRulesDs(branchRules('web', undefined, [rule('deletion')], teamBypass))).outcome,
    ).toBe('pass');
    // The admin role on the bypass list, and classic protection exempting admins: not included.
    const r = evaluate(admins, branchRulesDs(branchRules('web', exempt, [rule('deletion')], adminBypass)));
    expect(r.outcome).toBe('fail');
    expect(
      evaluate(
        byId('gh.repo.ruleset_bypass'),
        branchRulesDs(branchRules('web', exempt, [rule('deletion')], adminBypass)),
      ).evidence[0]?.value,
    ).toBe('1');
    // The bypass list not visible: unknown, naming the right.
    expect(
      evaluate(admins, branchRulesDs(branchRules('web', exempt, [rule('deletion')], BYPASS_GAP))),
    ).toMatchObject({ outcome: 'unknown', missing: 'admin on the repository' });
  });

  it("covers every CIS GitHub requirement by a control or a manual check, with at least Legitify's 43 policies' worth of controls", () => {
    const framework = JSON.parse(
      readFileSync(new URL('../../data/frameworks/cis-github-1-2-0.json', import.meta.url), 'utf8'),
    ) as { requirements: { id: string }[] };
    const cited = (list: readonly { benchmarks?: { name: string; id: string }[] }[]) =>
      new Set(
        list.flatMap((x) =>
          (x.benchmarks ?? []).filter((b) => b.name === 'CIS GitHub Benchmark').map((b) => b.id),
        ),
      );
    const checked = cited(controls);
    const manual = cited(loadCatalog().manual.filter((m) => m.app === 'github'));
    const ids = framework.requirements.map((r) => r.id);
    expect(ids.filter((id) => checked.has(id))).toHaveLength(36);
    expect(ids.filter((id) => !checked.has(id) && manual.has(id))).toHaveLength(84);
    // 1.1.8 (stale branches) is read through GraphQL, 100 branches per request.
    expect(ids.filter((id) => !checked.has(id) && !manual.has(id))).toEqual([]);
    expect(checked.has('1.1.8')).toBe(true);
    expect(controls.length).toBeGreaterThanOrEqual(43);
  });

  it('gives every rule a stable identity and a noun', () => {
    for (const c of controls) {
      expect(c.rule.id, c.id).toMatch(/^\/(id|_id)$/);
      expect(c.rule.noun, c.id).not.toBe('items');
      expect(c.rule.label, c.id).toBeTruthy();
    }
  });

  it('keeps points at 10 or fewer, and gives proportional scoring to repository controls', () => {
    for (const c of controls) {
      expect(c.maxPoints).toBeLessThanOrEqual(10);
      expect(c.scoring === 'proportional').toBe(c.id.startsWith('gh.repo.'));
    }
  });
});
