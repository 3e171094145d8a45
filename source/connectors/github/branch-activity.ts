import { z } from 'zod';
import { type Gap, unseenFields } from '../../domain/rules.js';
import { check } from '../datasets.js';
import { header, type HttpClient } from '../http.js';

/**
 * Each active repository's branches and the date of each one's last commit, for CIS GitHub 1.1.8
 * (stale branches). REST's branch list has no dates (a date would cost a request per branch);
 * GitHub's GraphQL API returns 100 branches per request with their head commit's committedDate,
 * so one request answers a repository of up to 100 branches. Reads stop after MAX_BRANCH_PAGES
 * pages; a repository with more is judged only when a stale branch was already found.
 */

/** GitHub's own "stale" (Branches › Stale): no commit for three months. */
export const STALE_BRANCH_DAYS = 90;
/** Pages of 100 branches read per repository at most (1,000 branches). */
export const MAX_BRANCH_PAGES = 10;
/** Stale branches named in evidence per repository. */
const NAMED = 5;

const DAY_MS = 86_400_000;

const QUERY = `query($owner: String!, $name: String!, $after: String) {
  repository(owner: $owner, name: $name) {
    refs(refPrefix: "refs/heads/", first: 100, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { name target { __typename ... on Commit { committedDate } } }
    }
  }
}`;

const Page = z.looseObject({
  data: z
    .looseObject({
      repository: z
        .looseObject({
          // null, beside a FORBIDDEN error, when the token may see the repository but not its contents.
          refs: z
            .looseObject({
              totalCount: z.number().int().nonnegative(),
              pageInfo: z.looseObject({ hasNextPage: z.boolean(), endCursor: z.string().nullish() }),
              nodes: z.array(
                z.looseObject({
                  name: z.string(),
                  target: z.looseObject({ committedDate: z.string().optional() }).nullish(),
                }),
              ),
            })
            .nullish(),
        })
        .nullish(),
    })
    .nullish(),
  errors: z.array(z.looseObject({ type: z.string().optional(), message: z.string() })).optional(),
});

export interface BranchRepo {
  id: number;
  name: string;
  full_name: string;
  owner: { login: string };
  default_branch?: string;
}

/** GitHub's GraphQL endpoint for a REST base URL: Enterprise Server serves it at /api/graphql. */
export function graphqlUrl(restBase: string): string {
  return /\/api\/v3$/.test(restBase) ? restBase.replace(/\/api\/v3$/, '/api/graphql') : `${restBase}/graphql`;
}

/**
 * GitHub's GraphQL points for the hour are spent. The REST reads of the poll stand; the branches
 * of this and the remaining repositories are not read (unknown), rather than waiting up to an hour.
 */
export class GraphqlLimited extends Error {
  constructor(readonly resetAt: number | undefined) {
    super(
      `GitHub's GraphQL rate limit ran out${resetAt === undefined ? '' : ` until ${new Date(resetAt).toISOString()}`}`,
    );
    this.name = 'GraphqlLimited';
  }
}

const READ_GAP = (message: string): Gap => ({
  reason: `GitHub's GraphQL API would not show this token the repository's branches (${message})`,
  missing: "read access to the repository, with a classic token's repo scope",
});

/** One repository's item of the github:repos/branches dataset. */
export async function branchActivity(
  client: HttpClient,
  repo: BranchRepo,
  now: number,
): Promise<Record<string, unknown>> {
  const fields: Record<string, unknown> = {
    id: repo.id,
    repo: repo.full_name.toWellFormed(),
    _label: repo.full_name.toWellFormed(),
  };
  const stale: { name: string; days: number }[] = [];
  let read = 0;
  let undated = 0;
  let total = 0;
  let after: string | null = null;
  for (let page = 0; ; page++) {
    if (page === MAX_BRANCH_PAGES) break;
    const res = await client.postJson(graphqlUrl(client.baseUrl), {
      query: QUERY,
      variables: { owner: repo.owner.login, name: repo.name, after },
    });
    const body = check(Page, res.body, `branches of ${repo.full_name}`);
    const refs = body.data?.repository?.refs;
    if (!refs) {
      const errors = body.errors ?? [];
      // GraphQL answers its primary rate limit with HTTP 200 and x-ratelimit-remaining 0.
      if (errors.some((e) => e.type === 'RATE_LIMITED')) {
        const reset = Number(header(res.headers, 'x-ratelimit-reset'));
        throw new GraphqlLimited(Number.isFinite(reset) && reset > 0 ? reset * 1000 : undefined);
      }
      const message = errors.map((e) => e.message).join('; ') || 'no repository in the answer';
      return unseenFields(fields, { stale_branches: READ_GAP(message) });
    }
    total = refs.totalCount;
    for (const node of refs.nodes) {
      read++;
      if (node.name === repo.default_branch) continue;
      const at = node.target?.committedDate ? Date.parse(node.target.committedDate) : Number.NaN;
      if (Number.isNaN(at)) {
        undated++;
        continue;
      }
      const days = Math.floor((now - at) / DAY_MS);
      if (days > STALE_BRANCH_DAYS) stale.push({ name: node.name, days });
    }
    if (!refs.pageInfo.hasNextPage || !refs.pageInfo.endCursor) break;
    after = refs.pageInfo.endCursor;
  }
  fields.branches = total;
  fields.branches_read = read;
  stale.sort((a, b) => b.days - a.days);
  const label = String(fields.repo);
  if (stale.length > 0) {
    const named = stale.slice(0, NAMED).map((s) => `${s.name} (${s.days} days)`);
    const more = stale.length > NAMED ? `, and ${stale.length - NAMED} more` : '';
    fields.stale_branch_names = named;
    // Evidence names the oldest stale branches, so the result says what to review.
    fields._label = `${label}: ${named.join(', ')}${more}`;
  }
  const capped = read < total;
  // A stale branch found is a failure whatever was not read; no stale branch proves nothing unless all were read.
  if (stale.length === 0 && (capped || undated > 0))
    return unseenFields(fields, {
      stale_branches: {
        reason: capped
          ? `posture reads at most ${MAX_BRANCH_PAGES * 100} branches per repository and read ${read} of ${total}; none of those was stale`
          : `${undated} branch(es) point at no commit GitHub dates (a tag or tree), so whether they are stale is not known`,
      },
    });
  fields.stale_branches = stale.length;
  if (capped) fields.stale_branches_note = `at least: ${read} of ${total} branches read`;
  return fields;
}
