import { createHash, randomBytes, randomUUID, verify, X509Certificate } from 'node:crypto';
import contoso from '../../data/demo/m365-contoso.json' with { type: 'json' };
import type { DemoTenant, SimReply, SimRequest, VendorSim } from './types.js';

/**
 * Microsoft Graph v1.0 and the Microsoft Entra token endpoint, as they answer an app that signs
 * in with client credentials: `POST /{tenant}/oauth2/v2.0/token` with a client secret or a signed
 * client assertion, OAuth error bodies with AADSTS codes; then Graph with the access token,
 * `{"error":{"code","message","innerError"}}` bodies, collections as `{"@odata.context","value"}`
 * paged by an absolute `@odata.nextLink` carrying an opaque `$skiptoken`, and a 403
 * Authorization_RequestDenied for an operation none of the app's granted permissions allows.
 *
 * Tenant data: `tenantId` (and `tenantDomains`, which sign in too), `clientId`, `certificate` (a PEM
 * certificate whose key may sign assertions), `permissions` (the application permissions granted),
 * and each resource under its Graph name.
 */

interface GraphData {
  tenantId: string;
  clientId: string;
  certificate?: string;
  permissions: string[];
  subscribedSkus?: unknown[];
  conditionalAccessPolicies?: unknown[];
  authorizationPolicy?: unknown;
  adminConsentRequestPolicy?: unknown;
  defaultAppManagementPolicy?: unknown;
  authenticationMethodsPolicy?: unknown;
  /** Members of each activated directory role, by role template id. */
  directoryRoles?: Record<string, unknown[]>;
  domains?: { id: string }[];
  userRegistrationDetails?: { userType?: string }[];
  sharepointSettings?: unknown;
  /** Each directory role's PIM policy assignment, its `policy` holding the policy and `rules`. */
  roleManagementPolicyAssignments?: { policy?: unknown }[];
  roleAssignmentScheduleInstances?: unknown[];
}

/** Access tokens issued, to the tenant they were issued for (tokens live as long as the process). */
const issued = new Map<string, string>();

function graphError(status: number, code: string, message: string): SimReply {
  const requestId = randomUUID();
  return {
    status,
    headers: { 'request-id': requestId, 'client-request-id': requestId },
    body: {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().slice(0, 19),
          'request-id': requestId,
          'client-request-id': requestId,
        },
      },
    },
  };
}

function oauthError(status: number, error: string, aadsts: number, description: string): SimReply {
  const trace = randomUUID();
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${aadsts}: ${description}\r\nTrace ID: ${trace}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${new Date().toISOString().replace('T', ' ').slice(0, 19)}Z`,
      error_codes: [aadsts],
      timestamp: new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z',
      trace_id: trace,
      correlation_id: randomUUID(),
    },
  };
}

const b64url = (b: Buffer) => b.toString('base64url');

/** A client assertion signed by the key of the tenant's certificate, for this token endpoint. */
function assertionValid(assertion: string, certPem: string, clientId: string, audience: string): boolean {
  const [head, body, signature] = assertion.split('.');
  if (!head || !body || !signature) return false;
  const cert = new X509Certificate(certPem);
  if (!verify('sha256', Buffer.from(`${head}.${body}`), cert.publicKey, Buffer.from(signature, 'base64url')))
    return false;
  const h = JSON.parse(Buffer.from(head, 'base64url').toString()) as { alg?: unknown; x5t?: unknown };
  const c = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
  const now = Date.now() / 1000;
  return (
    h.alg === 'RS256' &&
    h.x5t === b64url(createHash('sha1').update(cert.raw).digest()) &&
    c.aud === audience &&
    c.iss === clientId &&
    c.sub === clientId &&
    typeof c.exp === 'number' &&
    c.exp > now
  );
}

function token(req: SimRequest, d: GraphData, tenantInPath: string): SimReply {
  const form = new URLSearchParams(req.body);
  const tenants = [d.tenantId, ...((req.tenant.data.tenantDomains as string[] | undefined) ?? [])];
  if (!tenants.includes(decodeURIComponent(tenantInPath)))
    return oauthError(
      400,
      'invalid_request',
      90002,
      `Tenant '${decodeURIComponent(tenantInPath)}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    );
  if (form.get('grant_type') !== 'client_credentials')
    return oauthError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
  if (!/\/\.default$/.test(form.get('scope') ?? ''))
    return oauthError(
      400,
      'invalid_scope',
      1002012,
      'The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).',
    );
  const clientId = form.get('client_id') ?? '';
  if (clientId !== d.clientId)
    return oauthError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${d.tenantId}'.`,
    );
  const assertion = form.get('client_assertion');
  const audience = `${req.base}/${tenantInPath}/oauth2/v2.0/token`;
  const ok = assertion
    ? d.certificate !== undefined && assertionValid(assertion, d.certificate, clientId, audience)
    : form.get('client_secret') === req.tenant.token;
  if (!ok)
    return assertion
      ? oauthError(
          401,
          'invalid_client',
          700027,
          'The certificate with identifier used to sign the client assertion is not registered on application.',
        )
      : oauthError(
          401,
          'invalid_client',
          7000215,
          'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.',
        );
  const access = b64url(randomBytes(24));
  issued.set(access, req.tenant.id);
  return {
    status: 200,
    body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: access },
  };
}

