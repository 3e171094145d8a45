import { z } from 'zod';
import { type Gap, unseenFields } from '../../domain/rules.js';
import { check, linkPaged, unreadable } from '../datasets.js';
import { ConnectorError, type HttpClient } from '../http.js';

/**
 * What each active repository has besides branch rules, read with one request per question:
 * a CODEOWNERS file (GET …/codeowners/errors: 404 when there is none), a security policy
 * (GET …/contents/{path}, in the three places GitHub looks), its administrators
 * (GET …/collaborators?permission=admin) and code scanning (GET …/code-scanning/analyses?per_page=1).
 * A question GitHub would not answer leaves only its own field unseen.
 */

export interface RepoRef {
  id: number;
  name: string;
  full_name: string;
  owner: { login: string };
}

const path = (r: RepoRef) => `/repos/${encodeURIComponent(r.owner.login)}/${encodeURIComponent(r.name)}`;

/** The locations GitHub reads SECURITY.md from, most common first (stops at the first found). */
export const SECURITY_POLICY_PATHS = ['SECURITY.md', '.github/SECURITY.md', 'docs/SECURITY.md'] as const;

/** Most administrators a repository should have (Legitify's floor for its admin-count policy). */
export const MAX_REPO_ADMINS = 3;

const CodeownersErrors = z.looseObject({ errors: z.array(z.looseObject({})) });
const Collaborator = z.looseObject({
  login: z.string(),
  permissions: z.looseObject({ admin: z.boolean() }).optional(),
});
const Analysis = z.looseObject({ created_at: z.string() });

const notFound = (e: unknown): e is ConnectorError => e instanceof ConnectorError && e.kind === 'not_found';

const READ_GAP = (what: string): Gap => ({
  reason: `GitHub would not show this token the repository's ${what}`,
  missing: "read access to the repository, with a classic token's repo scope",
});
const COLLABORATORS_GAP: Gap = {
  reason: "GitHub lists a repository's collaborators only to those with write access to it",
  missing: 'write access to the repository',
};
const CODE_SCANNING_GAP: Gap = {
  reason: "GitHub would not show this token the repository's code scanning analyses",
  missing: "a classic token's repo (or security_events) scope, with read access to the repository",
};

type Answer<T> = { value: T } | { gap: Gap };

async function answer<T>(read: () => Promise<T>, gap: Gap): Promise<Answer<T>> {
  try {
    return { value: await read() };
  } catch (error) {
    if (!unreadable(error)) throw error;
    return { gap: { ...gap, reason: `${gap.reason} (${error.message})` } };
  }
}

async function codeowners(client: HttpClient, repo: RepoRef): Promise<number | null> {
  try {
    const res = await client.get(`${path(repo)}/codeowners/errors`);
    return check(CodeownersErrors, res.body, `CODEOWNERS errors of ${repo.full_name}`).errors.length;
  } catch (error) {
    // The repository was listed to this token, so a 404 here is "no CODEOWNERS file".
    if (notFound(error)) return null;
    throw error;
  }
}

async function securityPolicy(client: HttpClient, repo: RepoRef): Promise<string | null> {
  for (const file of SECURITY_POLICY_PATHS) {
    try {
      // The path's own slashes stay: GitHub's {path} is the file's path in the repository.
      await client.get(`${path(repo)}/contents/${file.split('/').map(encodeURIComponent).join('/')}`);
      return file;
    } catch (error) {
      if (!notFound(error)) throw error;
    }
  }
  return null;
}

async function admins(client: HttpClient, repo: RepoRef): Promise<number> {
  const list = await linkPaged(
    client,
    `${path(repo)}/collaborators`,
    { permission: 'admin', affiliation: 'all', per_page: 100 },
    z.array(Collaborator),
    `administrators of ${repo.full_name}`,
  );
  return list.length;
}

/**
 * Whether code scanning analyses the repository, and when it last did. GitHub answers 404 "no
 * analysis found" when nothing was ever uploaded, and 403 when code scanning is not available to
 * the repository (Advanced Security or Code Security off): both are "not scanned".
 */
async function codeScanning(client: HttpClient, repo: RepoRef): Promise<string | null> {
  try {
    const res = await client.get(`${path(repo)}/code-scanning/analyses`, { per_page: 1 });
    const list = check(z.array(Analysis), res.body, `code scanning analyses of ${repo.full_name}`);
    return list[0]?.created_at ?? null;
  } catch (error) {
    const message = error instanceof ConnectorError ? (error.vendorMessage ?? '') : '';
    if (notFound(error) && /no analysis found/i.test(message)) return null;
    if (
      error instanceof ConnectorError &&
      error.kind === 'forbidden' &&
      /(advanced security|code security) must be enabled|code scanning is not enabled/i.test(message)
    )
      return null;
    throw error;
  }
}

/** One repository's item of the github:repos/details dataset. */
export async function repoDetails(client: HttpClient, repo: RepoRef): Promise<Record<string, unknown>> {
  const fields: Record<string, unknown> = { id: repo.id, repo: repo.full_name };
  const gaps: Record<string, Gap> = {};
  const owners = await answer(() => codeowners(client, repo), READ_GAP('CODEOWNERS file'));
  if ('gap' in owners) gaps.codeowners = owners.gap;
  else {
    fields.codeowners = owners.value !== null;
    if (owners.value !== null) fields.codeowners_errors = owners.value;
  }
  const policy = await answer(() => securityPolicy(client, repo), READ_GAP('files'));
  if ('gap' in policy) gaps.security_policy = policy.gap;
  else {
    fields.security_policy = policy.value !== null;
    if (policy.value !== null) fields.security_policy_path = policy.value;
  }
  const adminCount = await answer(() => admins(client, repo), COLLABORATORS_GAP);
  if ('gap' in adminCount) gaps.admins = adminCount.gap;
  else fields.admins = adminCount.value;
  const scanned = await answer(() => codeScanning(client, repo), CODE_SCANNING_GAP);
  if ('gap' in scanned) gaps.code_scanning = scanned.gap;
  else {
    fields.code_scanning = scanned.value !== null;
    if (scanned.value !== null) fields.code_scanning_last = scanned.value;
  }
  return unseenFields(fields, gaps);
}
