import { z } from 'zod';
import { type Dataset, type Datasets, type Gap, unseenItem } from '../../domain/rules.js';
import { check, dataset, unreadableReason } from '../datasets.js';
import { ConnectorError, HttpClient, type HttpResponse, header, type Vendor } from '../http.js';
import {
  envelope,
  listMetadataCall,
  profileRangesItem,
  READ_BATCH,
  readMetadataCall,
  readSoapFault,
  records,
  results,
  securitySettingsItem,
} from './metadata.js';
import { textAt } from './xml.js';
import { CONNECTOR_OPTIONS } from '../../domain/app-options.js';
import { type CollectContext, type Connector, instanceOptions } from '../types.js';

/**
 * Salesforce REST and Tooling APIs: OAuth 2.0 client credentials on the org's My Domain, SOQL
 * queries paged through `nextRecordsUrl`, JSON-array error bodies, and the org's daily request
 * limit signalled by a 403 REQUEST_LIMIT_EXCEEDED (never a 429, never a Retry-After).
 */

export const API_VERSION = 'v62.0';
const MAX_PAGES = 200;
/** Leave this share of the org's daily API requests to the org's own integrations (as MDA does). */
const API_RESERVE = 0.1;
/** Token refreshes per poll: one per expired session is plenty; more means something is wrong. */
const MAX_REFRESHES = 2;

export const SOQL = {
  score: 'SELECT Score FROM SecurityHealthCheck',
  risks:
    'SELECT DurableId, Setting, SettingGroup, RiskType, OrgValue, OrgValueRaw, StandardValue, StandardValueRaw FROM SecurityHealthCheckRisks',
  users: "SELECT Id, Username, Name FROM User WHERE IsActive = true AND UserType = 'Standard'",
  // One flag per verifier kind Salesforce accepts for MFA (object reference, TwoFactorMethodsInfo, v62.0).
  mfa: 'SELECT UserId, HasSalesforceAuthenticator, HasTotp, HasSecurityKey, HasU2F, HasBuiltInAuthenticator FROM TwoFactorMethodsInfo',
  modifyAll:
    'SELECT AssigneeId, Assignee.Username FROM PermissionSetAssignment WHERE PermissionSet.PermissionsModifyAllData = true AND Assignee.IsActive = true',
  // Every user has exactly one profile, and each profile owns one permission set (IsOwnedByProfile)
  // whose IsCustom (API 39.0+) tells a custom profile from a standard one: Profile has no such field.
  profiles:
    'SELECT AssigneeId, Assignee.Username, Assignee.UserType, PermissionSet.IsCustom, PermissionSet.Profile.Name FROM PermissionSetAssignment WHERE PermissionSet.IsOwnedByProfile = true AND Assignee.IsActive = true',
  // "API Only User", from the profile or a permission set: integration users, not people.
  apiOnly:
    'SELECT AssigneeId FROM PermissionSetAssignment WHERE PermissionSet.PermissionsApiUserOnly = true AND Assignee.IsActive = true',
  connectedApps: 'SELECT Id, Name, OptionsAllowAdminApprovedUsersOnly FROM ConnectedApplication',
  // "Is Single Sign-On Enabled", from the profile or a permission set.
  sso: 'SELECT AssigneeId FROM PermissionSetAssignment WHERE PermissionSet.PermissionsIsSsoEnabled = true AND Assignee.IsActive = true',
} as const;

const ErrorArray = z.array(z.looseObject({ message: z.string(), errorCode: z.string().optional() }));
const OAuthError = z.looseObject({ error: z.string(), error_description: z.string().optional() });

function errorItems(body: unknown): { message: string; errorCode?: string | undefined }[] {
  const r = ErrorArray.safeParse(body);
  return r.success ? r.data : [];
}

/**
 * The daily limit is a rolling 24-hour window and Salesforce does not say when requests free up:
 * aim for the next UTC midnight, and at least an hour from now.
 */
function untilDailyReset(now: number): number {
  const d = new Date(now);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
  return Math.max(midnight - now, 3_600_000);
}

