import { z } from 'zod';
import { type Gap, unseenFields } from '../../domain/rules.js';

/**
 * What protects a default branch, setting by setting, from GitHub's two sources: classic branch
 * protection (GET /repos/{owner}/{repo}/branches/{branch}/protection) and the ruleset rules that
 * apply to the branch (GET /repos/{owner}/{repo}/rules/branches/{branch}). Either source may
 * enforce a setting, so a setting is known when both were read, or when the one read enforces it.
 */

const Enabled = z.looseObject({ enabled: z.boolean() }).optional();

/** Classic protection as GitHub returns it (the fields the CIS GitHub Benchmark asks about). */
export const ClassicProtection = z.looseObject({
  required_status_checks: z
    .looseObject({
      strict: z.boolean().optional(),
      contexts: z.array(z.string()).optional(),
      checks: z.array(z.looseObject({ context: z.string() })).optional(),
    })
    .nullish(),
  enforce_admins: Enabled,
  required_pull_request_reviews: z
    .looseObject({
      required_approving_review_count: z.number().int().nonnegative().optional(),
      dismiss_stale_reviews: z.boolean().optional(),
      require_code_owner_reviews: z.boolean().optional(),
      // Present only when dismissing reviews is restricted to the users, teams and apps it lists.
      dismissal_restrictions: z.looseObject({}).optional(),
    })
    .optional(),
  // Present only when pushing is restricted to the users, teams and apps it lists.
  restrictions: z.looseObject({}).nullish(),
  required_signatures: Enabled,
  required_linear_history: Enabled,
  allow_force_pushes: Enabled,
  allow_deletions: Enabled,
  required_conversation_resolution: Enabled,
});
export type ClassicBody = z.infer<typeof ClassicProtection>;

/** One rule of GET /repos/{owner}/{repo}/rules/branches/{branch}. */
export const BranchRule = z.looseObject({
  type: z.string(),
  ruleset_source_type: z.string().optional(),
  ruleset_source: z.string().optional(),
  ruleset_id: z.number().int().optional(),
  parameters: z
    .looseObject({
      required_approving_review_count: z.number().int().optional(),
      dismiss_stale_reviews_on_push: z.boolean().optional(),
      require_code_owner_review: z.boolean().optional(),
      required_review_thread_resolution: z.boolean().optional(),
      strict_required_status_checks_policy: z.boolean().optional(),
      required_status_checks: z.array(z.looseObject({ context: z.string() })).optional(),
    })
    .optional(),
});
export type BranchRuleBody = z.infer<typeof BranchRule>;

/** The boolean settings, each as one field of the dataset's items. */
export const SETTINGS = [
  'dismiss_stale_reviews',
  'code_owner_reviews',
  'status_checks',
  'status_checks_up_to_date',
  'conversation_resolution',
  'signed_commits',
  'linear_history',
  'deletion_blocked',
  'force_push_blocked',
  'dismissal_restricted',
  'push_restricted',
  'code_scanning_required',
] as const;
type Setting = (typeof SETTINGS)[number];
export type Settings = Record<Setting, boolean> & { required_approvals: number };

/** The highest number of approvals a control asks for: a lone source at this settles it. */
const MOST_APPROVALS_ASKED = 2;

/** Unprotected: what "Branch not protected" (classic) or no rule (rulesets) means. */
export const NOTHING: Settings = {
  required_approvals: 0,
  dismiss_stale_reviews: false,
  code_owner_reviews: false,
  status_checks: false,
  status_checks_up_to_date: false,
  conversation_resolution: false,
  signed_commits: false,
  linear_history: false,
  deletion_blocked: false,
  force_push_blocked: false,
  dismissal_restricted: false,
  push_restricted: false,
  code_scanning_required: false,
};

export function classicSettings(p: ClassicBody): Settings {
  const reviews = p.required_pull_request_reviews;
  const checks = p.required_status_checks;
  const hasChecks = Boolean(
    checks && ((checks.contexts?.length ?? 0) > 0 || (checks.checks?.length ?? 0) > 0),
  );
  return {
    required_approvals: reviews ? (reviews.required_approving_review_count ?? 0) : 0,
    dismiss_stale_reviews: reviews?.dismiss_stale_reviews === true,
    code_owner_reviews: reviews?.require_code_owner_reviews === true,
    status_checks: hasChecks,
    status_checks_up_to_date: hasChecks && checks?.strict === true,
    conversation_resolution: p.required_conversation_resolution?.enabled === true,
    signed_commits: p.required_signatures?.enabled === true,
    linear_history: p.required_linear_history?.enabled === true,
    // GitHub's default for a protected branch is deletions blocked (allow_deletions false).
    deletion_blocked: p.allow_deletions?.enabled !== true,
    force_push_blocked: p.allow_force_pushes?.enabled !== true,
    dismissal_restricted: reviews?.dismissal_restrictions !== undefined,
    push_restricted: p.restrictions !== undefined && p.restrictions !== null,
    // Classic protection can require a status check but not code scanning results as such.
    code_scanning_required: false,
  };
}

