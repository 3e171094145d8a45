import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../source/catalog/index.js';
import {
  combineProtection,
  github,
  githubVendor,
  REPO_DETAILS_OFF,
} from '../../source/connectors/github/index.js';
import { ConnectorError, HttpClient } from '../../source/connectors/http.js';
import type { Datasets } from '../../source/domain/rules.js';
import { githubDemo } from '../../source/simulator/github.js';
import type { DemoTenant } from '../../source/simulator/types.js';
import { VENDOR_SIMS } from '../../source/simulator/vendors.js';
import { fakeClock } from '../helpers/clock.js';
import { answering } from '../helpers/faults.js';
import { collect, evaluateApp, instanceFor, simulate, startSim, tenantCopy } from '../helpers/sim.js';

const [contoso, demoLabs] = githubDemo as [DemoTenant, DemoTenant];
// Contoso Labs as a plain member's token sees it: these tests are about what a member cannot see.
// (The demo's own Labs token is a security manager's, tested below.)
const labs = tenantCopy(demoLabs, { data: { ...structuredClone(demoLabs.data), role: 'member' } });

const resultsOf = (datasets: Datasets) => evaluateApp('github', datasets);

const withThrottle = (t: DemoTenant, throttle: Record<string, unknown>) =>
  tenantCopy(t, { data: { ...structuredClone(t.data), throttle } });