/** The permissions that allow each operation (least privileged first), by path. */
const OPERATIONS: { path: RegExp; allow: string[] }[] = [
  {
    path: /^\/v1\.0\/subscribedSkus$/,
    allow: ['LicenseAssignment.Read.All', 'Organization.Read.All', 'Directory.Read.All'],
  },
  {
    path: /^\/v1\.0\/identity\/conditionalAccess\/policies$/,
    allow: ['Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess'],
  },
  {
    path: /^\/v1\.0\/policies\/authorizationPolicy$/,
    allow: ['Policy.Read.All', 'Policy.ReadWrite.Authorization'],
  },
  {
    path: /^\/v1\.0\/policies\/adminConsentRequestPolicy$/,
    allow: ['Policy.Read.All', 'Policy.ReadWrite.ConsentRequest', 'Directory.Read.All'],
  },
  {
    path: /^\/v1\.0\/policies\/defaultAppManagementPolicy$/,
    allow: ['Policy.Read.All', 'Policy.ReadWrite.ApplicationConfiguration'],
  },
  {
    path: /^\/v1\.0\/policies\/authenticationMethodsPolicy$/,
    allow: ['Policy.Read.AuthenticationMethod', 'Policy.ReadWrite.AuthenticationMethod', 'Policy.Read.All'],
  },
  {
    path: /^\/v1\.0\/directoryRoles\(roleTemplateId='[^']+'\)\/members$/,
    allow: ['RoleManagement.Read.Directory', 'Directory.Read.All'],
  },
  { path: /^\/v1\.0\/domains$/, allow: ['Domain.Read.All', 'Directory.Read.All'] },
  {
    path: /^\/v1\.0\/reports\/authenticationMethods\/userRegistrationDetails$/,
    allow: ['AuditLog.Read.All', 'UserAuthenticationMethod.Read.All'],
  },
  {
    path: /^\/v1\.0\/policies\/roleManagementPolicyAssignments$/,
    allow: [
      'RoleManagementPolicy.Read.Directory',
      'RoleManagement.Read.Directory',
      'RoleManagement.Read.All',
    ],
  },
  {
    path: /^\/v1\.0\/roleManagement\/directory\/roleAssignmentScheduleInstances$/,
    allow: ['RoleManagement.Read.Directory', 'RoleManagement.Read.All', 'Directory.Read.All'],
  },
  {
    path: /^\/v1\.0\/admin\/sharepoint\/settings$/,
    allow: ['SharePointTenantSettings.Read.All', 'SharePointTenantSettings.ReadWrite.All'],
  },
];