export function rulesetSettings(rules: BranchRuleBody[]): Settings {
  const pr = rules.filter((r) => r.type === 'pull_request').map((r) => r.parameters ?? {});
  const checks = rules.filter((r) => r.type === 'required_status_checks').map((r) => r.parameters ?? {});
  const hasChecks = checks.some((c) => (c.required_status_checks?.length ?? 0) > 0);
  return {
    required_approvals: Math.max(0, ...pr.map((p) => p.required_approving_review_count ?? 0)),
    dismiss_stale_reviews: pr.some((p) => p.dismiss_stale_reviews_on_push === true),
    code_owner_reviews: pr.some((p) => p.require_code_owner_review === true),
    status_checks: hasChecks,
    status_checks_up_to_date:
      hasChecks &&
      checks.some(
        (c) => (c.required_status_checks?.length ?? 0) > 0 && c.strict_required_status_checks_policy === true,
      ),
    conversation_resolution: pr.some((p) => p.required_review_thread_resolution === true),
    signed_commits: rules.some((r) => r.type === 'required_signatures'),
    linear_history: rules.some((r) => r.type === 'required_linear_history'),
    deletion_blocked: rules.some((r) => r.type === 'deletion'),
    force_push_blocked: rules.some((r) => r.type === 'non_fast_forward'),
    // Rulesets have no dismissal list: anyone with write access may dismiss a review.
    dismissal_restricted: false,
    // "Restrict updates": only those on the bypass list may push.
    push_restricted: rules.some((r) => r.type === 'update'),
    code_scanning_required: rules.some((r) => r.type === 'code_scanning'),
  };
}

/** A classic source read: its settings, and whether it protects the branch at all. */
export interface ClassicRead {
  settings: Settings;
  /** enforce_admins.enabled; undefined when the branch has no classic protection. */
  adminsIncluded?: boolean;
}
/** Who may bypass the rulesets that apply to a branch (GET /repos/{owner}/{repo}/rulesets/{id}). */
export interface BypassRead {
  /** Each bypass actor, as `actor_type actor_id (bypass_mode)`, over every ruleset that applies. */
  actors: string[];
  /** Whether a repository admin or an organisation owner is on a bypass list. */
  admins: boolean;
}
/** The rulesets read: their settings, how many rules apply, and who may bypass them. */
export interface RulesRead {
  settings: Settings;
  count: number;
  /** The bypass lists, or why one of them could not be read (GitHub shows them to admins only). */
  bypass?: BypassRead | Gap;
}

/** Repository role id 5 is the admin role (GitHub's ruleset bypass actors). */
const ADMIN_ROLE_ID = 5;

/** What the bypass lists of the rulesets say, from each ruleset's `bypass_actors`. */
export function bypassOf(
  actors: readonly { actor_type?: string; actor_id?: number | null; bypass_mode?: string }[],
): BypassRead {
  return {
    actors: actors.map(
      (a) =>
        `${a.actor_type ?? '?'}${a.actor_id == null ? '' : ` ${a.actor_id}`} (${a.bypass_mode ?? 'always'})`,
    ),
    admins: actors.some(
      (a) =>
        a.actor_type === 'OrganizationAdmin' ||
        (a.actor_type === 'RepositoryRole' && a.actor_id === ADMIN_ROLE_ID),
    ),
  };
}

const isGap = (b: BypassRead | Gap | undefined): b is Gap => b !== undefined && 'reason' in b;

/**
 * One item per default branch: each setting known, or left out with a per-field gap naming why.
 * Whether administrators are held to the rules: classic protection says it (enforce_admins);
 * rulesets hold everyone not on their bypass lists.
 */
export function branchRulesItem(
  base: Record<string, unknown>,
  classic: ClassicRead | undefined,
  rules: RulesRead | undefined,
  gaps: { classic: Gap; rules: Gap },
): Record<string, unknown> {
  const fields: Record<string, unknown> = { ...base };
  const unknown: Record<string, Gap> = {};
  const missingSource = classic === undefined ? gaps.classic : gaps.rules;
  const known = [classic?.settings, rules?.settings].filter((s): s is Settings => s !== undefined);
  const both = known.length === 2;
  for (const s of SETTINGS) {
    const on = known.some((k) => k[s]);
    if (both || on) fields[s] = on;
    else unknown[s] = missingSource;
  }
  const approvals = Math.max(-1, ...known.map((k) => k.required_approvals));
  if (both || approvals >= MOST_APPROVALS_ASKED) fields.required_approvals = Math.max(0, approvals);
  else unknown.required_approvals = missingSource;

  const bypass = rules?.bypass;
  const rulesHoldAdmins =
    rules !== undefined && rules.count > 0 && bypass !== undefined && !isGap(bypass) && !bypass.admins;
  if (classic?.adminsIncluded === true || rulesHoldAdmins) fields.admins_included = true;
  else if (classic === undefined) unknown.admins_included = gaps.classic;
  else if (rules === undefined) unknown.admins_included = gaps.rules;
  else if (rules.count === 0) fields.admins_included = false;
  else if (isGap(bypass) || bypass === undefined)
    unknown.admins_included = isGap(bypass) ? bypass : gaps.rules;
  else fields.admins_included = false;

  if (rules === undefined) unknown.ruleset_bypass_actors = gaps.rules;
  else if (rules.count === 0) fields.ruleset_bypass_actors = 0;
  else if (isGap(bypass) || bypass === undefined)
    unknown.ruleset_bypass_actors = isGap(bypass) ? bypass : gaps.rules;
  else {
    fields.ruleset_bypass_actors = bypass.actors.length;
    if (bypass.actors.length > 0) fields.ruleset_bypass = bypass.actors.join(', ');
  }
  return unseenFields(fields, unknown);
}