export const salesforceVendor: Vendor = {
  name: 'Salesforce',
  readError(body) {
    // The Metadata API answers in SOAP: a fault's code (sf:INSUFFICIENT_ACCESS) is the code.
    if (typeof body === 'string') {
      const fault = readSoapFault(body);
      return fault
        ? { message: fault.message, code: fault.code, line: `${fault.message} (${fault.code})` }
        : undefined;
    }
    const first = errorItems(body)[0];
    if (first)
      return {
        message: first.message,
        code: first.errorCode,
        line: first.errorCode ? `${first.message} (${first.errorCode})` : first.message,
      };
    // The token endpoint answers in the OAuth form: its `error` is the code.
    const oauth = OAuthError.safeParse(body);
    if (!oauth.success) return undefined;
    const { error, error_description: description } = oauth.data;
    return description
      ? { message: description, code: error, line: `${description} (${error})` }
      : { message: error, code: error, line: error };
  },
  // REQUEST_LIMIT_EXCEEDED comes as a 403 with no hint of when it lifts. The daily limit
  // ("TotalRequests Limit exceeded.") will not lift within a poll: wait long enough that the
  // poll ends with "rate limited … until". A concurrency limit clears in seconds.
  rateLimitWait(res, now) {
    if (res.status !== 403 && res.status !== 429) return undefined;
    const limit = errorItems(res.body).find((e) => e.errorCode === 'REQUEST_LIMIT_EXCEEDED');
    if (!limit) return undefined;
    return /^Concurrent/i.test(limit.message) ? 5_000 : untilDailyReset(now);
  },
};

/** The documented query result of the REST and Tooling query resources. */
export const QueryResult = z.looseObject({
  totalSize: z.number(),
  done: z.boolean(),
  nextRecordsUrl: z.string().optional(),
  records: z.array(z.looseObject({})),
});

const TokenResponse = z.looseObject({
  access_token: z.string().min(1),
  instance_url: z.string().refine((s) => URL.canParse(s), 'must be an absolute URL'),
  token_type: z.string().optional(),
});

const Score = z.looseObject({ Score: z.union([z.string(), z.number()]).nullable() });
const Risk = z.looseObject({
  // `<SettingGroup>.<setting>`, the name Salesforce's baseline files use; the same in every language.
  DurableId: z.string().nullish(),
  // A display label in the run-as user's language: shown, never matched.
  Setting: z.string().nullish(),
  SettingGroup: z.string().nullish(),
  // Documented values are HIGH_RISK, MEDIUM_RISK and MEETS_STANDARD; newer orgs may add others.
  RiskType: z.string(),
  OrgValue: z.string().nullish(),
  OrgValueRaw: z.string().nullish(),
  StandardValue: z.string().nullish(),
  StandardValueRaw: z.string().nullish(),
});
const User = z.looseObject({ Id: z.string(), Username: z.string(), Name: z.string().nullish() });
const MfaMethods = z.looseObject({
  UserId: z.string(),
  HasSalesforceAuthenticator: z.boolean().nullish(),
  HasTotp: z.boolean().nullish(),
  HasSecurityKey: z.boolean().nullish(),
  HasU2F: z.boolean().nullish(),
  HasBuiltInAuthenticator: z.boolean().nullish(),
});
const Assignment = z.looseObject({
  AssigneeId: z.string(),
  Assignee: z.looseObject({ Username: z.string().nullish() }).nullish(),
});
const ProfileAssignment = z.looseObject({
  AssigneeId: z.string(),
  Assignee: z.looseObject({ Username: z.string().nullish(), UserType: z.string().nullish() }).nullish(),
  PermissionSet: z
    .looseObject({
      IsCustom: z.boolean().nullish(),
      Profile: z.looseObject({ Name: z.string().nullish() }).nullish(),
    })
    .nullish(),
});
const AssigneeOnly = z.looseObject({ AssigneeId: z.string() });
const ConnectedApp = z.looseObject({
  Id: z.string(),
  Name: z.string().nullish(),
  OptionsAllowAdminApprovedUsersOnly: z.boolean().nullish(),
});

/**
 * The Health Check settings the catalog judges, by DurableId. Salesforce says a DurableId "isn't
 * guaranteed to stay the same from one release to the next": a setting no row carries becomes a
 * placeholder that is never judged, so its control is unknown and names the id it looked for.
 * A rules test keeps this list and the catalog's selections equal.
 */
