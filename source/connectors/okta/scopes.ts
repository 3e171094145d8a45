import type { Gap } from '../../domain/rules.js';
import { unreadableReason } from '../datasets.js';
import { ConnectorError } from '../http.js';

/**
 * The OAuth scope each request needs, from the security requirement of its operation in Okta's
 * OpenAPI description. An API token (SSWS) needs none: it acts with its admin's role.
 */
export const SCOPE = {
  policies: 'okta.policies.read', // listPolicies, getPolicy, listPolicyRules
  apps: 'okta.apps.read', // listApplications, getFirstPartyAppSettings
  threats: 'okta.threatInsights.read', // getCurrentConfiguration
  orgs: 'okta.orgs.read', // getOrgOktaSupportSettings
  apiTokens: 'okta.apiTokens.read', // listApiTokens
  logStreams: 'okta.logStreams.read', // listLogStreams
  authenticators: 'okta.authenticators.read', // listAuthenticators
  networkZones: 'okta.networkZones.read', // listNetworkZones
  roles: 'okta.roles.read', // listUsersWithRoleAssignments, listAssignedRolesForUser
  users: 'okta.users.read', // getUser, listFactors
  trustedOrigins: 'okta.trustedOrigins.read', // listTrustedOrigins
  authorizationServers: 'okta.authorizationServers.read', // listAuthorizationServers
} as const;
export type Scope = (typeof SCOPE)[keyof typeof SCOPE];

/** A 403 on a request that needs `scope`: Okta answers E0000006 for that request only. */
export class Denied extends ConnectorError {
  constructor(
    readonly scope: Scope,
    cause: ConnectorError,
  ) {
    super(cause.message, cause.kind, cause.status, cause);
  }
}

export async function needs<T>(scope: Scope, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ConnectorError && error.kind === 'forbidden') throw new Denied(scope, error);
    throw error;
  }
}

/** What a 403 says is missing: the scope for an OAuth token, the admin role for an API token. */
export function why(bearer: boolean) {
  return (error: ConnectorError): Gap | string | undefined => {
    if (!(error instanceof Denied)) return unreadableReason(error);
    const missing = bearer
      ? `the ${error.scope} scope`
      : "the Read-Only Administrator role (or a role that reads this) for the token's admin";
    return { reason: `the token may not read this: it needs ${missing}`, missing };
  };
}
