import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, github } from '../../source/connectors/github/index.js';
import type { Datasets } from '../../source/domain/rules.js';
import { demoInstance } from '../../source/simulator/demo.js';
import { githubDemo } from '../../source/simulator/github.js';
import type { DemoTenant } from '../../source/simulator/types.js';
import { disposeWhenDone } from '../helpers/cleanup.js';
import { fakeClock } from '../helpers/clock.js';
import { collect, evaluateApp, simulate } from '../helpers/sim.js';

/**
 * The GitHub connector against GitHub's own published REST description (@octokit/openapi,
 * generated/api.github.com.json): its example payloads are served to the connector, every request
 * is checked against the operation it calls, and the simulator's answers are validated against the
 * operations' response schemas.
 */

interface Parameter {
  name: string;
  in: string;
}
interface Operation {
  operationId: string;
  parameters?: (Parameter | { $ref: string })[];
  responses: Record<string, { $ref?: string; content?: Record<string, ResponseContent> }>;
}
interface ResponseContent {
  schema?: unknown;
  examples?: Record<string, { $ref?: string; value?: unknown }>;
}
interface Description {
  paths: Record<string, { get?: Operation }>;
  components: {
    parameters: Record<string, Parameter>;
    responses: Record<string, { content?: Record<string, ResponseContent> }>;
    examples: Record<string, { value: unknown }>;
  };
}

// Large (13 MB): read once for the whole file.
const require = createRequire(import.meta.url);
const description = JSON.parse(
  readFileSync(require.resolve('@octokit/openapi/generated/api.github.com.json'), 'utf8'),
) as Description;

const operations = Object.entries(description.paths).flatMap(([template, item]) =>
  item.get
    ? [
        {
          template,
          op: item.get,
          // `{name}` is one path segment; `{path}`, a file's path in a repository, may have several.
          re: new RegExp(`^${template.replace('{path}', '.+').replace(/\{[^}]+\}/g, '[^/]+')}$`),
        },
      ]
    : [],
);

/** The GET operation of the description whose path template matches; undefined when none does. */
function operationFor(path: string) {
  const matches = operations.filter((o) => o.re.test(path));
  // A literal segment beats a template one (`/orgs/{org}/hooks` over `/orgs/{org}/{x}` if both existed).
  return matches.sort((a, b) => a.template.split('{').length - b.template.split('{').length)[0];
}

const refName = (ref: string) => ref.split('/').at(-1) ?? '';

function queryParameters(op: Operation): string[] {
  return (op.parameters ?? [])
    .map((p) => ('$ref' in p ? description.components.parameters[refName(p.$ref)] : p))
    .filter((p): p is Parameter => p?.in === 'query')
    .map((p) => p.name);
}

function json(op: Operation, status: string): ResponseContent | undefined {
  const r = op.responses[status];
  if (!r) return undefined;
  const resolved = r.$ref ? description.components.responses[refName(r.$ref)] : r;
  return resolved?.content?.['application/json'];
}

/** The example GitHub publishes for an operation's 200 answer. */
function example(op: Operation): unknown {
  const first = Object.values(json(op, '200')?.examples ?? {})[0];
  if (!first) throw new Error(`${op.operationId} has no published example`);
  return structuredClone(
    first.$ref ? description.components.examples[refName(first.$ref)]?.value : first.value,
  );
}

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

/**
 * A loopback GitHub that answers each GET with the published example of the operation it matches
 * (`change` may edit one example for a scenario); anything else is a 404, as GitHub answers.
 */