export const HEALTH_CHECK_SETTINGS = [
  'SessionSettings.icOn2faRegistration',
  'PasswordPolicies.minPasswordLength',
  'PasswordPolicies.complexity',
  'PasswordPolicies.maxLoginAttempts',
  'PasswordPolicies.history',
  'SessionSettings.timeout',
  'SessionSettings.forceLogoutOnTimeout',
  'SessionSettings.enforceLoginIp',
  'SessionSettings.requireHttpOnly',
  'SessionSettings.clickjackSetup',
  'SessionSettings.clickjackNonSetup',
  'SessionSettings.clickjackVisualForceHeaders',
  'SessionSettings.clickjackVisualForceNoHeaders',
  'SessionSettings.csrfGet',
  'SessionSettings.csrfPost',
  'SessionSettings.lockSessionsToDomain',
  'Identity.mfaEnabled',
  'SessionSettings.enableSmsIdentity',
  'ExternalClientApps.metadataApiAccess',
  'FileUploadAndDownloadSecurity.hybridSecurityRiskFileTypes',
  'CertificateAndKeyManagement.expiredCert',
  'SharingSettings.orgWideDefaults',
  'NetworkSecurity.trustedIpRangesConfigured',
  'PasswordPolicies.minOneDayPasswordLifetime',
  'SessionSettings.forceRelogin',
  'SessionSettings.terminateSessionsOnPasswordReset',
  'SessionSettings.cspOnEmail',
  'SessionSettings.contentSniffingProtection',
  'LoginAccessPolicies.adminLoginAsAnyUser',
  'PasswordPolicies.expiration',
  'PasswordPolicies.obscureSecretAnswer',
  'PasswordPolicies.questionRestriction',
  'SessionSettings.icOnEmailChange',
  'RemoteSiteSettings.remoteSiteSettings',
  'PasswordPolicies.lockoutInterval',
  'CertificateAndKeyManagement.keySize',
  'CertificateAndKeyManagement.certExpiration',
  'GuestUserAccess.guestEditAccess',
  'GuestUserAccess.guestReadAccess',
  'GuestUserAccess.guestAccessSharingRules',
  'SessionSettings.redirectionAllowUntrusted',
  'SessionSettings.lockSessionsToIp',
  'UserPIISettings.enforceNameVisibility',
  'Identity.samlEnabled',
  'AdminUsers.activeSystemAdministratorCount',
] as const;

/** One Health Check row as the rules read it: the row and, where OrgValueRaw is a number, `_value`. */
export function riskItem(row: z.infer<typeof Risk>): Record<string, unknown> {
  // OrgValueRaw is the stored value ("8" for "8 characters"); the display value is localised, so never parsed.
  const raw = row.OrgValueRaw?.trim() ?? '';
  const value = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : undefined;
  return { ...row, ...(value !== undefined ? { _value: value } : {}) };
}

/** The rows, then a never-judged placeholder for each setting the catalog needs that no row carries. */
export function riskItems(rows: z.infer<typeof Risk>[]): unknown[] {
  const seen = new Set(rows.map((r) => r.DurableId));
  const absent = HEALTH_CHECK_SETTINGS.filter((id) => !seen.has(id)).map((id) =>
    unseenItem(
      { DurableId: id, Setting: id },
      {
        reason: `Health Check returned no setting with DurableId ${id} (Salesforce may have renamed it in this release, or the org does not have it)`,
      },
    ),
  );
  return [...rows.map(riskItem), ...absent];
}

/** The verifier kinds Salesforce accepts for MFA, by their TwoFactorMethodsInfo flag. */
const VERIFIERS = [
  ['HasSalesforceAuthenticator', 'Salesforce Authenticator'],
  ['HasTotp', 'authenticator app (TOTP)'],
  // WebAuthn keys: every key registered or used since Summer '22. Older U2F registrations are HasU2F.
  ['HasSecurityKey', 'security key (WebAuthn)'],
  ['HasU2F', 'security key (U2F)'],
  ['HasBuiltInAuthenticator', 'built-in authenticator'],
] as const;

/**
 * An active user with whether a verifier Salesforce accepts for MFA is registered. A user without
 * a TwoFactorMethodsInfo row has registered none: the object is readable whole or not at all.
 */
