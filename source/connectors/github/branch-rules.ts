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
    })
    .optional(),
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
  };
}

/** A classic source read: its settings, and whether it protects the branch at all. */
export interface ClassicRead {
  settings: Settings;
  /** enforce_admins.enabled; undefined when the branch has no classic protection. */
  adminsIncluded?: boolean;
}
/** The rulesets read: their settings, and how many rules apply. */
export interface RulesRead {
  settings: Settings;
  count: number;
}

/**
 * One item per default branch: each setting known, or left out with a per-field gap naming why.
 * Whether administrators are held to the rules: classic protection says it (enforce_admins);
 * rulesets hold everyone not on their bypass list, which this endpoint does not return.
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

  if (classic?.adminsIncluded === true) fields.admins_included = true;
  else if (classic === undefined) unknown.admins_included = gaps.classic;
  else if (rules === undefined) unknown.admins_included = gaps.rules;
  else if (rules.count === 0) fields.admins_included = false;
  else
    unknown.admins_included = {
      reason:
        "classic protection exempts administrators and rulesets apply to the branch; whether administrators may bypass them is in each ruleset's bypass list, which posture does not read yet",
    };
  return unseenFields(fields, unknown);
}