async function exampleServer(change: (operationId: string, body: unknown) => unknown = (_, b) => b) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    seen.push({
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
    });
    // GraphQL is not in the REST description: the branches query gets one branch, as GitHub shapes it.
    if (req.method === 'POST' && url.pathname === '/graphql') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(GRAPHQL_BRANCHES));
      return;
    }
    const match = req.method === 'GET' ? operationFor(url.pathname) : undefined;
    const body = match ? change(match.op.operationId, example(match.op)) : { message: 'Not Found' };
    res.writeHead(match ? 200 : 404, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  disposeWhenDone(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { seen, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A RefConnection of GitHub's GraphQL schema: the example repository's one branch (master). */
const GRAPHQL_BRANCHES = {
  data: {
    repository: {
      refs: {
        totalCount: 1,
        pageInfo: { hasNextPage: false, endCursor: 'MQ' },
        nodes: [{ name: 'master', target: { __typename: 'Commit', committedDate: '2026-10-30T08:00:00Z' } }],
      },
    },
  },
};

const TOKEN = 'ghp_contract0000000000000000000000000000';
const tenant: DemoTenant = {
  id: 'github-contract',
  app: 'github',
  name: 'GitHub contract',
  token: TOKEN,
  variable: 'POSTURE_GITHUB_CONTRACT',
  recommendations: true,
  // The organisation of GitHub's examples.
  options: { org: 'github' },
  data: {},
};

async function collectExamples(change?: (operationId: string, body: unknown) => unknown) {
  const server = await exampleServer(change);
  const clock = fakeClock();
  const out = await github.collect({
    instance: demoInstance(tenant, server.baseUrl, '2026-11-01T00:00:00.000Z'),
    secret: TOKEN,
    clock,
    deadline: clock.now() + 60_000,
  });
  return { ...server, datasets: out.datasets, results: evaluateApp('github', out.datasets) };
}

const items = (datasets: Datasets, name: string) => {
  const ds = datasets[name];
  return ds?.ok ? (ds.items as Record<string, unknown>[]) : [];
};

describe("GitHub connector on GitHub's published examples", () => {
  it('sends GETs on paths of the description, with declared query parameters and the required headers', async () => {
    const { seen: all } = await collectExamples();
    // Besides REST, one GraphQL query per active repository (its branches), with the same headers.
    const posts = all.filter((s) => s.method !== 'GET');
    expect(posts.map((s) => `${s.method} ${s.path}`)).toEqual(['POST /graphql']);
    expect(posts[0]?.headers['content-type']).toMatch(/^application\/json/);
    expect(posts[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const seen = all.filter((s) => s.method === 'GET');
    const called = seen.map((s) => operationFor(s.path)?.op.operationId);
    expect(called).toEqual([
      'orgs/get',
      'code-security/get-default-configurations',
      'actions/get-github-actions-permissions-organization',
      'actions/get-github-actions-default-workflow-permissions-organization',
      'orgs/list-webhooks',
      'orgs/list-members',
      'actions/list-self-hosted-runner-groups-for-org',
      'actions/list-org-secrets',
      'repos/list-for-org',
      'repos/get-branch-rules',
      // The rules example comes from two rulesets: each one's bypass list is read once.
      'repos/get-repo-ruleset',
      'repos/get-repo-ruleset',
      'repos/codeowners-errors',
      // The content example answers the first place GitHub looks for SECURITY.md.
      'repos/get-content',
      'repos/list-collaborators',
      'code-scanning/list-recent-analyses',
    ]);
    for (const s of seen) {
      const match = operationFor(s.path);
      expect(s.method, s.path).toBe('GET');
      expect(match, s.path).toBeDefined();
      const declared = queryParameters(match?.op as Operation);
      for (const name of s.query.keys()) expect(declared, `${s.path} ?${name}`).toContain(name);
      // GitHub requires a User-Agent; the rest is what its description and docs ask for.
      expect(s.headers.accept).toBe('application/vnd.github+json');
      expect(s.headers['user-agent']).toMatch(/^posture\//);
      expect(s.headers['x-github-api-version']).toBe(API_VERSION);
      expect(s.headers.authorization).toBe(`Bearer ${TOKEN}`);
    }
  });

  it('judges the organisation, Actions and webhook examples as their values mean', async () => {
    const { results } = await collectExamples();
    const outcomes = Object.fromEntries(Object.entries(results).map(([id, r]) => [id, r.outcome]));
    expect(outcomes).toMatchObject({
      // organization-full: two_factor_requirement_enabled true, default_repository_permission "read",
      // members_can_create_public_repositories false, members_can_delete_repositories true,
      // members_can_change_repo_visibility true, members_can_fork_private_repositories false,
      // web_commit_signoff_required false.
      'gh.org.2fa': 'pass',
      'gh.org.base_perm': 'pass',
      'gh.org.repo_create': 'pass',
      'gh.org.repo_delete': 'fail',
      'gh.org.visibility_change': 'fail',
      'gh.org.fork_private': 'pass',
      'gh.org.web_commit_signoff': 'fail',
      // actions-organization-permissions: allowed_actions "selected";
      // actions-default-workflow-permissions: "read", can_approve_pull_request_reviews true.
      'gh.org.actions_allowed': 'pass',
      'gh.org.actions_token': 'pass',
      'gh.org.actions_approve_prs': 'fail',
      // org-hook-items: an active hook whose config has no secret.
      'gh.org.webhooks': 'fail',
    });
    expect(results['gh.org.webhooks']?.failing).toEqual([{ id: '1', name: 'web #1 → example.com' }]);
  });

  it('reads the code-security default configurations example as secret scanning and push protection on for every new repository', async () => {
    const { results, datasets } = await collectExamples();
    // public → "octo-org recommended settings", private_and_internal → "GitHub recommended": both enabled.
    expect(items(datasets, 'github:code-security/defaults')).toMatchObject([
      { _id: 'public', configuration: 'octo-org recommended settings', secret_scanning: 'enabled' },
      {
        _id: 'private_and_internal',
        configuration: 'GitHub recommended',
        secret_scanning_push_protection: 'enabled',
      },
    ]);
    expect(results['gh.org.secret_scanning_default']).toMatchObject({ outcome: 'pass', count: 2, total: 2 });
    expect(results['gh.org.push_protection_default']).toMatchObject({ outcome: 'pass', count: 2, total: 2 });
    // Had the deprecated organisation fields decided (both false in organization-full), both would fail.
  });

  it('marks the repository lists hidden: the organisation counts 102 repositories and the list has one', async () => {
    const { results, datasets } = await collectExamples();
    const gap = {
      reason: 'GitHub counts 101 more repositories in the organisation than it listed to this token',
      missing: 'read access to every repository of the organisation',
    };
    expect(datasets['github:repos']).toMatchObject({ hidden: gap });
    expect(datasets['github:repos/default-branch']).toMatchObject({ hidden: gap });
    // minimal-repository: secret scanning "enabled", but over a partial list that is no pass.
    expect(results['gh.repo.secret_scanning']).toMatchObject({ outcome: 'unknown', missing: gap.missing });
  });

  it('never calls a repository unprotected when the example token is not its admin', async () => {
    const { datasets, seen } = await collectExamples();
    // minimal-repository: permissions.admin false, so classic protection is not asked for; the
    // rules example (commit message and author email patterns) requires no review.
    expect(seen.some((s) => s.path.endsWith('/protection'))).toBe(false);
    expect(items(datasets, 'github:repos/default-branch')).toEqual([
      expect.objectContaining({
        id: 1296269,
        repo: 'octocat/Hello-World',
        branch: 'master',
        _missing: 'admin on the repository',
      }),
    ]);
  });

  it('judges the examples of the organisation-wide and per-repository reads as their values mean', async () => {
    const { results, datasets, seen } = await collectExamples();
    // collaborator-items lists one administrator; code-scanning-analysis-items one analysis.
    expect(items(datasets, 'github:repos/details')).toEqual([
      expect.objectContaining({
        repo: 'octocat/Hello-World',
        codeowners: true,
        // codeowners-errors: two syntax errors in the file.
        codeowners_errors: 2,
        security_policy: true,
        security_policy_path: 'SECURITY.md',
        admins: 1,
        code_scanning: true,
      }),
    ]);
    const admins = seen.find((s) => s.path.endsWith('/collaborators'));
    expect(Object.fromEntries(admins?.query ?? [])).toMatchObject({
      permission: 'admin',
      affiliation: 'all',
    });
    expect(seen.find((s) => s.path.endsWith('/code-scanning/analyses'))?.query.get('per_page')).toBe('1');
    // runner-groups-org: "Default" is open to all repositories and to public ones.
    expect(results['gh.org.runner_groups_private']).toMatchObject({ outcome: 'fail' });
    expect(results['gh.org.runner_groups_selected']?.failing).toEqual([
      { id: '1', name: 'runner group Default' },
    ]);
    // organization-actions-secret-paginated: every secret last updated in January 2020.
    expect(results['gh.org.secrets_rotated']).toMatchObject({ outcome: 'fail' });
    // repository-ruleset: team 234 may always bypass; a team is not the admin role.
    expect(items(datasets, 'github:repos/branch-rules')[0]).toMatchObject({
      ruleset_bypass_actors: 2,
      ruleset_bypass: 'Team 234 (always), Team 234 (always)',
    });
    // simple-user-items lists one owner.
    expect(results['gh.org.owner_count']).toMatchObject({ outcome: 'pass' });
  });

  it('reads the branch-protection example for an admin: two approvals, force pushes allowed', async () => {
    // The one change to an example: the token is admin on the listed repository.
    const { datasets, results, seen } = await collectExamples((operationId, body) =>
      operationId === 'repos/list-for-org'
        ? (body as Record<string, unknown>[]).map((r) => ({
            ...r,
            permissions: { admin: true, push: true, pull: true },
          }))
        : body,
    );
    expect(seen.map((s) => operationFor(s.path)?.op.operationId)).toContain('repos/get-branch-protection');
    expect(items(datasets, 'github:repos/default-branch')).toEqual([
      expect.objectContaining({ id: 1296269, required_approvals: 2, force_push_blocked: false }),
    ]);
    expect(results['gh.repo.branch_protection']?.failing).toEqual([
      { id: '1296269', name: 'octocat/Hello-World' },
    ]);
  });
});

/**
 * OpenAPI 3.0's `nullable` beside `type` means "or null"; a few schemas of the description (code
 * scanning's, rulesets') put it beside a `$ref` or `allOf` alone, which ajv refuses to compile.
 * There it adds nothing a JSON Schema validator can check, so it is dropped.
 */
function withoutUntypedNullable(node: unknown): unknown {
  if (Array.isArray(node)) node.forEach(withoutUntypedNullable);
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if ('nullable' in o && !('type' in o)) delete o.nullable;
    Object.values(o).forEach(withoutUntypedNullable);
  }
  return node;
}

describe("GitHub simulator against the description's response schemas", () => {
  const DESCRIPTION_ID = 'https://api.github.com/openapi.json';
  const ajv = new Ajv({ strict: false, validateSchema: false, allErrors: false });
  addFormats.default(ajv);
  beforeAll(() => {
    ajv.addSchema(withoutUntypedNullable(structuredClone(description)) as object, DESCRIPTION_ID);
  });

  function validate(op: Operation, status: number, body: unknown): string | undefined {
    // A status the operation does not declare is still an error body in GitHub's one format.
    const content =
      json(op, String(status)) ?? description.components.responses.not_found?.content?.['application/json'];
    if (!content?.schema) return `no schema for ${op.operationId} ${status}`;
    // The operation's schema, its references pointed into the description added above.
    const key = `https://posture.invalid/${op.operationId}/${status}`;
    const check =
      ajv.getSchema(key) ??
      (ajv.addSchema(
        JSON.parse(
          JSON.stringify(content.schema).replaceAll('"#/components/', `"${DESCRIPTION_ID}#/components/`),
        ) as object,
        key,
      ),
      ajv.getSchema(key));
    if (!check) return `no schema for ${op.operationId} ${status}`;
    if (check(body)) return undefined;
    return `${op.operationId} ${status}: ${ajv.errorsText(check.errors)}`;
  }

  function raw(url: string, headers: Record<string, string>) {
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(url, { headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it.each(githubDemo.map((t) => [t.name, t] as const))(
    'answers every request the connector makes for %s as the description says',
    async (_name, t) => {
      const sim = await simulate([t]);
      await collect(github, sim, t);
      // GraphQL posts are not REST operations (github-branches.test.ts covers them).
      const asked = [...new Set(sim.log.filter((l) => l.method === 'GET').map((l) => l.path + l.query))];
      const problems: string[] = [];
      const schemas = new Set<string>();
      for (const pathAndQuery of asked) {
        const path = pathAndQuery.split('?')[0] ?? '';
        // GitHub's own `link` URLs name the organisation by id on a path its description omits.
        const described = path.replace(/^\/organizations\/\d+\/repos$/, '/orgs/{org}/repos');
        const match = operationFor(described);
        if (!match) {
          problems.push(`${path} is not in the description`);
          continue;
        }
        const res = await raw(`${sim.baseUrl(t.id)}${pathAndQuery}`, {
          authorization: `Bearer ${t.token}`,
          'user-agent': 'posture-contract-test',
          accept: 'application/vnd.github+json',
        });
        schemas.add(`${match.op.operationId} ${res.status}`);
        const problem = validate(match.op, res.status, JSON.parse(res.body));
        if (problem) problems.push(problem);
      }
      expect(problems).toEqual([]);
      expect(schemas.size).toBeGreaterThanOrEqual(5);
    },
  );
});