export function mfaItem(user: z.infer<typeof User>, methods?: z.infer<typeof MfaMethods>): unknown {
  const names = VERIFIERS.filter(([field]) => methods?.[field] === true).map(([, name]) => name);
  return { ...user, _mfa: names.length > 0, _methods: names.join(', ') || 'none' };
}

const PERMISSION = {
  api: 'the API Enabled user permission',
  viewSetup: 'the View Setup and Configuration user permission',
  mfaApi: 'the Manage Multi-Factor Authentication in API user permission',
  metadata:
    'the Modify Metadata Through Metadata API Functions user permission (or Modify All Data), which the Metadata API requires even to read',
};

/** Per dataset, what the run-as user needs (the objects' "Special Access Rules"). */
const RIGHTS = {
  'salesforce:healthcheck/score': `${PERMISSION.viewSetup}, with API Enabled`,
  'salesforce:healthcheck/risks': `${PERMISSION.viewSetup}, with API Enabled`,
  'salesforce:users/mfa': `${PERMISSION.mfaApi}, with API Enabled`,
  'salesforce:permissions/modify-all': `${PERMISSION.viewSetup}, with API Enabled`,
  'salesforce:users/profiles': `${PERMISSION.viewSetup}, with API Enabled`,
  'salesforce:oauth/connected-apps': `${PERMISSION.viewSetup}, with API Enabled`,
  'salesforce:users/sso': `${PERMISSION.viewSetup}, with API Enabled`,
  'salesforce:metadata/security-settings': `${PERMISSION.metadata}, with API Enabled`,
  'salesforce:metadata/profile-ip-ranges': `${PERMISSION.metadata}, with API Enabled`,
} as const;

/**
 * Salesforce hides an object from a user without its permission: querying it is INVALID_TYPE
 * ("sObject type 'X' is not supported"), as for an object the org does not have.
 */
const HIDDEN_WITHOUT: Record<string, string> = {
  SecurityHealthCheck: PERMISSION.viewSetup,
  SecurityHealthCheckRisks: PERMISSION.viewSetup,
  TwoFactorMethodsInfo: PERMISSION.mfaApi,
  PermissionSetAssignment: PERMISSION.viewSetup,
  PermissionSet: PERMISSION.viewSetup,
  ConnectedApplication: PERMISSION.viewSetup,
};

/**
 * Why an error leaves a dataset unreadable, naming the permission the run-as user lacks where
 * Salesforce's answer tells it; undefined for an error that must fail the poll.
 */
export function sfGap(e: ConnectorError, right: string): Gap | string | undefined {
  switch (e.code) {
    case 'API_CURRENTLY_DISABLED':
      return { reason: 'Salesforce refuses API calls from the run-as user', missing: PERMISSION.api };
    case 'API_DISABLED_FOR_ORG':
      return {
        reason: "the org's Salesforce edition does not include API access",
        missing: 'API access for the org (an edition or add-on that includes the API)',
      };
    case 'INVALID_TYPE': {
      const object = /sObject type '(\w+)' is not supported/.exec(e.vendorMessage ?? '')?.[1] ?? '';
      const permission = HIDDEN_WITHOUT[object];
      return permission
        ? {
            reason: `Salesforce hides ${object} from the run-as user: it needs ${permission}`,
            missing: permission,
          }
        : `the org does not have ${object || 'this object'}`;
    }
    case 'INSUFFICIENT_ACCESS':
      // REST answers it as a 403 (below); the Metadata API as a SOAP fault, a 500.
      if (e.kind === 'forbidden') break;
      return {
        reason: `Salesforce refused the run-as user: ${e.vendorMessage ?? 'insufficient access'}; it needs ${right}`,
        missing: right,
      };
    case 'INVALID_FIELD':
      // Field-level security hides a field with the same answer as a field that does not exist.
      return 'Salesforce refused a field of the query: field-level security hides it from the run-as user, or this API version does not have it';
  }
  if (e.kind === 'forbidden')
    return { reason: `the run-as user may not read this: it needs ${right}`, missing: right };
  return unreadableReason(e);
}

function sfDataset(id: keyof typeof RIGHTS, read: () => Promise<unknown[]>): Promise<Dataset> {
  return dataset(read, { why: (e) => sfGap(e, RIGHTS[id]) });
}

