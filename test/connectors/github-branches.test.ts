import { describe, expect, it } from 'vitest';
import { MAX_BRANCH_PAGES } from '../../source/connectors/github/branch-activity.js';
import { BRANCHES_OFF, github } from '../../source/connectors/github/index.js';
import type { Datasets } from '../../source/domain/rules.js';
import { githubDemo } from '../../source/simulator/github.js';
import type { DemoTenant } from '../../source/simulator/types.js';
import { fakeClock } from '../helpers/clock.js';
import { evaluateApp, instanceFor, simulate, tenantCopy } from '../helpers/sim.js';

/** CIS GitHub 1.1.8: branches with no commit for 90 days, read through GitHub's GraphQL API. */

const [contoso] = githubDemo as [DemoTenant];
const NOW = Date.parse('2026-11-01T00:00:00Z');
const CONTROL = 'gh.repo.stale_branches';

interface Branch {
  name: string;
  committedDate?: string;
  target?: 'tag';
}

/** Contoso with only its first repository, whose branches are `branches`. */
function oneRepo(branches: Branch[], patch: Partial<DemoTenant> = {}, data: Record<string, unknown> = {}) {
  const d = structuredClone(contoso.data) as {
    repos: Record<string, unknown>[];
    org: Record<string, unknown>;
  };
  const repo = { ...d.repos[0], _branches: branches };
  // The organisation's counts match the one (private) repository, so the listing is complete.
  const org = { ...d.org, public_repos: 0, total_private_repos: 1, owned_private_repos: 1 };
  return tenantCopy(contoso, { pageSize: 100, ...patch, data: { ...d, org, repos: [repo], ...data } });
}

async function poll(t: DemoTenant, extra: Parameters<typeof instanceFor>[2] = {}) {
  const sim = await simulate([t]);
  const clock = fakeClock(NOW);
  const out = await github.collect({
    instance: instanceFor(sim, t, extra),
    secret: t.token,
    clock,
    deadline: clock.now() + 120_000,
  });
  const graphql = sim.log.filter((l) => l.method === 'POST');
  return { datasets: out.datasets, results: evaluateApp('github', out.datasets), graphql, sim };
}

const branchItems = (datasets: Datasets) => {
  const ds = datasets['github:repos/branches'];
  return ds?.ok ? (ds.items as Record<string, unknown>[]) : [];
};

