import { z } from 'zod';
import { type Gap, unseenFields } from '../../domain/rules.js';
import { ConnectorError, type HttpClient } from '../http.js';
import { check } from '../datasets.js';
import { SCOPE, needs } from './scopes.js';

/**
 * Okta's administrators, read as the Admin Console's Security › Administrators page lists them:
 * every user with a role assignment (listUsersWithRoleAssignments), each with its roles
 * (listAssignedRolesForUser: direct and group assignments), its status and last sign-in
 * (getUser) and its enrolled factors (listFactors). Roles need okta.roles.read; the user and
 * its factors okta.users.read, so a token with roles only still counts super admins.
 */

const MAX_PAGES = 100;
const DAY = 86_400_000;
/** Factor types that are bound to the origin: Passkey (FIDO2 WebAuthn), Okta FastPass, U2F keys. */
const PHISHING_RESISTANT = ['webauthn', 'signed_nonce', 'u2f'];

const Assignees = z.looseObject({
  value: z.array(z.looseObject({ id: z.string() })),
  _links: z.looseObject({ next: z.looseObject({ href: z.string() }).optional() }).optional(),
});
const Role = z.looseObject({ type: z.string(), status: z.string().optional() });
const User = z.looseObject({
  id: z.string(),
  status: z.string(),
  created: z.string().nullish(),
  activated: z.string().nullish(),
  lastLogin: z.string().nullish(),
  profile: z.looseObject({ login: z.string().optional() }).optional(),
});
const Factor = z.looseObject({ factorType: z.string(), status: z.string() });

/** Whole days from an ISO time to now; undefined when there is no time to count from. */
export function daysSince(iso: string | null | undefined, now: number): number | undefined {
  const t = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(t) ? undefined : Math.max(0, Math.floor((now - t) / DAY));
}

export interface Admin {
  id: string;
  login: string;
  roles: string[];
  _superAdmin: boolean;
  [k: string]: unknown;
}

/**
 * The users with role assignments. This operation pages with `_links.next` in its body (a
 * RoleAssignedUsers object), not a Link header; the client follows only links to this org.
 */
async function assignees(client: HttpClient): Promise<string[]> {
  const ids: string[] = [];
  let next: string | undefined = client.url('/api/v1/iam/assignees/users', { limit: 100 }).href;
  for (let page = 0; next; page++) {
    if (page >= MAX_PAGES)
      throw new ConnectorError(`administrators: more than ${MAX_PAGES} pages`, 'malformed');
    const body: z.infer<typeof Assignees> = check(
      Assignees,
      (await client.get(next)).body,
      'users with role assignments',
    );
    client.collected(body.value.length);
    ids.push(...body.value.map((u) => u.id));
    next = body._links?.next?.href;
  }
  return [...new Set(ids)];
}

/**
 * Every administrator with its roles, and what getUser and listFactors say of it. `gapOf` turns
 * a refused or missing user into the reason its fields are not seen (any other error fails).
 */
export async function readAdmins(
  client: HttpClient,
  now: number,
  gapOf: (error: ConnectorError) => Gap | undefined,
): Promise<Admin[]> {
  const ids = await needs(SCOPE.roles, () => assignees(client));
  const admins: Admin[] = [];
  for (const id of ids) {
    const at = `/api/v1/users/${encodeURIComponent(id)}`;
    const roles = await needs(SCOPE.roles, async () =>
      check(z.array(Role), (await client.get(`${at}/roles`)).body, 'role assignments'),
    );
    const types = roles.filter((r) => r.status !== 'INACTIVE').map((r) => r.type);
    const base: Admin = { id, login: id, roles: types, _superAdmin: types.includes('SUPER_ADMIN') };
    try {
      const user = await needs(SCOPE.users, async () => check(User, (await client.get(at)).body, 'user'));
      const factors = await needs(SCOPE.users, async () =>
        check(z.array(Factor), (await client.get(`${at}/factors`)).body, 'factors'),
      );
      const days = daysSince(user.lastLogin ?? user.activated ?? user.created, now);
      admins.push({
        ...base,
        login: user.profile?.login ?? id,
        status: user.status,
        lastLogin: user.lastLogin ?? null,
        ...(days === undefined ? {} : { _daysSinceLogin: days }),
        _phishingResistant: factors.some(
          (f) => f.status === 'ACTIVE' && PHISHING_RESISTANT.includes(f.factorType),
        ),
      });
    } catch (error) {
      const gap = error instanceof ConnectorError ? gapOf(error) : undefined;
      if (!gap) throw error;
      const unseen = { status: gap, _daysSinceLogin: gap, _phishingResistant: gap };
      admins.push(unseenFields(base, unseen) as Admin);
    }
  }
  return admins;
}

/** The super-admin count as one item, for a control over the whole org. */
export function superAdmins(admins: Admin[]): unknown[] {
  const supers = admins.filter((a) => a._superAdmin);
  return [
    {
      id: 'super-admins',
      name: 'Super Administrators',
      count: supers.length,
      logins: supers.map((a) => a.login),
    },
  ];
}

/** Each API token with `_ownerSuperAdmin`, or that field unseen when the admins could not be read. */
export function tokenOwners(tokens: unknown[], admins: Admin[] | Gap): unknown[] {
  return tokens.map((t) => {
    const token = t as Record<string, unknown>;
    if (!Array.isArray(admins)) return unseenFields(token, { _ownerSuperAdmin: admins });
    const owner = admins.find((a) => a.id === token.userId);
    return { ...token, _ownerSuperAdmin: owner?._superAdmin ?? false };
  });
}