function apiUsage(res: HttpResponse): { used: number; limit: number } | undefined {
  const m = /api-usage=(\d+)\/(\d+)/.exec(header(res.headers, 'sforce-limit-info') ?? '');
  return m ? { used: Number(m[1]), limit: Number(m[2]) } : undefined;
}

class SalesforceSession {
  private accessToken = '';
  private apiBase = '';
  private refreshes = 0;
  readonly tokenClient: HttpClient;
  readonly api: HttpClient;

  constructor(private readonly ctx: CollectContext) {
    const common = {
      ...instanceOptions(ctx),
      vendor: salesforceVendor,
      secrets: () => [ctx.secret, this.accessToken],
    };
    this.tokenClient = new HttpClient({ ...common, auth: () => ({}) });
    this.api = new HttpClient({
      ...common,
      auth: () => ({ authorization: `Bearer ${this.accessToken}` }),
      refresh: async () => {
        if (this.refreshes >= MAX_REFRESHES) return false;
        this.refreshes++;
        await this.signIn();
        return true;
      },
    });
  }

  get requests(): number {
    return this.tokenClient.requests + this.api.requests;
  }

  /** Client credentials on the My Domain; the answer names the instance to call. */
  async signIn(): Promise<void> {
    const clientId = this.ctx.instance.options.clientId;
    if (!clientId)
      throw new ConnectorError(
        'the Salesforce instance needs the clientId option (the consumer key of its connected app)',
        'auth',
      );
    let res: HttpResponse;
    try {
      res = await this.tokenClient.request('POST', '/services/oauth2/token', undefined, {
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: this.ctx.secret,
      });
    } catch (error) {
      // invalid_client, invalid_grant…: the credentials are wrong, not the network.
      if (error instanceof ConnectorError && (error.status === 400 || error.status === 401))
        throw new ConnectorError(
          error.message.replace(/^Salesforce \d+:/, 'Salesforce sign-in failed:'),
          'auth',
          error.status,
          error,
        );
      throw error;
    }
    const token = check(TokenResponse, res.body, 'the Salesforce token');
    const instance = new URL(token.instance_url);
    const base = new URL(this.ctx.instance.baseUrl);
    // The token must only ever travel to the host we were configured for.
    if (instance.origin !== base.origin)
      throw new ConnectorError(
        `Salesforce sent instance_url ${instance.origin}, which is not the configured My Domain ${base.origin}; set the instance's URL to it`,
        'auth',
      );
    this.accessToken = token.access_token;
    this.apiBase = token.instance_url.replace(/\/+$/, '');
  }

  private async get(url: string, query?: Record<string, string>) {
    const res = await this.api.get(url, query);
    const usage = apiUsage(res);
    if (usage && usage.limit > 0 && usage.used >= usage.limit * (1 - API_RESERVE)) {
      const until = new Date(this.ctx.clock.now() + untilDailyReset(this.ctx.clock.now())).toISOString();
      throw new ConnectorError(
        `rate limited by Salesforce until ${until}: the org has used ${usage.used} of its ${usage.limit} daily API requests and posture leaves the last ${API_RESERVE * 100}% to the org's own integrations`,
        'rate_limited',
      );
    }
    return res;
  }

  /**
   * One Metadata API call over SOAP, signed with the session; the response's `<result>` elements.
   * A session that expired mid-poll is a fault (INVALID_SESSION_ID), not a 401: sign in once more.
   */
  async metadata(call: string, inner: string) {
    const url = `${this.apiBase}/services/Soap/m/${API_VERSION.slice(1)}`;
    const send = () =>
      this.api.request('POST', url, undefined, undefined, {
        contentType: 'text/xml; charset=UTF-8',
        text: envelope(this.accessToken, call, inner),
        headers: { soapaction: '""' },
        finalFaults: true,
      });
    let res: HttpResponse;
    try {
      res = await send();
    } catch (error) {
      if (!(error instanceof ConnectorError) || error.code !== 'INVALID_SESSION_ID') throw error;
      if (this.refreshes >= MAX_REFRESHES) throw error;
      this.refreshes++;
      await this.signIn();
      res = await send();
    }
    try {
      return results(String(res.body), call);
    } catch (error) {
      throw new ConnectorError(
        `Salesforce returned a ${call} answer posture cannot read (${error instanceof Error ? error.message : String(error)})`,
        'malformed',
      );
    }
  }