function collection(req: SimRequest, context: string, items: readonly unknown[]): SimReply {
  const asked = Number(req.query.get('$top') ?? 100);
  const top = Math.min(Number.isInteger(asked) && asked > 0 ? asked : 100, req.tenant.pageSize ?? 999);
  const start = Number(Buffer.from(req.query.get('$skiptoken') ?? '', 'base64url').toString() || 0);
  const page = items.slice(start, start + top);
  const body: Record<string, unknown> = {
    '@odata.context': `${req.base}/v1.0/$metadata#${context}`,
    value: page,
  };
  if (start + top < items.length) {
    const next = new URL(req.base + req.path);
    for (const [k, v] of req.query) if (k !== '$skiptoken') next.searchParams.set(k, v);
    next.searchParams.set('$skiptoken', b64url(Buffer.from(String(start + top))));
    body['@odata.nextLink'] = next.href;
  }
  return { status: 200, body };
}

function entity(req: SimRequest, context: string, value: unknown): SimReply {
  if (value === undefined || value === null)
    return graphError(
      404,
      'Request_ResourceNotFound',
      `Resource '${req.path}' does not exist or one of its queried reference-property objects are not present.`,
    );
  return {
    status: 200,
    body: { '@odata.context': `${req.base}/v1.0/$metadata#${context}`, ...(value as object) },
  };
}

/** The tenant has an enabled subscription with Microsoft Entra ID P2 (AAD_PREMIUM_P2). */
function hasP2(d: GraphData): boolean {
  return (d.subscribedSkus ?? []).some((raw) => {
    const sku = raw as { capabilityStatus?: string; servicePlans?: { servicePlanName?: string }[] };
    return (
      sku.capabilityStatus !== 'Suspended' &&
      (sku.servicePlans ?? []).some((sp) => sp.servicePlanName === 'AAD_PREMIUM_P2')
    );
  });
}

/** Application permissions that read every property of users. */
const READ_USERS = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];

/**
 * `$select` on a directoryObject collection: the selected properties and the type of each. A
 * member of a type the app may not read comes back with its type and id only, every other
 * property null ("List members of a directory role": limited information).
 */
function select(req: SimRequest, items: unknown[], permissions: string[]): unknown[] {
  const fields = req.query
    .get('$select')
    ?.split(',')
    .map((f) => f.trim());
  const readsUsers = READ_USERS.some((p) => permissions.includes(p));
  return items.map((raw) => {
    const item = raw as Record<string, unknown>;
    const limited = item['@odata.type'] === '#microsoft.graph.user' && !readsUsers;
    const keys = fields ?? Object.keys(item).filter((k) => k !== '@odata.type');
    const out: Record<string, unknown> = { '@odata.type': item['@odata.type'] };
    for (const f of keys) out[f] = limited && f !== 'id' ? null : (item[f] ?? null);
    return out;
  });
}

