import { z } from 'zod';
import { type Dataset, type Datasets, type Gap, unseenItem } from '../../domain/rules.js';
import { check, dataset, unreadableReason } from '../datasets.js';
import { ConnectorError, HttpClient, type HttpResponse } from '../http.js';
import { CONNECTOR_OPTIONS } from '../../domain/app-options.js';
import { type CollectContext, type Connector, instanceOptions } from '../types.js';
import { clientAssertion, type Endpoints, endpoints, graphVendor, isCertificate } from './graph.js';
import {
  appManagementPolicy,
  authenticatorContext,
  authorizationPolicy,
  caPolicy,
  domain,
  GLOBAL_ADMINISTRATOR,
  pimAssignment,
  pimRolePolicy,
  PRIVILEGED_ROLES,
  sharepointSettings,
} from './fields.js';

const MAX_PAGES = 200;
/** Token requests per poll: one, and one more if Graph says the token expired. */
const MAX_SIGN_INS = 2;

/**
 * Per dataset, the least-privileged Microsoft Graph application permission that reads it (the
 * "Least privileged permissions" of each operation's page in the Graph v1.0 reference), granted to
 * the app registration with admin consent. Confirmed on these pages:
 * - policy: "List policies" (conditionalAccessRoot; Policy.Read.All, no lesser one: the newer
 *   Policy.Read.ConditionalAccess is not listed for it), "Get authorizationPolicy",
 *   "Get adminConsentRequestPolicy" and "Get tenantAppManagementPolicy" (Policy.Read.All).
 * - methods: "Get authenticationMethodsPolicy" (Policy.Read.AuthenticationMethod; Policy.Read.All higher).
 * - roles: "List members of a directory role" (RoleManagement.Read.Directory).
 * - users: the same page: members of a type the app may not read come back with only `@odata.type`
 *   and `id`, every other property null; whether a user is synced needs User.Read.All.
 * - domains: "Get domain" / "List domains" (Domain.Read.All).
 * - licences: "List subscribedSkus" (LicenseAssignment.Read.All; Organization.Read.All and
 *   Directory.Read.All higher).
 * - reports: "List userRegistrationDetails" (AuditLog.Read.All; UserAuthenticationMethod.Read.All higher).
 * - sharepoint: "Get settings" (SharePointTenantSettings.Read.All).
 * - pimPolicies: "List roleManagementPolicyAssignments" (RoleManagementPolicy.Read.Directory;
 *   RoleManagement.Read.Directory, which roles needs anyway, is the next higher one).
 * - roles also reads "List roleAssignmentScheduleInstances" (RoleManagement.Read.Directory).
 */
export const PERMISSION = {
  policy: 'the Policy.Read.All application permission',
  methods: 'the Policy.Read.AuthenticationMethod (or Policy.Read.All) application permission',
  roles: 'the RoleManagement.Read.Directory application permission',
  users: 'the User.Read.All application permission',
  domains: 'the Domain.Read.All application permission',
  licences: 'the LicenseAssignment.Read.All (or Organization.Read.All) application permission',
  reports: 'the AuditLog.Read.All application permission',
  sharepoint: 'the SharePointTenantSettings.Read.All application permission',
  pimPolicies:
    'the RoleManagementPolicy.Read.Directory (or RoleManagement.Read.Directory) application permission',
} as const;

const RIGHTS: Record<string, string> = {
  'm365:conditionalAccess/policies': PERMISSION.policy,
  'm365:conditionalAccess/policies/p2': PERMISSION.policy,
  'm365:authorizationPolicy': PERMISSION.policy,
  'm365:adminConsentRequestPolicy': PERMISSION.policy,
  'm365:appManagementPolicy': PERMISSION.policy,
  'm365:authenticationMethodsPolicy': PERMISSION.methods,
  'm365:authenticationMethods': PERMISSION.methods,
  'm365:roles/globalAdministrator': PERMISSION.roles,
  'm365:roles/privilegedUsers': 'the RoleManagement.Read.Directory and User.Read.All application permissions',
  'm365:roles/finerGrained': PERMISSION.roles,
  'm365:domains': PERMISSION.domains,
  'm365:users/registration': PERMISSION.reports,
  'm365:sharepoint/settings': PERMISSION.sharepoint,
  'm365:pim/rolePolicies': PERMISSION.pimPolicies,
  'm365:pim/assignments': PERMISSION.roles,
};

