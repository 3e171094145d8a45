import type { SimReply, SimRequest } from './types.js';

/**
 * GitHub's GraphQL endpoint (POST /graphql; /api/graphql on Enterprise Server), for the one query
 * the connector sends: a repository's branches (`refs(refPrefix: "refs/heads/")`) with each head
 * commit's committedDate. As GitHub answers: HTTP 200 with `errors` for a repository the token
 * cannot see (NOT_FOUND, `data.repository` null) and for the primary rate limit (RATE_LIMITED,
 * x-ratelimit-remaining 0); HTTP 401 for a bad token; cursors are opaque; `first` is 1 to 100.
 *
 * A repository's `_branches` (`{name, committedDate}`, or `target: 'tag'` for a ref at a tag)
 * lists its branches; without it, the default branch alone, dated by its pushed_at. A tenant whose
 * `forbidden` lists `/graphql` is a fine-grained token without the Contents permission.
 */

export interface SimBranch {
  name: string;
  committedDate?: string;
  target?: 'tag';
}

export interface GraphqlRepo {
  name: string;
  owner: { login: string };
  default_branch?: string;
  pushed_at?: unknown;
  _branches?: SimBranch[];
}

interface Query {
  query?: unknown;
  variables?: Record<string, unknown>;
}

const cursor = (n: number) => Buffer.from(`cursor:${n}`).toString('base64');
function offset(after: unknown): number {
  if (typeof after !== 'string') return 0;
  const n = Number(
    Buffer.from(after, 'base64')
      .toString()
      .replace(/^cursor:/, ''),
  );
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

function branchesOf(repo: GraphqlRepo): SimBranch[] {
  if (repo._branches) return repo._branches;
  const date = typeof repo.pushed_at === 'string' ? repo.pushed_at : '2026-01-01T00:00:00Z';
  return repo.default_branch ? [{ name: repo.default_branch, committedDate: date }] : [];
}

/**
 * One GraphQL request. `find` is the repository as this token may see it (undefined: hidden);
 * `limited` whether the GraphQL primary limit is spent; `pageSize` the tenant's largest page.
 */
export function graphql(
  req: SimRequest,
  find: (owner: string, name: string) => GraphqlRepo | undefined,
  limited: { userId: number } | undefined,
  pageSize: number,
  noContents = false,
): SimReply {
  let body: Query;
  try {
    body = JSON.parse(req.body) as Query;
  } catch {
    return {
      status: 400,
      body: { message: 'Problems parsing JSON', documentation_url: 'https://docs.github.com/graphql' },
    };
  }
  if (limited)
    return {
      status: 200,
      body: {
        errors: [
          { type: 'RATE_LIMITED', message: `API rate limit already exceeded for user ID ${limited.userId}.` },
        ],
      },
    };
  const query = typeof body.query === 'string' ? body.query : '';
  if (!/repository\s*\(/.test(query) || !/refs\s*\(/.test(query))
    return {
      status: 200,
      body: { errors: [{ message: 'The simulator answers only the branch query posture sends' }] },
    };
  const v = body.variables ?? {};
  const owner = typeof v.owner === 'string' ? v.owner : '';
  const name = typeof v.name === 'string' ? v.name : '';
  const repo = find(owner, name);
  if (!repo)
    return {
      status: 200,
      body: {
        data: { repository: null },
        errors: [
          {
            type: 'NOT_FOUND',
            path: ['repository'],
            locations: [{ line: 2, column: 3 }],
            message: `Could not resolve to a Repository with the name '${owner}/${name}'.`,
          },
        ],
      },
    };
  // A fine-grained token without the Contents permission sees the repository, not its refs.
  if (noContents)
    return {
      status: 200,
      body: {
        data: { repository: { refs: null } },
        errors: [
          {
            type: 'FORBIDDEN',
            path: ['repository', 'refs'],
            locations: [{ line: 3, column: 5 }],
            message: 'Resource not accessible by personal access token',
          },
        ],
      },
    };
  const first = Math.min(100, pageSize);
  const all = branchesOf(repo);
  const start = offset(v.after);
  const page = all.slice(start, start + first);
  const next = start + first < all.length;
  return {
    status: 200,
    body: {
      data: {
        repository: {
          refs: {
            totalCount: all.length,
            pageInfo: { hasNextPage: next, endCursor: page.length ? cursor(start + page.length) : null },
            nodes: page.map((b) => ({
              name: b.name,
              target:
                b.target === 'tag'
                  ? { __typename: 'Tag' }
                  : { __typename: 'Commit', committedDate: b.committedDate },
            })),
          },
        },
      },
    },
  };
}