  /** A SOQL query (REST or Tooling), every batch: `done:false` + relative `nextRecordsUrl` until `done:true`. */
  async query<T>(api: 'query' | 'tooling/query', soql: string, schema: z.ZodType<T>, what: string) {
    const records: T[] = [];
    let res = await this.get(`${this.apiBase}/services/data/${API_VERSION}/${api}`, { q: soql });
    for (let page = 1; ; page++) {
      const body = check(QueryResult, res.body, what);
      this.api.collected(body.records.length);
      records.push(...check(z.array(schema), body.records, what));
      if (body.done) return records;
      if (!body.nextRecordsUrl)
        throw new ConnectorError(
          `unexpected response for ${what}: done is false without nextRecordsUrl`,
          'malformed',
        );
      if (page >= MAX_PAGES) throw new ConnectorError(`${what}: more than ${MAX_PAGES} pages`, 'malformed');
      const next = /^https?:\/\//.test(body.nextRecordsUrl)
        ? body.nextRecordsUrl
        : this.apiBase + (body.nextRecordsUrl.startsWith('/') ? '' : '/') + body.nextRecordsUrl;
      res = await this.get(next);
    }
  }
}

async function healthCheckScore(s: SalesforceSession): Promise<unknown[]> {
  const rows = await s.query('tooling/query', SOQL.score, Score, 'the Health Check score');
  // Score is documented as a string ("72"); some orgs send a number.
  return rows.map((r) => ({
    ...r,
    Score: r.Score === null || r.Score === '' ? null : Number(r.Score),
    _label: 'Health Check',
  }));
}

async function healthCheckRisks(s: SalesforceSession): Promise<unknown[]> {
  const rows = await s.query('tooling/query', SOQL.risks, Risk, 'the Health Check settings');
  return riskItems(rows);
}

async function usersMfa(s: SalesforceSession): Promise<unknown[]> {
  const users = await s.query('query', SOQL.users, User, 'active users');
  const methods = await s.query('query', SOQL.mfa, MfaMethods, 'MFA methods');
  const byUser = new Map(methods.map((m) => [m.UserId, m]));
  return users.map((u) => mfaItem(u, byUser.get(u.Id)));
}

async function modifyAllData(s: SalesforceSession): Promise<unknown[]> {
  const rows = await s.query('query', SOQL.modifyAll, Assignment, 'Modify All Data assignments');
  // A user can hold the permission through the profile and a permission set: count people, not grants.
  const users = new Map(rows.map((r) => [r.AssigneeId, r.Assignee?.Username ?? r.AssigneeId]));
  return [
    {
      _label: 'Modify All Data',
      activeUsers: users.size,
      usernames: [...users.values()].sort().join(', '),
    },
  ];
}

/**
 * Active people with their profile and whether it is custom. Guest users (a site's anonymous
 * visitor) and users holding "API Only User" (integrations, which SBS-ACS-005 leaves out) are not
 * people signing in; a user whose profile row names no IsCustom is never judged.
 */
export function profileItems(
  rows: z.infer<typeof ProfileAssignment>[],
  apiOnly: ReadonlySet<string>,
): unknown[] {
  return rows
    .filter((r) => r.Assignee?.UserType !== 'Guest' && !apiOnly.has(r.AssigneeId))
    .map((r) => {
      const custom = r.PermissionSet?.IsCustom;
      const profile = r.PermissionSet?.Profile?.Name ?? 'a profile the run-as user cannot name';
      const item = {
        Id: r.AssigneeId,
        Username: r.Assignee?.Username ?? r.AssigneeId,
        profile,
        _label: `${r.Assignee?.Username ?? r.AssigneeId} (${profile})`,
      };
      return typeof custom === 'boolean'
        ? { ...item, _custom: custom }
        : unseenItem(item, { reason: 'Salesforce returned no IsCustom for the profile' });
    });
}

async function peopleRows(s: SalesforceSession) {
  const rows = await s.query('query', SOQL.profiles, ProfileAssignment, 'profile assignments');
  const apiOnly = await s.query('query', SOQL.apiOnly, AssigneeOnly, 'API Only User assignments');
  return { rows, apiOnly: new Set(apiOnly.map((r) => r.AssigneeId)) };
}