export const m365Sim: VendorSim = {
  error(_req, status, message) {
    if (status === 429) return m365Sim.rateLimited(_req, 2);
    if (status >= 500)
      return graphError(status, 'generalException', `An unexpected error occurred (${message}).`);
    return graphError(status, 'BadRequest', message);
  },

  rateLimited(_req, resetSeconds) {
    const reply = graphError(429, 'TooManyRequests', 'Please retry after');
    reply.headers = { ...reply.headers, 'retry-after': String(resetSeconds) };
    return reply;
  },

  handle(req) {
    const d = req.tenant.data as unknown as GraphData;
    const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(req.path);
    if (tokenPath) {
      if (req.method !== 'POST')
        return oauthError(405, 'invalid_request', 900561, 'The endpoint only accepts POST requests.');
      return token(req, d, tokenPath[1]!);
    }
    const [scheme, access] = (req.headers.authorization ?? '').split(' ');
    if (scheme !== 'Bearer' || !access)
      return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    if (issued.get(access) !== req.tenant.id)
      return graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure.');
    if (req.method !== 'GET')
      return graphError(
        405,
        'Request_BadRequest',
        'Specified HTTP method is not allowed for the request target.',
      );
    const op = OPERATIONS.find((o) => o.path.test(req.path));
    if (!op)
      return graphError(
        400,
        'BadRequest',
        `Resource not found for the segment '${req.path.split('/').pop() ?? ''}'.`,
      );
    if (
      !op.allow.some((p) => d.permissions.includes(p)) ||
      req.tenant.forbidden?.some((p) => req.path.startsWith(p))
    )
      return graphError(
        403,
        'Authorization_RequestDenied',
        'Insufficient privileges to complete the operation.',
      );

    const p = req.path.slice('/v1.0'.length);
    if (p === '/subscribedSkus') return collection(req, 'subscribedSkus', d.subscribedSkus ?? []);
    if (p === '/identity/conditionalAccess/policies')
      return collection(req, 'identity/conditionalAccess/policies', d.conditionalAccessPolicies ?? []);
    if (p === '/policies/authorizationPolicy')
      return entity(req, 'policies/authorizationPolicy/$entity', d.authorizationPolicy);
    if (p === '/policies/adminConsentRequestPolicy')
      return entity(req, 'policies/adminConsentRequestPolicy/$entity', d.adminConsentRequestPolicy);
    if (p === '/policies/defaultAppManagementPolicy')
      return entity(req, 'policies/defaultAppManagementPolicy/$entity', d.defaultAppManagementPolicy);
    if (p === '/policies/authenticationMethodsPolicy')
      return entity(req, 'policies/authenticationMethodsPolicy/$entity', d.authenticationMethodsPolicy);
    const role = /^\/directoryRoles\(roleTemplateId='([^']+)'\)\/members$/.exec(p);
    if (role) {
      const members = d.directoryRoles?.[role[1]!];
      // A role no one has activated in the tenant does not exist as a directoryRole.
      if (!members) return entity(req, '', undefined);
      return collection(req, 'directoryObjects', select(req, members, d.permissions));
    }
    if (p === '/domains') return collection(req, 'domains', d.domains ?? []);
    if (p === '/reports/authenticationMethods/userRegistrationDetails') {
      const filter = req.query.get('$filter');
      const m = filter ? /^userType eq '(\w+)'$/.exec(filter) : null;
      if (filter && !m) return graphError(400, 'BadRequest', 'Invalid filter clause');
      const rows = (d.userRegistrationDetails ?? []).filter((u) => !m || u.userType === m[1]);
      return collection(req, 'reports/authenticationMethods/userRegistrationDetails', rows);
    }
    if (p === '/admin/sharepoint/settings')
      return entity(req, 'admin/sharepoint/settings/$entity', d.sharepointSettings);
    if (p.startsWith('/policies/roleManagementPolicyAssignments') || p.startsWith('/roleManagement/')) {
      // PIM is a P2 feature: without the licence Graph refuses with AadPremiumLicenseRequired.
      if (!hasP2(d))
        return graphError(400, 'AadPremiumLicenseRequired', 'The tenant needs an AAD Premium 2 license.');
    }
    if (p === '/policies/roleManagementPolicyAssignments') {
      // Graph requires the scope filter on this list.
      if (req.query.get('$filter') !== "scopeId eq '/' and scopeType eq 'Directory'")
        return graphError(400, 'BadRequest', 'The filter on scopeId and scopeType is required.');
      const expand = req.query.get('$expand') === 'policy($expand=rules)';
      const rows = (d.roleManagementPolicyAssignments ?? []).map(({ policy, ...rest }) =>
        expand ? { ...rest, policy } : rest,
      );
      return collection(req, 'policies/roleManagementPolicyAssignments(policy(rules()))', rows);
    }
    if (p === '/roleManagement/directory/roleAssignmentScheduleInstances')
      return collection(
        req,
        'roleManagement/directory/roleAssignmentScheduleInstances',
        d.roleAssignmentScheduleInstances ?? [],
      );
    return graphError(400, 'BadRequest', `Resource not found for the segment '${p}'.`);
  },
};

/** The demo tenant: Contoso with Microsoft Entra ID P1 (not P2), read by an app without AuditLog.Read.All. */
export const m365Demo = [contoso] as DemoTenant[];