/** A request straight to the simulator, with exactly the headers given (node:http adds no User-Agent). */
function raw(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request(url, { headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

const apiHeaders = (t: DemoTenant) => ({
  authorization: `Bearer ${t.token}`,
  'user-agent': 'curl/8.5.0',
  accept: 'application/vnd.github+json',
});

describe('GitHub connector against the simulator', () => {
  it('reads both demo organisations and evaluates them differently', async () => {
    const sim = await simulate([contoso, labs]);
    const a = resultsOf((await collect(github, sim, contoso)).datasets);
    const b = resultsOf((await collect(github, sim, labs)).datasets);

    expect(a['gh.org.2fa']?.outcome).toBe('pass');
    expect(a['gh.org.base_perm']?.outcome).toBe('fail');
    expect(a['gh.org.actions_token']?.outcome).toBe('fail');
    expect(a['gh.org.actions_allowed']?.outcome).toBe('pass');
    // One active hook skips TLS verification; the inactive one without a secret does not count.
    expect(a['gh.org.webhooks']).toMatchObject({ outcome: 'fail', count: 1, total: 2 });
    // GitHub omits this field for Contoso's plan: unknown, not a fail.
    expect(a['gh.org.visibility_change']?.outcome).toBe('unknown');
    // 24 active repositories (2 archived are left out); protection comes from classic rules or rulesets.
    expect(a['gh.repo.branch_protection']).toMatchObject({ outcome: 'partial', count: 15, total: 24 });
    expect(a['gh.repo.secret_scanning']).toMatchObject({ outcome: 'partial', count: 20, total: 24 });

    // Labs' token has no admin:org: the settings are unknown with the reason, never failed.
    expect(b['gh.org.2fa']?.outcome).toBe('unknown');
    expect(b['gh.org.2fa']?.reason).toMatch(
      /only to owners whose token has the admin:org scope \(this token's scopes: read:org, repo\)/,
    );
    expect(b['gh.org.actions_token']?.reason).toBe(
      'the token may not read this: it needs the admin:org scope (GitHub 403: Resource not accessible by personal access token)',
    );
    expect(b['gh.org.webhooks']?.reason).toBe(
      'the token may not read this: it needs the admin:org_hook scope (GitHub 404: Not Found)',
    );
    // Repositories whose protection the token cannot read leave the share unknown: no guessed points.
    expect(b['gh.repo.branch_protection']).toMatchObject({ outcome: 'unknown' });
    expect(b['gh.repo.branch_protection']?.failing?.length).toBe(3);
    expect(b['gh.repo.dependabot']).toMatchObject({ outcome: 'unknown' });
    expect(b['gh.repo.dependabot']?.failing?.length).toBe(5);
    // What fails for Labs is only what any reader of a repository can see (its files, its
    // administrators, its code scanning), never what the member's token was refused.
    expect(
      Object.entries(b)
        .filter(([, r]) => r.outcome === 'fail' || r.outcome === 'partial')
        .map(([id]) => id)
        .sort(),
    ).toEqual([
      'gh.repo.code_scanning',
      'gh.repo.codeowners',
      'gh.repo.security_policy',
      'gh.repo.two_admins',
    ]);
  });

  it('sends the bearer token and the headers GitHub requires on every request', async () => {
    const sim = await simulate([contoso]);
    await collect(github, sim, contoso);
    expect(sim.log.length).toBeGreaterThan(10);
    for (const r of sim.log) {
      expect(r.headers.authorization).toBe(`Bearer ${contoso.token}`);
      expect(r.headers['user-agent']).toBe('posture/0.1');
      expect(r.headers.accept).toBe('application/vnd.github+json');
      expect(r.headers['x-github-api-version']).toBe('2022-11-28');
    }
  });

  it('is refused by the simulator without a User-Agent, as GitHub does', async () => {
    const sim = await simulate([contoso]);
    const url = `${sim.baseUrl(contoso.id)}/orgs/contoso`;
    const { 'user-agent': _ua, ...noAgent } = apiHeaders(contoso);
    const refused = await raw(url, noAgent);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatch(
      /^Request forbidden by administrative rules\. Please make sure your request has a User-Agent header/,
    );
    const served = await raw(url, apiHeaders(contoso));
    expect(served.status).toBe(200);
  });

  it('follows the link header across the pages of repositories', async () => {
    const sim = await simulate([contoso]);
    const { datasets } = await collect(github, sim, contoso);
    const repos = datasets['github:repos'];
    const expected = (contoso.data.repos as { id: number }[]).map((r) => r.id);
    expect(repos?.ok && repos.items.map((r) => (r as { id: number }).id)).toEqual(expected);
    const pages = sim.log.filter((r) => r.path.endsWith('/repos'));
    expect(pages.map((r) => r.path + r.query)).toEqual([
      '/orgs/contoso/repos?type=all&per_page=100',
      // GitHub's links name the organisation by id: followed as given, never rebuilt.
      '/organizations/5124091/repos?type=all&per_page=100&page=2',
      '/organizations/5124091/repos?type=all&per_page=100&page=3',
    ]);
  });

  it('follows pages of branch rules too', async () => {
    const tiny = tenantCopy(contoso, { pageSize: 1 });
    const sim = await simulate([tiny]);
    const { datasets } = await collect(github, sim, tiny);
    const ds = datasets['github:repos/default-branch'];
    const payments = ds?.ok && ds.items.find((i) => (i as { repo: string }).repo === 'contoso/payments-api');
    // pull_request is on page 1 and non_fast_forward on page 2 of four.
    expect(payments).toMatchObject({ required_approvals: 2, force_push_blocked: true });
    expect(sim.log.filter((r) => r.path === '/repos/contoso/payments-api/rules/branches/main')).toHaveLength(
      4,
    );
  });

  it('turns a bad token into one line without the token, after one request', async () => {
    const sim = await simulate([contoso]);
    const err = await collect(github, sim, contoso, 'ghp_wrongtoken1234567').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).message).toBe('GitHub 401: Bad credentials');
    expect((err as ConnectorError).kind).toBe('auth');
    expect(err).toMatchObject({ code: undefined, vendorMessage: 'Bad credentials' });
    expect(sim.log).toHaveLength(1);
  });

  it.each([403, 429])('waits for x-ratelimit-reset on a primary limit answered with %i', async (status) => {
    const t = withThrottle(contoso, { status });
    const sim = await simulate(
      [t],
      [{ kind: 'rateLimit', tenant: t.id, path: '/hooks', times: 1, resetSeconds: 20 }],
    );
    const { datasets, clock } = await collect(github, sim, t);
    expect(datasets['github:hooks']?.ok).toBe(true);
    expect(clock.sleeps).toHaveLength(1);
    // Reset is 20 s after the server's Date (1 s resolution), plus a second of margin.
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(19_000);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(22_000);
    expect(sim.log.filter((r) => r.path === '/orgs/contoso/hooks')).toHaveLength(2);
  });

  it.each([403, 429])('waits retry-after seconds on a secondary limit answered with %i', async (status) => {
    const t = withThrottle(contoso, { status, secondary: true });
    const sim = await simulate(
      [t],
      [{ kind: 'rateLimit', tenant: t.id, path: '/repos', times: 1, resetSeconds: 7 }],
    );
    const { datasets, clock } = await collect(github, sim, t);
    expect(datasets['github:repos']?.ok).toBe(true);
    expect(clock.sleeps).toEqual([7_000]);
  });

  it('waits at least a minute on a secondary limit without retry-after', async () => {
    const t = withThrottle(contoso, { secondary: true, retryAfter: false });
    const sim = await simulate([t], [{ kind: 'rateLimit', tenant: t.id, path: '/actions', times: 1 }]);
    const { datasets, clock } = await collect(github, sim, t);
    expect(datasets['github:actions/permissions']?.ok).toBe(true);
    expect(clock.sleeps).toEqual([60_000]);
  });

  it('ends the poll with "rate limited until" when the reset is beyond the poll budget', async () => {
    const sim = await simulate([contoso], [{ kind: 'rateLimit', tenant: contoso.id, resetSeconds: 3600 }]);
    const err = await collect(github, sim, contoso).catch((e: unknown) => e);
    expect((err as ConnectorError).kind).toBe('rate_limited');
    expect((err as Error).message).toMatch(/^rate limited by GitHub until \d{4}-\d\d-\d\dT/);
    expect(sim.log).toHaveLength(1);
  });

  it('never takes a rate-limit 403 for a dataset the token may not read', async () => {
    // Labs' token may not read Actions settings, but this 403 is GitHub throttling, not a refusal.
    const sim = await simulate(
      [labs],
      [{ kind: 'rateLimit', tenant: labs.id, path: '/actions', resetSeconds: 3600 }],
    );
    const err = await collect(github, sim, labs).catch((e: unknown) => e);
    expect((err as ConnectorError).kind).toBe('rate_limited');
  });

  it('reports a plain 403 as an unreadable dataset and carries on', async () => {
    const sim = await simulate(
      [contoso],
      [{ kind: 'status', status: 403, tenant: contoso.id, path: '/hooks' }],
    );
    const { datasets } = await collect(github, sim, contoso);
    const hooks = datasets['github:hooks'];
    expect(hooks?.ok).toBe(false);
    // The token has admin:org_hook, so what it lacks is the owner role the description names.
    expect(hooks).toMatchObject({
      ok: false,
      reason: 'the token may not read this: it needs the organisation owner role (GitHub 403: Forbidden)',
      missing: 'the organisation owner role',
    });
    expect(datasets['github:repos']?.ok).toBe(true);
  });

  it('uses a bounded number of requests: one per list page, at most nine per active repository', async () => {
    const sim = await simulate([contoso, labs]);
    // Contoso: org, code security defaults, 2 Actions, hooks, owners, runner groups, secrets, 3 repo
    // pages; 24 classic reads and 24 rule reads (the branch-rules settings may come from either
    // source, so both are always read); 4 ruleset bypass lists (the organisation's ruleset, on 3
    // repositories, read once); per repository one CODEOWNERS, one administrators and one code
    // scanning read (72), and 59 SECURITY.md reads (1 to 3 each: the first place that has it);
    // one GraphQL branches read per repository (24, each under 100 branches).
    expect((await collect(github, sim, contoso)).requests).toBe(56 + 3 + 4 + 72 + 59 + 24);
    // Labs: org, code security defaults (404), 2 Actions (403), hooks (404), owners, runner groups
    // (403), secrets (403), 3 repo pages; classic only where the token is admin (5), rules for all
    // 11, 6 bypass lists; 33 per-repository reads and 29 SECURITY.md reads; 11 GraphQL branch reads.
    expect((await collect(github, sim, labs)).requests).toBe(94 + 11);
    // Every REST read is asked once (GraphQL posts share one path; their variables differ).
    const seen = sim.log.filter((r) => r.method === 'GET').map((r) => `${r.tenant}${r.path}${r.query}`);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('rejects a body that does not match the expected shape', async () => {
    const sim = await simulate(
      [contoso],
      [{ kind: 'wrongTypes', tenant: contoso.id, path: '/orgs/contoso/repos' }],
    );
    const err = await collect(github, sim, contoso).catch((e: unknown) => e);
    expect((err as ConnectorError).kind).toBe('malformed');
    expect((err as Error).message).toMatch(/^unexpected response for repositories at 0/);
  });

  it('retries a 500 a bounded number of times, then fails with one line', async () => {
    const sim = await simulate([contoso], [{ kind: 'status', status: 500, tenant: contoso.id }]);
    const err = await collect(github, sim, contoso).catch((e: unknown) => e);
    expect((err as Error).message).toBe('GitHub 500: Server Error');
    expect(sim.log).toHaveLength(3);
  });

  it('needs the organisation, and says so when it does not exist', async () => {
    const sim = await simulate([contoso]);
    const clock = fakeClock();
    const run = (options: Record<string, string>) =>
      github
        .collect({
          instance: instanceFor(sim!, contoso, { options }),
          secret: contoso.token,
          clock,
          deadline: clock.now() + 120_000,
        })
        .then(
          () => new Error('collected without an error'),
          (e: unknown) => e as Error,
        );
    expect((await run({})).message).toBe('GitHub needs the organisation: set the instance option "org"');
    expect(sim.log).toHaveLength(0);
    expect((await run({ org: 'fabrikam' })).message).toBe(
      'GitHub organisation "fabrikam" was not found, or this token may not see it (GitHub 404: Not Found)',
    );
  });

  it('reads GitHub Enterprise Server under its /api/v3 base URL', async () => {
    const ghes = tenantCopy(contoso, {
      data: { ...structuredClone(contoso.data), enterpriseServer: '3.17.0' },
    });
    const sim = await simulate([ghes]);
    const clock = fakeClock();
    const out = await github.collect({
      instance: instanceFor(sim, ghes, { baseUrl: `${sim.baseUrl(ghes.id)}/api/v3` }),
      secret: ghes.token,
      clock,
      deadline: clock.now() + 120_000,
    });
    expect(resultsOf(out.datasets)['gh.repo.branch_protection']).toMatchObject({ count: 15, total: 24 });
    // REST under /api/v3; GraphQL (the branches) at Enterprise Server's /api/graphql.
    expect(sim.log.every((r) => r.path.startsWith('/api/v3/') || r.path === '/api/graphql')).toBe(true);
  });
});

describe('GitHub connector: secret scanning defaults for new repositories', () => {
  const ghesTenant = (t: DemoTenant, version: string) =>
    tenantCopy(t, { data: { ...structuredClone(t.data), enterpriseServer: version } });
  const collectGhes = async (t: DemoTenant) => {
    const sim = await simulate([t]);
    const clock = fakeClock();
    const out = await github.collect({
      instance: instanceFor(sim, t, { baseUrl: `${sim.baseUrl(t.id)}/api/v3` }),
      secret: t.token,
      clock,
      deadline: clock.now() + 120_000,
    });
    return { out, sim, results: resultsOf(out.datasets) };
  };

  it('judges each kind of new repository by its default code security configuration, not by the closing-down org fields', async () => {
    // The deprecated organisation fields say push protection is on: GitHub's configurations say otherwise.
    const data = structuredClone(contoso.data) as { org: Record<string, unknown> };
    data.org.secret_scanning_push_protection_enabled_for_new_repositories = true;
    const t = tenantCopy(contoso, { data });
    const sim = await simulate([t]);
    const r = resultsOf((await collect(github, sim, t)).datasets);
    expect(r['gh.org.secret_scanning_default']).toMatchObject({ outcome: 'pass', count: 2, total: 2 });
    expect(r['gh.org.push_protection_default']).toMatchObject({
      outcome: 'fail',
      failing: [{ id: 'private_and_internal', name: 'new private and internal repositories' }],
    });
    expect(r['gh.org.push_protection_default']?.evidence).toContainEqual({
      item: 'new private and internal repositories',
      path: '/secret_scanning_push_protection',
      value: 'disabled',
    });
    expect(sim.log.map((l) => l.path)).toContain('/orgs/contoso/code-security/configurations/defaults');
  });

  it('is unknown for a member, naming the role, and never falls back to the org fields', async () => {
    const sim = await simulate([labs]);
    const r = resultsOf((await collect(github, sim, labs)).datasets);
    for (const id of ['gh.org.secret_scanning_default', 'gh.org.push_protection_default'])
      expect(r[id]).toMatchObject({
        outcome: 'unknown',
        reason:
          'GitHub shows default code security configurations only to organisation owners and security managers (GitHub 404: Not Found)',
        missing: 'the organisation owner or security manager role',
      });
  });

  it('names the read:org scope when a classic token lacks it', async () => {
    const t = tenantCopy(labs, { data: { ...structuredClone(labs.data), scopes: ['repo'], role: 'owner' } });
    const sim = await simulate([t]);
    const r = resultsOf((await collect(github, sim, t)).datasets);
    expect(r['gh.org.secret_scanning_default']).toMatchObject({
      outcome: 'unknown',
      missing: 'the read:org scope',
    });
  });

  it('on an Enterprise Server without configurations, reads the organisation setting instead', async () => {
    const { results, sim } = await collectGhes(ghesTenant(contoso, '3.14.2'));
    expect(sim.log.map((l) => l.path)).toContain(
      '/api/v3/orgs/contoso/code-security/configurations/defaults',
    );
    expect(results['gh.org.secret_scanning_default']).toMatchObject({ outcome: 'pass', count: 1, total: 1 });
    expect(results['gh.org.push_protection_default']).toMatchObject({
      outcome: 'fail',
      failing: [{ id: 'organisation', name: 'new repositories (organisation setting)' }],
    });
    // A member there sees neither: unknown with the role, not a fail.
    const member = await collectGhes(ghesTenant(labs, '3.14.2'));
    expect(member.results['gh.org.secret_scanning_default']).toMatchObject({
      outcome: 'unknown',
      missing: 'the organisation owner or security manager role',
    });
  });

  it('on an Enterprise Server with configurations, a 404 is a refusal, not an absent endpoint', async () => {
    const owner = await collectGhes(ghesTenant(contoso, '3.17.0'));
    expect(owner.results['gh.org.push_protection_default']?.failing?.map((f) => f.id)).toEqual([
      'private_and_internal',
    ]);
    const member = await collectGhes(ghesTenant(labs, '3.17.0'));
    expect(member.results['gh.org.push_protection_default']).toMatchObject({
      outcome: 'unknown',
      missing: 'the organisation owner or security manager role',
    });
  });

  it('never falls back on a 403, even on an Enterprise Server without configurations', async () => {
    const t = ghesTenant(contoso, '3.14.2');
    const sim = await simulate(
      [t],
      [{ kind: 'status', status: 403, tenant: t.id, path: '/api/v3/orgs/contoso/code-security' }],
    );
    const clock = fakeClock();
    const out = await github.collect({
      instance: instanceFor(sim, t, { baseUrl: `${sim.baseUrl(t.id)}/api/v3` }),
      secret: t.token,
      clock,
      deadline: clock.now() + 120_000,
    });
    expect(resultsOf(out.datasets)['gh.org.secret_scanning_default']).toMatchObject({
      outcome: 'unknown',
      missing: 'the organisation owner or security manager role',
    });
  });
});

describe('GitHub connector: what a least-privilege token cannot see', () => {
  it('makes a repository whose protection it cannot read unseen, naming admin on the repository', async () => {
    const sim = await simulate([labs]);
    const { datasets } = await collect(github, sim, labs);
    const ds = datasets['github:repos/default-branch'];
    const quantum =
      ds?.ok && ds.items.find((i) => (i as { repo: string }).repo === 'contoso-labs/quantum-sim');
    expect(quantum).toMatchObject({ id: 902450004, _missing: 'admin on the repository' });
    const r = resultsOf(datasets)['gh.repo.branch_protection'];
    expect(r?.outcome).toBe('unknown');
    expect(r?.missing).toBe('admin on the repository');
    expect(r?.reason).toMatch(
      /^could not judge \d+ of 11 repositories: GitHub shows classic branch protection only to repository admins/,
    );
    // Failing repositories are named by their id, first in the evidence.
    expect(r?.failing?.every((f) => /^\d+$/.test(f.id))).toBe(true);
  });

  it('makes a repository whose security_and_analysis GitHub hides unseen for the repository controls', async () => {
    const sim = await simulate([labs]);
    const r = resultsOf((await collect(github, sim, labs)).datasets);
    for (const id of ['gh.repo.secret_scanning', 'gh.repo.dependabot']) {
      expect(r[id]?.outcome).toBe('unknown');
      expect(r[id]?.missing).toBe(
        'admin on the repository, or the organisation owner or security manager role',
      );
      expect(r[id]?.reason).toMatch(
        /^could not judge 6 of 11 repositories: GitHub shows security_and_analysis only/,
      );
    }
  });

  it('sees security_and_analysis as a security manager, without admin on the repositories', async () => {
    const t = tenantCopy(labs, { data: { ...structuredClone(labs.data), role: 'security_manager' } });
    const sim = await simulate([t]);
    const r = resultsOf((await collect(github, sim, t)).datasets);
    expect(r['gh.repo.secret_scanning']).toMatchObject({ outcome: 'partial', count: 6, total: 11 });
    expect(r['gh.org.secret_scanning_default']?.outcome).toBe('fail');
  });

  it("marks the repository lists hidden when the organisation's counts show repositories the listing missed", async () => {
    // An owner's classic token without the repo scope lists only the 7 public repositories of 26.
    const t = tenantCopy(contoso, {
      data: { ...structuredClone(contoso.data), scopes: ['admin:org', 'admin:org_hook', 'read:user'] },
    });
    const sim = await simulate([t]);
    const { datasets } = await collect(github, sim, t);
    const gap = {
      reason: 'GitHub counts 19 more repositories in the organisation than it listed to this token',
      missing: 'the repo scope',
    };
    expect(datasets['github:repos']).toMatchObject({ ok: true, hidden: gap });
    expect(datasets['github:repos/default-branch']).toMatchObject({ ok: true, hidden: gap });
    const r = resultsOf(datasets);
    // Six public repositories are seen to pass or fail, but no share is given over a partial list.
    expect(r['gh.repo.secret_scanning']).toMatchObject({ outcome: 'unknown', missing: 'the repo scope' });
    expect(r['gh.repo.branch_protection']).toMatchObject({ outcome: 'unknown', missing: 'the repo scope' });
    // The full list is not hidden.
    const full = await collect(github, await simulate([contoso]), contoso);
    expect(full.datasets['github:repos']).not.toHaveProperty('hidden');
  });

  it('names the owner role and the admin:org scope for the organisation settings a member cannot see', async () => {
    const sim = await simulate([labs]);
    const r = resultsOf((await collect(github, sim, labs)).datasets);
    expect(r['gh.org.2fa']).toMatchObject({
      outcome: 'unknown',
      missing: 'the admin:org scope, as an organisation owner',
    });
  });
});

describe('GitHub simulator', () => {
  it('pages like GitHub: one link header with prev, next, last and first', async () => {
    const sim = await simulate([contoso]);
    const at = (page: number) =>
      `${sim.baseUrl(contoso.id)}/organizations/5124091/repos?per_page=10&page=${page}`;
    const rels = async (page: number) => {
      const link = String((await raw(at(page), apiHeaders(contoso))).headers.link ?? '');
      return [...link.matchAll(/<([^>]+)>; rel="(\w+)"/g)].map(
        (m) => `${m[2]}=${new URL(m[1] ?? '').searchParams.get('page')}`,
      );
    };
    expect(await rels(1)).toEqual(['next=2', 'last=3']);
    expect(await rels(2)).toEqual(['prev=1', 'next=3', 'last=3', 'first=1']);
    expect(await rels(3)).toEqual(['prev=2', 'first=1']);
    // A list that fits on one page has no link header at all.
    const hooks = await raw(`${sim.baseUrl(contoso.id)}/orgs/contoso/hooks`, apiHeaders(contoso));
    expect(hooks.headers.link).toBeUndefined();
  });

  it('puts rate-limit headers on every API reply and GitHub error bodies with a string status', async () => {
    const sim = await simulate([contoso]);
    const base = sim.baseUrl(contoso.id);
    const replies = [
      await raw(`${base}/orgs/contoso`, apiHeaders(contoso)),
      await raw(`${base}/orgs/nope`, apiHeaders(contoso)),
      await raw(`${base}/orgs/contoso`, { ...apiHeaders(contoso), authorization: 'Bearer nope' }),
    ];
    for (const r of replies)
      for (const h of ['limit', 'remaining', 'reset', 'used', 'resource'])
        expect(r.headers[`x-ratelimit-${h}`]).toBeDefined();
    expect(JSON.parse(replies[1]?.body ?? '')).toMatchObject({ message: 'Not Found', status: '404' });
    expect(JSON.parse(replies[2]?.body ?? '')).toEqual({
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
      status: '401',
    });
    const version = await raw(`${base}/orgs/contoso`, {
      ...apiHeaders(contoso),
      'x-github-api-version': '2020-01-01',
    });
    expect(version.status).toBe(400);
  });

  it('answers an unprotected branch with "Branch not protected", and hides protection from non-admins', async () => {
    const sim = await simulate([labs]);
    const base = sim.baseUrl(labs.id);
    const unprotected = await raw(
      `${base}/repos/contoso-labs/vr-showroom/branches/main/protection`,
      apiHeaders(labs),
    );
    expect(unprotected.status).toBe(404);
    expect(JSON.parse(unprotected.body)).toMatchObject({ message: 'Branch not protected', status: '404' });
    const hidden = await raw(
      `${base}/repos/contoso-labs/quantum-sim/branches/main/protection`,
      apiHeaders(labs),
    );
    expect(JSON.parse(hidden.body)).toMatchObject({ message: 'Not Found', status: '404' });
  });
  it('serves code security configurations as GitHub does: 200 to owners, 404 to members, 403 without read:org, none before 3.15', async () => {
    const withData = (t: DemoTenant, id: string, extra: Record<string, unknown>) =>
      tenantCopy(t, { id, data: { ...structuredClone(t.data), ...extra } });
    const noScope = withData(contoso, 'github-no-read-org', { scopes: ['repo'] });
    const oldGhes = withData(contoso, 'github-ghes-3-14', { enterpriseServer: '3.14.2' });
    const sim = await simulate([contoso, labs, noScope, oldGhes]);
    const get = (t: DemoTenant, path: string, prefix = '') =>
      raw(`${sim.baseUrl(t.id)}${prefix}${path}`, apiHeaders(t));
    const owner = await get(contoso, '/orgs/contoso/code-security/configurations/defaults');
    expect(owner.status).toBe(200);
    expect(owner.headers['x-oauth-scopes']).toBe('admin:org, admin:org_hook, read:user, repo');
    const body = JSON.parse(owner.body) as { default_for_new_repos: string; configuration: { id: number } }[];
    expect(body.map((d) => [d.default_for_new_repos, d.configuration.id])).toEqual([
      ['public', 17],
      ['private_and_internal', 4211],
    ]);
    expect((await get(labs, '/orgs/contoso-labs/code-security/configurations/defaults')).status).toBe(404);
    expect((await get(noScope, '/orgs/contoso/code-security/configurations')).status).toBe(403);
    expect(
      (await get(oldGhes, '/orgs/contoso/code-security/configurations/defaults', '/api/v3')).status,
    ).toBe(404);
    expect((await get(oldGhes, '/orgs/contoso', '/api/v3')).headers['x-github-enterprise-version']).toBe(
      '3.14.2',
    );
    // target_type=global lists GitHub's own configurations; paging is by opaque cursors.
    const global = JSON.parse(
      (await get(contoso, '/orgs/contoso/code-security/configurations?target_type=global')).body,
    );
    expect(global.map((c: { id: number }) => c.id)).toEqual([17]);
    const first = await get(contoso, '/orgs/contoso/code-security/configurations?per_page=1');
    const next = /<([^>]+)>; rel="next"/.exec(String(first.headers.link))?.[1] ?? '';
    expect(new URL(next).searchParams.get('after')).toBeTruthy();
    expect(JSON.parse((await raw(next, apiHeaders(contoso))).body).map((c: { id: number }) => c.id)).toEqual([
      4211,
    ]);
  });

  it("omits the owner's fields for others, and shows a security manager the security defaults", async () => {
    const manager = tenantCopy(labs, {
      id: 'github-security-manager',
      data: { ...structuredClone(labs.data), role: 'security_manager' },
    });
    const sim = await simulate([labs, manager]);
    const org = async (t: DemoTenant) =>
      JSON.parse((await raw(`${sim.baseUrl(t.id)}/orgs/contoso-labs`, apiHeaders(t))).body) as Record<
        string,
        unknown
      >;
    const member = await org(labs);
    expect(member).not.toHaveProperty('two_factor_requirement_enabled');
    expect(member).not.toHaveProperty('total_private_repos');
    expect(member).not.toHaveProperty('secret_scanning_enabled_for_new_repositories');
    expect(member.public_repos).toBe(3);
    const seen = await org(manager);
    expect(seen).not.toHaveProperty('two_factor_requirement_enabled');
    expect(seen.secret_scanning_enabled_for_new_repositories).toBe(false);
  });

  it('lists to a member only the private repositories they have access to', async () => {
    const data = structuredClone(labs.data) as { repos: Record<string, unknown>[] };
    (data.repos[1] as Record<string, unknown>)._noAccess = true;
    const t = tenantCopy(labs, { data, pageSize: 100 });
    const sim = await simulate([t]);
    const names = async () =>
      (
        JSON.parse(
          (await raw(`${sim.baseUrl(t.id)}/orgs/contoso-labs/repos?per_page=100`, apiHeaders(t))).body,
        ) as { name: string; _noAccess?: boolean }[]
      ).map((r) => r.name);
    expect(await names()).not.toContain('vr-showroom');
    expect((await names()).length).toBe(11);
  });
});

describe('combineProtection', () => {
  const strong = { approvals: 2, forcePushBlocked: true };
  const none = { approvals: 0, forcePushBlocked: false, none: true };
  it('takes the stronger of the two sources when both were read', () => {
    expect(combineProtection(none, strong)).toEqual({ required_approvals: 2, force_push_blocked: true });
    expect(combineProtection(none, none)).toEqual({ required_approvals: 0, force_push_blocked: false });
  });
  it('keeps what one source proves when the other could not be read, and guesses nothing else', () => {
    expect(combineProtection(undefined, strong)).toEqual({ required_approvals: 2, force_push_blocked: true });
    expect(combineProtection(undefined, none)).toEqual({});
    expect(combineProtection(undefined, { approvals: 0, forcePushBlocked: true })).toEqual({
      force_push_blocked: true,
    });
    expect(combineProtection(undefined, undefined)).toEqual({});
  });
});

describe('the demo Contoso Labs token: a security manager without admin:org', () => {
  it('evaluates the security defaults and repository settings, and names what it lacks for the rest', async () => {
    const sim = await simulate([demoLabs]);
    const r = resultsOf((await collect(github, sim, demoLabs)).datasets);
    for (const id of ['gh.org.secret_scanning_default', 'gh.repo.secret_scanning', 'gh.repo.dependabot'])
      expect(r[id]?.outcome).not.toBe('unknown');
    expect(r['gh.org.2fa']).toMatchObject({
      outcome: 'unknown',
      missing: 'the admin:org scope, as an organisation owner',
    });
    expect(r['gh.org.webhooks']?.missing).toMatch(/admin:org_hook/);
  });
});

describe('GitHub connector: the default branch setting by setting (github:repos/branch-rules)', () => {
  const item = (datasets: Datasets, repo: string) => {
    const ds = datasets['github:repos/branch-rules'];
    return ds?.ok ? (ds.items.find((i) => (i as { repo: string }).repo === repo) as object) : undefined;
  };

  it('reads each setting from classic protection and from the rulesets that apply', async () => {
    const sim = await simulate([contoso]);
    const { datasets } = await collect(github, sim, contoso);
    // Classic protection only: two approvals, stale dismissal, code owners, strict checks, admins enforced.
    expect(item(datasets, 'contoso/web-storefront')).toEqual({
      id: expect.any(Number),
      repo: 'contoso/web-storefront',
      branch: 'main',
      required_approvals: 2,
      dismiss_stale_reviews: true,
      code_owner_reviews: true,
      status_checks: true,
      status_checks_up_to_date: true,
      conversation_resolution: true,
      signed_commits: false,
      linear_history: false,
      deletion_blocked: true,
      force_push_blocked: true,
      dismissal_restricted: false,
      push_restricted: false,
      code_scanning_required: false,
      admins_included: true,
      ruleset_bypass_actors: 0,
    });
    // Rulesets only ("Branch not protected" in classic): the ruleset lets the admin role bypass it.
    expect(item(datasets, 'contoso/payments-api')).toMatchObject({
      required_approvals: 2,
      dismiss_stale_reviews: true,
      signed_commits: true,
      deletion_blocked: true,
      status_checks: false,
      admins_included: false,
      ruleset_bypass_actors: 1,
      ruleset_bypass: 'RepositoryRole 5 (always)',
    });
    // The organisation's ruleset with an empty bypass list holds administrators.
    expect(item(datasets, 'contoso/billing-jobs')).toMatchObject({
      admins_included: true,
      ruleset_bypass_actors: 0,
    });
    const r = resultsOf(datasets);
    expect(r['gh.repo.signed_commits']).toMatchObject({ outcome: 'partial' });
    expect(r['gh.org.verified_domain']?.outcome).toBe('pass');
    expect(r['gh.org.team_create']).toMatchObject({ outcome: 'fail', failing: [{ name: 'contoso' }] });
  });

  it("leaves a setting unknown, naming the missing right, where a member's token cannot read classic protection", async () => {
    const sim = await simulate([labs]);
    const { datasets } = await collect(github, sim, labs);
    const ds = datasets['github:repos/branch-rules'];
    const partly = ds?.ok
      ? ds.items.filter((i) => '_unseenFields' in (i as object) && !('_unseen' in (i as object)))
      : [];
    expect(partly.length).toBeGreaterThan(0);
    expect(partly[0]).toMatchObject({
      _unseenFields: { admins_included: { missing: 'admin on the repository' } },
    });
    expect(resultsOf(datasets)['gh.repo.admins_included']).toMatchObject({
      outcome: 'unknown',
      missing: 'admin on the repository',
    });
  });
});

describe('GitHub connector: ruleset bypass lists, repository files, administrators and code scanning', () => {
  const details = (datasets: Datasets, repo: string) => {
    const ds = datasets['github:repos/details'];
    return ds?.ok ? ds.items.find((i) => (i as { repo: string }).repo === repo) : undefined;
  };

  it('reads none of them on an instance with repoDetails=off: those controls are unknown and say why', async () => {
    const off = tenantCopy(contoso, { options: { ...contoso.options, repoDetails: 'off' } });
    const sim = await simulate([off]);
    const { datasets } = await collect(github, sim, off);
    const detailReads = sim.log.filter((l) =>
      /\/(codeowners\/errors|contents\/|collaborators|code-scanning\/)/.test(l.path),
    );
    expect(detailReads).toEqual([]);
    expect(datasets['github:repos/details']).toEqual({ ok: false, reason: REPO_DETAILS_OFF });
    const results = resultsOf(datasets);
    const onDetails = loadCatalog()
      .forApp('github')
      .filter((c) => c.rule.dataset === 'github:repos/details');
    expect(onDetails.length).toBeGreaterThan(0);
    for (const c of onDetails)
      expect(results[c.id]).toMatchObject({ outcome: 'unknown', reason: REPO_DETAILS_OFF });
    // The other controls still judge the organisation.
    expect(results['gh.org.2fa']?.outcome).not.toBe('unknown');
  });

  it("reads an organisation ruleset's bypass list once per poll, and each repository's own", async () => {
    const sim = await simulate([contoso]);
    await collect(github, sim, contoso);
    const reads = sim.log.filter((l) => /\/rulesets\/\d+$/.test(l.path)).map((l) => l.path.split('/').at(-1));
    expect(reads.sort()).toEqual(['1482301', '1490022', '1490310', '1490512']);
  });

  it('reads files, administrators and code scanning from what GitHub answers', async () => {
    const sim = await simulate([contoso]);
    const { datasets } = await collect(github, sim, contoso);
    expect(details(datasets, 'contoso/identity-service')).toEqual({
      id: expect.any(Number),
      repo: 'contoso/identity-service',
      codeowners: true,
      codeowners_errors: 0,
      security_policy: true,
      security_policy_path: 'docs/SECURITY.md',
      admins: 2,
      code_scanning: true,
      code_scanning_last: '2026-10-29T06:00:00Z',
    });
    // No CODEOWNERS (404), no SECURITY.md in any of the three places, code scanning unavailable
    // (403 "Advanced Security must be enabled"): each is an answer, not a gap.
    expect(details(datasets, 'contoso/ml-models')).toMatchObject({
      codeowners: false,
      security_policy: false,
      admins: 1,
      code_scanning: false,
    });
    expect(
      sim.log.filter((l) => l.path.startsWith('/repos/contoso/ml-models/contents/')).map((l) => l.path),
    ).toEqual([
      '/repos/contoso/ml-models/contents/SECURITY.md',
      '/repos/contoso/ml-models/contents/.github/SECURITY.md',
      '/repos/contoso/ml-models/contents/docs/SECURITY.md',
    ]);
  });

  it('leaves the bypass list and the administrators unknown where the token may not see them, naming the right', async () => {
    const member: DemoTenant = structuredClone(labs);
    const repos = (member.data as { repos: { name: string; permissions: Record<string, boolean> }[] }).repos;
    const readOnly = repos.find((r) => r.name === 'edge-inference');
    if (readOnly)
      readOnly.permissions = { admin: false, maintain: false, push: false, triage: false, pull: true };
    const sim = await simulate([member]);
    const { datasets } = await collect(github, sim, member);
    const rules = datasets['github:repos/branch-rules'];
    const edge = rules?.ok
      ? rules.items.find((i) => (i as { repo: string }).repo === 'contoso-labs/edge-inference')
      : undefined;
    expect(edge).toMatchObject({
      _unseenFields: {
        ruleset_bypass_actors: { missing: expect.stringMatching(/^admin on the repository/) },
      },
    });
    expect(details(datasets, 'contoso-labs/edge-inference')).toMatchObject({
      _unseenFields: { admins: { missing: 'write access to the repository' } },
    });
    const r = resultsOf(datasets);
    expect(r['gh.repo.ruleset_bypass']).toMatchObject({ outcome: 'unknown' });
    // Runner groups and secrets are an owner's: the member's token is refused, naming the role.
    expect(r['gh.org.runner_groups_private']).toMatchObject({
      outcome: 'unknown',
      missing: 'the admin:org scope',
    });
  });

  it('never counts owners from a token without read:org, which GitHub shows public members only', async () => {
    const noReadOrg: DemoTenant = structuredClone(labs);
    (noReadOrg.data as { scopes: string[] }).scopes = ['repo'];
    const sim = await simulate([noReadOrg]);
    const { datasets } = await collect(github, sim, noReadOrg);
    expect(resultsOf(datasets)['gh.org.owner_count']).toMatchObject({
      outcome: 'unknown',
      missing: 'the read:org scope',
    });
    expect(sim.log.some((l) => l.path.endsWith('/members'))).toBe(false);
  });
});

describe('GitHub error messages as data', () => {
  // GitHub sends no code for its refusals: the message field, exactly, is what the connector decides on.
  const PROTECTION = '/repos/contoso/docs-site/branches/main/protection';
  const docsSite = (datasets: Datasets) => {
    const ds = datasets['github:repos/default-branch'];
    return ds?.ok
      ? (ds.items.find((i) => (i as { repo: string }).repo === 'contoso/docs-site') as object)
      : undefined;
  };

  it("arrive on the client's error as GitHub's message field, apart from the line around it", async () => {
    const sim = await simulate([contoso]);
    const client = new HttpClient({
      baseUrl: sim.baseUrl(contoso.id),
      vendor: githubVendor,
      auth: () => ({ authorization: `Bearer ${contoso.token}` }),
      secrets: () => [contoso.token],
    });
    const err = await client.get(PROTECTION).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ kind: 'not_found', status: 404, vendorMessage: 'Branch not protected' });
    expect((err as ConnectorError).code).toBeUndefined();
    // The connector reads that answer as "unprotected".
    expect(docsSite((await collect(github, sim, contoso)).datasets)).toMatchObject({
      required_approvals: 0,
      force_push_blocked: false,
      sources: 'branch protection: none; rulesets: none',
    });
  });

  it.each([
    { message: 'Not Found', errors: [{ message: 'Branch not protected' }] },
    { message: 'Not Found (Branch not protected)' },
  ])(
    'takes a 404 whose text merely contains "Branch not protected" for a protection it cannot see: %j',
    async (body) => {
      const sim = await startSim({
        tenants: [contoso],
        vendors: VENDOR_SIMS,
        intercept: answering((req) => req.path === PROTECTION, { status: 404, body }),
      });
      const item = docsSite((await collect(github, sim, contoso)).datasets);
      expect(item).toMatchObject({
        sources: 'branch protection: not visible to this token; rulesets: none',
        _unseen: expect.stringMatching(/^GitHub shows classic branch protection only to repository admins/),
      });
      expect(item).not.toHaveProperty('required_approvals');
    },
  );
});

describe('GitHub connector: one malformed field fails only what depends on it', () => {
  const withRepos = (patch: (repos: Record<string, unknown>[]) => void) => {
    const t = tenantCopy(contoso);
    patch((t.data as { repos: Record<string, unknown>[] }).repos);
    return t;
  };
  const branchItem = (datasets: Datasets, repo: string) => {
    const ds = datasets['github:repos/default-branch'];
    return ds?.ok ? (ds.items.find((i) => (i as { repo: string }).repo === repo) as object) : undefined;
  };

  it('makes a repository whose default branch is a lone surrogate unseen, and reads the rest', async () => {
    const t = withRepos((repos) => (repos[1]!.default_branch = 'main\ud800'));
    const sim = await simulate([t]);
    const { datasets } = await collect(github, sim, t);
    expect(branchItem(datasets, 'contoso/payments-api')).toMatchObject({
      branch: 'main\ufffd',
      _unseen: expect.stringMatching(/default branch name that is not valid Unicode text/),
    });
    // Its neighbours were read as usual, and the repository itself is judged on its other settings.
    expect(branchItem(datasets, 'contoso/web-storefront')).not.toHaveProperty('_unseen');
    const repos = datasets['github:repos'];
    expect(repos?.ok && repos.items.filter((i) => '_unseen' in (i as object))).toEqual([]);
    const r = resultsOf(datasets)['gh.repo.branch_protection'];
    expect(r?.reason).toMatch(
      /could not judge 1 of 24 repositories: GitHub reported a repository or default branch name that is not valid Unicode/,
    );
  });

  it('makes a repository listed with a malformed field unseen, and reads the rest', async () => {
    const t = withRepos((repos) => (repos[2]!.archived = 'no'));
    const sim = await simulate([t]);
    const { datasets } = await collect(github, sim, t);
    const repos = datasets['github:repos'];
    const bad =
      repos?.ok && repos.items.find((i) => (i as { _label?: string })._label === 'contoso/identity-service');
    expect(bad).toMatchObject({
      _unseen: expect.stringMatching(
        /^GitHub listed this repository in a shape posture cannot read \(at archived: /,
      ),
    });
    expect(branchItem(datasets, 'contoso/identity-service')).toMatchObject({ _unseen: expect.any(String) });
    expect(branchItem(datasets, 'contoso/web-storefront')).not.toHaveProperty('_unseen');
  });

  it('makes a repository whose branch protection body is malformed unseen, and reads the rest', async () => {
    const t = withRepos(
      (repos) => (repos[0]!._protection = { allow_force_pushes: { enabled: 'sometimes' } }),
    );
    const sim = await simulate([t]);
    const { datasets } = await collect(github, sim, t);
    expect(branchItem(datasets, 'contoso/web-storefront')).toMatchObject({
      _unseen: expect.stringMatching(
        /^GitHub answered about this repository's default branch in a shape posture cannot read/,
      ),
    });
    expect(branchItem(datasets, 'contoso/identity-service')).not.toHaveProperty('_unseen');
  });
});