const recent = (n: number, prefix = 'feature/'): Branch[] =>
  Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}`, committedDate: '2026-10-20T00:00:00Z' }));

describe('GitHub stale branches (CIS 1.1.8)', () => {
  it('passes when every branch had a commit in the last 90 days, with one GraphQL request per repository', async () => {
    const t = oneRepo([{ name: 'main', committedDate: '2026-10-30T00:00:00Z' }, ...recent(3)]);
    const { results, datasets, graphql } = await poll(t);
    expect(graphql.map((l) => l.path)).toEqual(['/graphql']);
    expect(branchItems(datasets)[0]).toMatchObject({ branches: 4, branches_read: 4, stale_branches: 0 });
    expect(results[CONTROL]).toMatchObject({ outcome: 'pass' });
  });

  it('fails on the demo organisation, naming the stale branches and how old they are', async () => {
    const { results } = await poll(contoso);
    // Proportional: 22 of Contoso's 24 active repositories pass; two have stale branches.
    expect(results[CONTROL]).toMatchObject({ outcome: 'partial', count: 22, total: 24 });
    expect(results[CONTROL]?.failing?.map((f) => f.name).sort()).toEqual([
      'contoso/hackathon-2025: team-3/demo (351 days), team-5/prototype (350 days)',
      'contoso/web-storefront: spike/old-cart (243 days)',
    ]);
  });

  it('never counts the default branch, however old its last commit', async () => {
    const t = oneRepo([{ name: 'main', committedDate: '2024-01-01T00:00:00Z' }]);
    const { results } = await poll(t);
    expect(results[CONTROL]?.outcome).toBe('pass');
  });

  it(`reads at most ${MAX_BRANCH_PAGES} pages per repository, and a capped read with no stale branch is unknown`, async () => {
    const t = oneRepo([{ name: 'main', committedDate: '2026-10-30T00:00:00Z' }, ...recent(1049)]);
    const { results, datasets, graphql } = await poll(t);
    expect(graphql).toHaveLength(MAX_BRANCH_PAGES);
    expect(branchItems(datasets)[0]).toMatchObject({
      branches: 1050,
      branches_read: 1000,
      _unseenFields: {
        stale_branches: { reason: expect.stringContaining('read 1000 of 1050') },
      },
    });
    expect(results[CONTROL]).toMatchObject({ outcome: 'unknown' });
    expect(results[CONTROL]?.outcome).not.toBe('pass');
  });

  it('fails a capped read that already found a stale branch, saying the count is a floor', async () => {
    const t = oneRepo([{ name: 'old', committedDate: '2025-01-01T00:00:00Z' }, ...recent(1100)]);
    const { results, datasets } = await poll(t);
    expect(branchItems(datasets)[0]).toMatchObject({
      stale_branches: 1,
      stale_branches_note: 'at least: 1000 of 1101 branches read',
    });
    expect(results[CONTROL]?.outcome).toBe('fail');
  });

  it('follows GraphQL cursors across pages (pageInfo.endCursor)', async () => {
    const t = oneRepo([...recent(5), { name: 'zz-old', committedDate: '2026-01-01T00:00:00Z' }], {
      pageSize: 2,
    });
    const { datasets, graphql } = await poll(t);
    expect(graphql).toHaveLength(3);
    expect(branchItems(datasets)[0]).toMatchObject({ branches: 6, branches_read: 6, stale_branches: 1 });
  });

  it('is unknown when a branch points at no dated commit and nothing else is stale', async () => {
    const t = oneRepo([
      { name: 'main', committedDate: '2026-10-30T00:00:00Z' },
      { name: 'odd', target: 'tag' },
    ]);
    const { results } = await poll(t);
    expect(results[CONTROL]).toMatchObject({ outcome: 'unknown' });
  });

  it('reads nothing on an instance with repoDetails=off: unknown, saying why', async () => {
    const t = tenantCopy(contoso, { options: { ...contoso.options, repoDetails: 'off' } });
    const { results, graphql } = await poll(t);
    expect(graphql).toEqual([]);
    expect(results[CONTROL]).toMatchObject({ outcome: 'unknown', reason: BRANCHES_OFF });
  });

  it("is unknown, naming the right, when GitHub's GraphQL API refuses the repository's refs", async () => {
    const t = oneRepo([...recent(1), { name: 'old', committedDate: '2025-01-01T00:00:00Z' }], {
      forbidden: ['/graphql'],
    });
    const { results } = await poll(t);
    expect(results[CONTROL]).toMatchObject({
      outcome: 'unknown',
      missing: "read access to the repository, with a classic token's repo scope",
    });
    expect(results[CONTROL]?.reason).toContain('Resource not accessible by personal access token');
  });

  it('leaves the remaining repositories unknown when the GraphQL rate limit runs out, and keeps the REST reads', async () => {
    const t = tenantCopy(contoso, { data: { ...structuredClone(contoso.data), graphqlLimit: 3 } });
    const { results, datasets, graphql } = await poll(t);
    // The fourth request is answered RATE_LIMITED (HTTP 200, as GitHub answers GraphQL); no more are sent.
    expect(graphql).toHaveLength(4);
    const unseen = branchItems(datasets).filter((i) => typeof i._unseen === 'string');
    expect(unseen.length).toBe(branchItems(datasets).length - 3);
    expect(unseen[0]?._unseen).toMatch(/^not read: GitHub's GraphQL rate limit ran out until 20\d\d-/);
    // Contoso has stale branches among the repositories read later: nothing may pass.
    expect(results[CONTROL]?.outcome).not.toBe('pass');
    expect(results['gh.org.2fa']?.outcome).toBe('pass');
  });

  it("posts to Enterprise Server's /api/graphql", async () => {
    const t = tenantCopy(contoso, {
      data: { ...structuredClone(contoso.data), enterpriseServer: '3.17.0' },
    });
    const sim = await simulate([t]);
    const clock = fakeClock(NOW);
    const out = await github.collect({
      instance: instanceFor(sim, t, { baseUrl: `${sim.baseUrl(t.id)}/api/v3` }),
      secret: t.token,
      clock,
      deadline: clock.now() + 120_000,
    });
    expect(new Set(sim.log.filter((l) => l.method === 'POST').map((l) => l.path))).toEqual(
      new Set(['/api/graphql']),
    );
    expect(evaluateApp('github', out.datasets)[CONTROL]?.outcome).toBe('partial');
  });
});