const TokenResponse = z.looseObject({ access_token: z.string().min(1), token_type: z.string().optional() });
const Collection = z.looseObject({ value: z.array(z.unknown()), '@odata.nextLink': z.string().optional() });
const Obj = z.looseObject({});
const Sku = z.looseObject({
  capabilityStatus: z.string().nullish(),
  servicePlans: z
    .array(z.looseObject({ servicePlanName: z.string().nullish(), provisioningStatus: z.string().nullish() }))
    .nullish(),
});
const Member = z.looseObject({
  '@odata.type': z.string().optional(),
  id: z.string(),
  displayName: z.string().nullish(),
  userPrincipalName: z.string().nullish(),
  onPremisesSyncEnabled: z.boolean().nullish(),
});
type Member = z.infer<typeof Member>;

/** A 403 on a request that needs `right`: Graph answers Authorization_RequestDenied or Forbidden. */
class Denied extends ConnectorError {
  constructor(
    readonly right: string,
    cause: ConnectorError,
  ) {
    super(cause.message, cause.kind, cause.status, cause);
  }
}

/** Why an error leaves a dataset unreadable: the permission a 403 lacks; undefined fails the poll. */
function why(right: string) {
  return (error: ConnectorError): Gap | string | undefined => {
    if (error.kind === 'forbidden') {
      const missing = error instanceof Denied ? error.right : right;
      return { reason: `the app may not read this: it needs ${missing}`, missing };
    }
    return unreadableReason(error);
  };
}

/** The licences that decide whether a feature exists in the tenant, or why they are not known. */
type Licences = { p1: boolean; p2: boolean } | { unknown: Gap };

class GraphSession {
  private accessToken = '';
  private signIns = 0;
  readonly login: HttpClient;
  readonly graph: HttpClient;
  private readonly at: Endpoints;

  constructor(private readonly ctx: CollectContext) {
    this.at = endpoints(ctx.instance.baseUrl, ctx.instance.options.cloud);
    const common = {
      ...instanceOptions(ctx),
      vendor: graphVendor,
      secrets: () => [ctx.secret, this.accessToken],
    };
    this.login = new HttpClient({ ...common, baseUrl: this.at.login, auth: () => ({}) });
    this.graph = new HttpClient({
      ...common,
      baseUrl: this.at.graph,
      auth: () => ({ authorization: `Bearer ${this.accessToken}` }),
      // An expired token is a 401 InvalidAuthenticationToken: sign in again, once.
      refresh: async () => {
        if (this.signIns >= MAX_SIGN_INS) return false;
        await this.signIn();
        return true;
      },
    });
  }

  get requests(): number {
    return this.login.requests + this.graph.requests;
  }