async function usersSso(s: SalesforceSession, people: Awaited<ReturnType<typeof peopleRows>>) {
  const sso = await s.query('query', SOQL.sso, AssigneeOnly, 'Is Single Sign-On Enabled assignments');
  return ssoItems(people.rows, people.apiOnly, new Set(sso.map((r) => r.AssigneeId)));
}

async function connectedApps(s: SalesforceSession): Promise<unknown[]> {
  const rows = await s.query('query', SOQL.connectedApps, ConnectedApp, 'connected apps');
  // "Permitted Users": "Admin approved users are pre-authorized" (true) or "All users may self-authorize".
  return rows.map((r) => ({ ...r, _label: r.Name ?? r.Id }));
}

/**
 * Active people with whether they hold "Is Single Sign-On Enabled" (from the profile or a
 * permission set), left out as for custom profiles: guests and "API Only User" integrations.
 */
export function ssoItems(
  rows: z.infer<typeof ProfileAssignment>[],
  apiOnly: ReadonlySet<string>,
  sso: ReadonlySet<string>,
): unknown[] {
  return rows
    .filter((r) => r.Assignee?.UserType !== 'Guest' && !apiOnly.has(r.AssigneeId))
    .map((r) => ({
      Id: r.AssigneeId,
      Username: r.Assignee?.Username ?? r.AssigneeId,
      _label: r.Assignee?.Username ?? r.AssigneeId,
      _sso: sso.has(r.AssigneeId),
    }));
}

/** Queries two datasets share are sent once per poll. */
function once<T>(read: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= read());
}

async function securitySettings(s: SalesforceSession): Promise<unknown[]> {
  const [result] = await s.metadata('readMetadata', readMetadataCall('SecuritySettings', ['Security']));
  return [securitySettingsItem(records(result)[0])];
}

/** Every profile (listMetadata), read 10 at a time: readMetadata's limit. */
async function profileIpRanges(s: SalesforceSession): Promise<unknown[]> {
  const listed = await s.metadata('listMetadata', listMetadataCall('Profile', API_VERSION.slice(1)));
  const names = [...new Set(listed.map((r) => textAt(r, 'fullName')).filter((n) => !!n))] as string[];
  const items: unknown[] = [];
  for (let i = 0; i < names.length; i += READ_BATCH) {
    const [result] = await s.metadata(
      'readMetadata',
      readMetadataCall('Profile', names.slice(i, i + READ_BATCH)),
    );
    items.push(...records(result).map(profileRangesItem));
  }
  return items;
}

export const salesforce: Connector = {
  app: 'salesforce',
  secretLabel: 'client secret (consumer secret) of the connected app',
  options: CONNECTOR_OPTIONS.salesforce,
  rights: RIGHTS,
  async collect(ctx: CollectContext) {
    const s = new SalesforceSession(ctx);
    await s.signIn();
    const people = once(() => peopleRows(s));
    const datasets: Datasets = {
      'salesforce:healthcheck/score': await sfDataset('salesforce:healthcheck/score', () =>
        healthCheckScore(s),
      ),
      'salesforce:healthcheck/risks': await sfDataset('salesforce:healthcheck/risks', () =>
        healthCheckRisks(s),
      ),
      'salesforce:users/mfa': await sfDataset('salesforce:users/mfa', () => usersMfa(s)),
      'salesforce:permissions/modify-all': await sfDataset('salesforce:permissions/modify-all', () =>
        modifyAllData(s),
      ),
      'salesforce:users/profiles': await sfDataset('salesforce:users/profiles', async () => {
        const p = await people();
        return profileItems(p.rows, p.apiOnly);
      }),
      'salesforce:oauth/connected-apps': await sfDataset('salesforce:oauth/connected-apps', () =>
        connectedApps(s),
      ),
      'salesforce:users/sso': await sfDataset('salesforce:users/sso', async () =>
        usersSso(s, await people()),
      ),
      'salesforce:metadata/security-settings': await sfDataset('salesforce:metadata/security-settings', () =>
        securitySettings(s),
      ),
      'salesforce:metadata/profile-ip-ranges': await sfDataset('salesforce:metadata/profile-ip-ranges', () =>
        profileIpRanges(s),
      ),
    };
    return { datasets, requests: s.requests };
  },
};
