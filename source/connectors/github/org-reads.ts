import { z } from 'zod';
import type { Dataset } from '../../domain/rules.js';
import { dataset, linkPaged, unreadable } from '../datasets.js';
import type { HttpClient } from '../http.js';

/**
 * Organisation-wide reads, one paged list each (their cost does not grow with repositories):
 * the owners (GET /orgs/{org}/members?role=admin), the self-hosted runner groups
 * (GET /orgs/{org}/actions/runner-groups) and the Actions secrets (GET /orgs/{org}/actions/secrets).
 */

const DAY_MS = 86_400_000;
// Classic scopes that include read:org.
const READ_ORG = ['read:org', 'write:org', 'admin:org'];

const Member = z.looseObject({ login: z.string(), id: z.number() });
const RunnerGroup = z.looseObject({
  id: z.number(),
  name: z.string(),
  visibility: z.string(),
  allows_public_repositories: z.boolean(),
  inherited: z.boolean().optional(),
});
const Secret = z.looseObject({
  name: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  visibility: z.string().optional(),
});
// Both lists come wrapped with their total count.
const RunnerGroups = z
  .looseObject({ total_count: z.number(), runner_groups: z.array(RunnerGroup) })
  .transform((b) => b.runner_groups);
const Secrets = z
  .looseObject({ total_count: z.number(), secrets: z.array(Secret) })
  .transform((b) => b.secrets);

const adminOrg = (scopes: string[] | undefined, role: string) => {
  const lacks = scopes !== undefined && !scopes.includes('admin:org');
  const missing = lacks ? 'the admin:org scope' : role;
  return { reason: `the token may not read this: it needs ${missing}`, missing };
};

/**
 * How many owners the organisation has. Without read:org GitHub lists public members only, so a
 * count would be too low: the dataset is then unreadable, naming the scope.
 */
export async function owners(
  client: HttpClient,
  o: string,
  org: { id: number; login: string },
  scopes: string[] | undefined,
): Promise<Dataset> {
  if (scopes !== undefined && !scopes.some((s) => READ_ORG.includes(s)))
    return {
      ok: false,
      reason: 'a classic token without read:org sees only the public members of the organisation',
      missing: 'the read:org scope',
    };
  return dataset(
    async () => {
      const list = await linkPaged(
        client,
        `${o}/members`,
        { role: 'admin', per_page: 100 },
        z.array(Member),
        'organisation owners',
      );
      return [
        {
          _id: org.id,
          _label: org.login,
          owners: list.length,
          owner_logins: list.map((m) => m.login).join(', '),
        },
      ];
    },
    {
      why: (e) =>
        unreadable(e)
          ? {
              reason: 'the token may not list the members of the organisation',
              missing: 'membership of the organisation',
            }
          : undefined,
    },
  );
}

export function runnerGroups(client: HttpClient, o: string, scopes: string[] | undefined): Promise<Dataset> {
  return dataset(
    async () => {
      const groups = await linkPaged(
        client,
        `${o}/actions/runner-groups`,
        { per_page: 100 },
        RunnerGroups,
        'runner groups',
      );
      return groups.map((g) => ({ ...g, _label: `runner group ${g.name}` }));
    },
    { why: (e) => (unreadable(e) ? adminOrg(scopes, 'the organisation owner role') : undefined) },
  );
}

export function secrets(
  client: HttpClient,
  o: string,
  scopes: string[] | undefined,
  now: number,
): Promise<Dataset> {
  return dataset(
    async () => {
      const list = await linkPaged(
        client,
        `${o}/actions/secrets`,
        { per_page: 100 },
        Secrets,
        'Actions secrets',
      );
      return list.map((s) => {
        const updated = Date.parse(s.updated_at);
        return {
          ...s,
          _id: s.name,
          _label: `secret ${s.name}`,
          ...(Number.isNaN(updated)
            ? {}
            : { _days_since_update: Math.max(0, Math.floor((now - updated) / DAY_MS)) }),
        };
      });
    },
    { why: (e) => (unreadable(e) ? adminOrg(scopes, 'the organisation owner role') : undefined) },
  );
}