  /** Client credentials on the tenant's token endpoint, for `{graph}/.default`. */
  async signIn(): Promise<void> {
    const { tenantId, clientId } = this.ctx.instance.options;
    if (!tenantId || !clientId)
      throw new ConnectorError(
        'the Microsoft 365 instance needs the tenantId and clientId options (the directory and application ids of its app registration)',
        'auth',
      );
    this.signIns++;
    const path = `/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
    const form: Record<string, string> = {
      client_id: clientId,
      scope: `${new URL(this.at.graph).origin}/.default`,
      grant_type: 'client_credentials',
    };
    if (isCertificate(this.ctx.secret)) {
      form.client_assertion_type = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
      form.client_assertion = clientAssertion(
        this.ctx.secret,
        clientId,
        this.login.url(path).href,
        this.ctx.clock.now(),
      );
    } else form.client_secret = this.ctx.secret;
    let res: HttpResponse;
    try {
      res = await this.login.request('POST', path, undefined, form);
    } catch (error) {
      // invalid_client, unauthorized_client, invalid_request: the credentials are wrong, not the network.
      if (error instanceof ConnectorError && (error.status === 400 || error.status === 401))
        throw new ConnectorError(
          error.message.replace(/^Microsoft Graph \d+:/, 'Microsoft Entra sign-in failed:'),
          'auth',
          error.status,
          error,
        );
      throw error;
    }
    this.accessToken = check(TokenResponse, res.body, 'the Microsoft Entra token').access_token;
  }

  private async get(right: string, url: string, query?: Record<string, string>): Promise<unknown> {
    try {
      return (await this.graph.get(url, query)).body;
    } catch (error) {
      if (error instanceof ConnectorError && error.kind === 'forbidden') throw new Denied(right, error);
      throw error;
    }
  }

  /** One object (`/policies/authorizationPolicy`). */
  async one(right: string, path: string, what: string): Promise<Record<string, unknown>> {
    return check(Obj, await this.get(right, `/v1.0${path}`), what);
  }

  /** Every page of a collection: `value`, then the absolute `@odata.nextLink` until there is none. */
  async all(right: string, path: string, what: string, query?: Record<string, string>): Promise<unknown[]> {
    const items: unknown[] = [];
    let body = check(Collection, await this.get(right, `/v1.0${path}`, query), what);
    for (let page = 1; ; page++) {
      this.graph.collected(body.value.length);
      items.push(...body.value);
      const next = body['@odata.nextLink'];
      if (!next) return items;
      if (page >= MAX_PAGES) throw new ConnectorError(`${what}: more than ${MAX_PAGES} pages`, 'malformed');
      body = check(Collection, await this.get(right, next), what);
    }
  }
}

function objects(items: unknown[], what: string): Record<string, unknown>[] {
  return check(z.array(Obj), items, what);
}

/** Entra ID P1 and P2 are service plans AAD_PREMIUM and AAD_PREMIUM_P2 of an enabled subscription. */
async function licences(s: GraphSession): Promise<Licences> {
  try {
    const skus = check(
      z.array(Sku),
      await s.all(PERMISSION.licences, '/subscribedSkus', 'subscriptions'),
      'subscriptions',
    );
    const plans = new Set(
      skus
        .filter((k) => k.capabilityStatus === 'Enabled' || k.capabilityStatus === 'Warning')
        .flatMap((k) => k.servicePlans ?? [])
        .filter((p) => p.provisioningStatus === 'Success')
        .map((p) => p.servicePlanName),
    );
    const p2 = plans.has('AAD_PREMIUM_P2');
    return { p1: p2 || plans.has('AAD_PREMIUM'), p2 };
  } catch (error) {
    if (!(error instanceof ConnectorError)) throw error;
    const gap = why(PERMISSION.licences)(error);
    if (gap === undefined) throw error;
    const g = typeof gap === 'string' ? { reason: gap } : gap;
    return {
      unknown: {
        ...g,
        reason: `could not tell which Microsoft Entra ID licences the tenant has: ${g.reason}`,
      },
    };
  }
}

/** A feature the tenant's licences do not include is unknown with that reason, never a fail. */
function unlicensed(l: Licences, plan: 'p1' | 'p2', feature: string): Dataset | undefined {
  const name = plan === 'p1' ? 'Microsoft Entra ID P1 (or P2)' : 'Microsoft Entra ID P2';
  if ('unknown' in l) return plan === 'p2' ? { ok: false, ...l.unknown } : undefined;
  if (l[plan]) return undefined;
  return { ok: false, reason: `the tenant has no ${name} licence, which ${feature} needs` };
}

/** Members of each role read in this poll, by template id: three controls read the same roles. */
const membersRead = new WeakMap<GraphSession, Map<string, Promise<Member[]>>>();

/** Members of a directory role by its template id, read once a poll. */
function roleMembers(s: GraphSession, templateId: string, name: string): Promise<Member[]> {
  let byRole = membersRead.get(s);
  if (!byRole) membersRead.set(s, (byRole = new Map()));
  let members = byRole.get(templateId);
  if (!members) byRole.set(templateId, (members = readRoleMembers(s, templateId, name)));
  return members;
}

/** Members of a directory role by its template id; a role never activated has none (a 404). */
async function readRoleMembers(s: GraphSession, templateId: string, name: string): Promise<Member[]> {
  try {
    const raw = await s.all(
      PERMISSION.roles,
      `/directoryRoles(roleTemplateId='${templateId}')/members`,
      `members of ${name}`,
      { $select: 'id,displayName,userPrincipalName,onPremisesSyncEnabled' },
    );
    return check(z.array(Member), raw, `members of ${name}`);
  } catch (error) {
    if (error instanceof ConnectorError && error.kind === 'not_found') return [];
    throw error;
  }
}

const isUser = (m: Member) => (m['@odata.type'] ?? '#microsoft.graph.user') === '#microsoft.graph.user';

/**
 * The Global Administrator role as one item: how many users hold it. A group or service principal
 * holding the role is not counted (posture does not read group membership): then the count is not
 * known, and the item says why.
 */
async function globalAdministrators(s: GraphSession): Promise<unknown[]> {
  const members = await roleMembers(s, GLOBAL_ADMINISTRATOR, 'Global Administrator');
  const users = members.filter(isUser);
  const others = members.filter((m) => !isUser(m));
  const item = {
    id: GLOBAL_ADMINISTRATOR,
    _label: 'Global Administrator',
    users: users.length,
    names: users.map((u) => u.userPrincipalName ?? u.displayName ?? u.id).join(', '),
  };
  if (others.length === 0) return [item];
  const names = others.map((o) => o.displayName ?? o.id).join(', ');
  return [
    unseenItem(item, {
      reason: `the role is also held by ${others.length} group(s) or service principal(s) (${names}) whose members posture does not count`,
    }),
  ];
}

/** Each user holding a highly privileged role, once, with the roles and whether it is cloud-only. */
async function privilegedUsers(s: GraphSession): Promise<unknown[]> {
  const byId = new Map<string, { user: Member; roles: string[] }>();
  for (const [templateId, name] of Object.entries(PRIVILEGED_ROLES)) {
    for (const m of (await roleMembers(s, templateId, name)).filter(isUser)) {
      const entry = byId.get(m.id) ?? { user: m, roles: [] };
      entry.roles.push(name);
      byId.set(m.id, entry);
    }
  }
  return [...byId.values()].map(({ user, roles }) => {
    const item = {
      ...user,
      _label: `${user.userPrincipalName ?? user.displayName ?? user.id} (${roles.join(', ')})`,
      // Synced from an on-premises directory: onPremisesSyncEnabled true. Null means never synced.
      _cloudOnly: user.onPremisesSyncEnabled !== true,
    };
    // Without a permission to read users, Graph returns each member with only its type and id
    // (every user has a displayName): its null onPremisesSyncEnabled says nothing.
    if (!user.displayName && !user.userPrincipalName)
      return unseenItem(item, {
        reason: `Graph returned only the id of this user: telling whether it is synced from on-premises needs ${PERMISSION.users}`,
        missing: PERMISSION.users,
      });
    return item;
  });
}

const PIM_P2 = 'the tenant has no Microsoft Entra ID P2 licence, which Privileged Identity Management needs';

/**
 * PIM without a P2 licence: Graph answers AadPremiumLicenseRequired ("The tenant needs an AAD
 * Premium 2 license."), which is unknown naming the licence, not a failed poll.
 */
function pimWhy(right: string) {
  const base = why(right);
  return (error: ConnectorError): Gap | string | undefined =>
    error.code === 'AadPremiumLicenseRequired' ? PIM_P2 : base(error);
}

const isPrivileged = (item: Record<string, unknown>) =>
  typeof item.roleDefinitionId === 'string' && Object.hasOwn(PRIVILEGED_ROLES, item.roleDefinitionId);

/**
 * Each highly privileged role's PIM policy with its rules, in one paged request: the directory's
 * policy assignments with the policy and its rules expanded (built-in roles' definition ids are
 * their template ids).
 */
async function pimRolePolicies(s: GraphSession): Promise<unknown[]> {
  const raw = objects(
    await s.all(PERMISSION.pimPolicies, '/policies/roleManagementPolicyAssignments', 'PIM role policies', {
      $filter: "scopeId eq '/' and scopeType eq 'Directory'",
      $expand: 'policy($expand=rules)',
    }),
    'PIM role policies',
  );
  return raw.filter(isPrivileged).map(pimRolePolicy);
}

/** Active assignments (schedule instances) of the highly privileged roles. */
async function pimAssignments(s: GraphSession): Promise<unknown[]> {
  const raw = objects(
    await s.all(
      PERMISSION.roles,
      '/roleManagement/directory/roleAssignmentScheduleInstances',
      'active role assignments',
    ),
    'active role assignments',
  );
  return raw.filter(isPrivileged).map(pimAssignment);
}

/**
 * Global Administrators against the users holding the other highly privileged roles, as one item
 * (SCuBA MS.AAD.7.2: privileged users get finer-grained roles; ScubaGear passes when Global
 * Administrators are no more than the other privileged users). A role held by a group or service
 * principal leaves the counts not known.
 */
async function finerGrainedRoles(s: GraphSession): Promise<unknown[]> {
  const global = new Set<string>();
  const others = new Set<string>();
  const groups: string[] = [];
  for (const [templateId, name] of Object.entries(PRIVILEGED_ROLES)) {
    const members = await roleMembers(s, templateId, name);
    for (const m of members.filter(isUser)) (templateId === GLOBAL_ADMINISTRATOR ? global : others).add(m.id);
    for (const m of members.filter((x) => !isUser(x))) groups.push(`${m.displayName ?? m.id} (${name})`);
  }
  const otherUsers = [...others].filter((id) => !global.has(id)).length;
  const item = {
    id: 'privileged-roles',
    _label: `${global.size} Global Administrator(s), ${otherUsers} user(s) with other privileged roles only`,
    globalAdministrators: global.size,
    otherPrivilegedUsers: otherUsers,
    _finerGrained: global.size <= otherUsers,
  };
  if (groups.length === 0) return [item];
  return [
    unseenItem(item, {
      reason: `privileged roles are also held by group(s) or service principal(s) whose members posture does not count: ${groups.join(', ')}`,
    }),
  ];
}

async function authenticationMethods(s: GraphSession) {
  const policy = await s.one(
    PERMISSION.methods,
    '/policies/authenticationMethodsPolicy',
    'the authentication methods policy',
  );
  const configs = objects(
    Array.isArray(policy.authenticationMethodConfigurations) ? policy.authenticationMethodConfigurations : [],
    'authentication method configurations',
  ).map((c) => (c.id === 'MicrosoftAuthenticator' ? authenticatorContext(c) : c));
  const { authenticationMethodConfigurations: _configs, ...rest } = policy;
  return { policy: [{ ...rest, _label: 'Authentication methods policy' }], configs };
}

export const m365: Connector = {
  app: 'm365',
  secretLabel: 'client secret of the app registration, or a PEM file with its certificate and private key',
  options: CONNECTOR_OPTIONS.m365,
  rights: RIGHTS,
  async collect(ctx: CollectContext) {
    const s = new GraphSession(ctx);
    await s.signIn();
    const read = (id: string, fn: () => Promise<unknown[]>) => dataset(fn, { why: why(RIGHTS[id]!) });
    const l = await licences(s);

    const ca =
      unlicensed(l, 'p1', 'conditional access') ??
      (await read('m365:conditionalAccess/policies', async () =>
        objects(
          await s.all(
            PERMISSION.policy,
            '/identity/conditionalAccess/policies',
            'conditional access policies',
          ),
          'conditional access policies',
        ).map(caPolicy),
      ));
    const caP2 = ca.ok ? (unlicensed(l, 'p2', 'risk-based conditional access') ?? ca) : ca;

    let methods: { policy: unknown[]; configs: unknown[] } | undefined;
    const methodsPolicy = await read('m365:authenticationMethodsPolicy', async () => {
      methods = await authenticationMethods(s);
      return methods.policy;
    });
    const datasets: Datasets = {
      'm365:conditionalAccess/policies': ca,
      'm365:conditionalAccess/policies/p2': caP2,
      'm365:authorizationPolicy': await read('m365:authorizationPolicy', async () => [
        authorizationPolicy(
          await s.one(PERMISSION.policy, '/policies/authorizationPolicy', 'the authorization policy'),
        ),
      ]),
      'm365:adminConsentRequestPolicy': await read('m365:adminConsentRequestPolicy', async () => [
        {
          ...(await s.one(
            PERMISSION.policy,
            '/policies/adminConsentRequestPolicy',
            'the admin consent request policy',
          )),
          _label: 'Admin consent request policy',
        },
      ]),
      'm365:appManagementPolicy': await read('m365:appManagementPolicy', async () => [
        appManagementPolicy(
          await s.one(
            PERMISSION.policy,
            '/policies/defaultAppManagementPolicy',
            'the default app management policy',
          ),
        ),
      ]),
      'm365:authenticationMethodsPolicy': methodsPolicy,
      'm365:authenticationMethods': methodsPolicy.ok
        ? { ok: true, items: methods?.configs ?? [] }
        : methodsPolicy,
      'm365:roles/globalAdministrator': await read('m365:roles/globalAdministrator', () =>
        globalAdministrators(s),
      ),
      'm365:roles/privilegedUsers': await read('m365:roles/privilegedUsers', () => privilegedUsers(s)),
      'm365:roles/finerGrained': await read('m365:roles/finerGrained', () => finerGrainedRoles(s)),
      'm365:domains': await read('m365:domains', async () =>
        objects(await s.all(PERMISSION.domains, '/domains', 'domains'), 'domains').map(domain),
      ),
      'm365:users/registration':
        unlicensed(l, 'p1', 'the authentication methods registration report') ??
        (await read('m365:users/registration', async () =>
          objects(
            await s.all(
              PERMISSION.reports,
              '/reports/authenticationMethods/userRegistrationDetails',
              'user registration details',
              {
                $filter: "userType eq 'member'",
              },
            ),
            'user registration details',
          ),
        )),
      'm365:sharepoint/settings': await read('m365:sharepoint/settings', async () => {
        return [
          sharepointSettings(
            await s.one(PERMISSION.sharepoint, '/admin/sharepoint/settings', 'SharePoint settings'),
          ),
        ];
      }),
    };
    // When the licences could not be read, ask anyway: Graph's licence error then says it.
    const pim = async (id: string, fn: () => Promise<unknown[]>) =>
      ('unknown' in l ? undefined : unlicensed(l, 'p2', 'Privileged Identity Management')) ??
      (await dataset(fn, { why: pimWhy(RIGHTS[id]!) }));
    datasets['m365:pim/rolePolicies'] = await pim('m365:pim/rolePolicies', () => pimRolePolicies(s));
    datasets['m365:pim/assignments'] = await pim('m365:pim/assignments', () => pimAssignments(s));
    return { datasets, requests: s.requests };
  },
};
