import { describe, expect, it } from 'vitest';
import sharepointExample from '../fixtures/m365/sharepoint-settings.json' with { type: 'json' };
import { loadCatalog } from '../../source/catalog/index.js';
import {
  appManagementPolicy,
  authenticatorContext,
  authorizationPolicy,
  caPolicy,
  domain,
  pimAssignment,
  pimRolePolicy,
  PRIVILEGED_ROLES,
  sharepointSettings,
} from '../../source/connectors/m365/fields.js';
import { type Dataset, type Datasets, evaluate, unseenItem } from '../../source/domain/rules.js';
import type { Outcome } from '../../source/domain/schemas.js';

/**
 * Every Microsoft 365 control on datasets built the way the connector builds them: Graph v1.0
 * objects shaped as the reference pages show them (conditionalAccessPolicy as in "List policies",
 * authorizationPolicy, tenantAppManagementPolicy, authenticationMethodsPolicy, domain, the
 * directoryObject members of "List members of a directory role", userRegistrationDetails, and the
 * "Get settings" example for SharePoint in test/fixtures/m365), passed through fields.ts.
 * Each control gets a passing, a failing and an unknown case (a licence or a permission missing,
 * or an item Graph did not let the app see); the proportional one a partial.
 */

const controls = loadCatalog().forApp('m365');
type Obj = Record<string, unknown>;

const GLOBAL_READER = 'f2ef992c-3afb-46b9-b7cf-a126ee74c451';
const ADMIN_ROLES = Object.keys(PRIVILEGED_ROLES);

interface PolicyShape {
  state?: string;
  users?: Obj;
  apps?: Obj;
  clientAppTypes?: string[];
  grant?: string[];
  operator?: 'AND' | 'OR';
  strength?: Obj;
  session?: Obj | null;
  conditions?: Obj;
}

/** A conditional access policy as Graph returns it: every list present, empty where unset. */
function rawPolicy(name: string, p: PolicyShape = {}): Obj {
  return {
    id: `ca-${name.toLowerCase().replace(/\W+/g, '-')}`,
    displayName: name,
    createdDateTime: '2024-03-01T09:00:00Z',
    modifiedDateTime: null,
    state: p.state ?? 'enabled',
    sessionControls: p.session ?? null,
    conditions: {
      signInRiskLevels: [],
      userRiskLevels: [],
      clientAppTypes: p.clientAppTypes ?? ['all'],
      platforms: null,
      locations: null,
      applications: {
        includeApplications: ['All'],
        excludeApplications: [],
        includeUserActions: [],
        ...p.apps,
      },
      users: {
        includeUsers: ['All'],
        excludeUsers: [],
        includeGroups: [],
        excludeGroups: [],
        includeRoles: [],
        excludeRoles: [],
        ...p.users,
      },
      ...p.conditions,
    },
    grantControls: {
      operator: p.operator ?? 'OR',
      builtInControls: p.grant ?? [],
      customAuthenticationFactors: [],
      termsOfUse: [],
      authenticationStrength: p.strength ?? null,
    },
  };
}
const policy = (name: string, p?: PolicyShape) => caPolicy(rawPolicy(name, p));

const PHISHING_RESISTANT_STRENGTH = {
  id: '00000000-0000-0000-0000-000000000004',
  displayName: 'Phishing-resistant MFA',
  policyType: 'builtIn',
  requirementsSatisfied: 'mfa',
  allowedCombinations: ['windowsHelloForBusiness', 'fido2', 'x509CertificateMultiFactor'],
};
const MFA_STRENGTH = {
  id: '00000000-0000-0000-0000-000000000002',
  displayName: 'Multifactor authentication',
  policyType: 'builtIn',
  requirementsSatisfied: 'mfa',
  allowedCombinations: [
    'windowsHelloForBusiness',
    'fido2',
    'x509CertificateMultiFactor',
    'deviceBasedPush',
    'temporaryAccessPassOneTime',
    'temporaryAccessPassMultiUse',
    'password,microsoftAuthenticatorPush',
    'password,softwareOath',
    'password,hardwareOath',
    'password,sms',
    'password,voice',
    'federatedMultiFactor',
  ],
};
const admins = { includeUsers: [], includeRoles: ADMIN_ROLES };
const legacy = { clientAppTypes: ['exchangeActiveSync', 'other'], grant: ['block'] };

const ok = (key: string, ...items: unknown[]): Datasets => ({ [key]: { ok: true, items } });
const gap = (key: string, reason: string, missing?: string): Datasets => ({
  [key]: { ok: false, reason, ...(missing ? { missing } : {}) } as Dataset,
});
const CA = 'm365:conditionalAccess/policies';
const CA_P2 = 'm365:conditionalAccess/policies/p2';
const ca = (...items: Obj[]) => ok(CA, policy('Unrelated: block Android', { grant: ['block'] }), ...items);
const caP2 = (...items: Obj[]) => ok(CA_P2, ...items);
const noP1 = gap(
  CA,
  'the tenant has no Microsoft Entra ID P1 (or P2) licence, which conditional access needs',
);
const noP2 = gap(
  CA_P2,
  'the tenant has no Microsoft Entra ID P2 licence, which risk-based conditional access needs',
);
const denied = (key: string, permission: string) =>
  gap(
    key,
    `the app may not read this: it needs the ${permission} application permission`,
    `the ${permission} application permission`,
  );

/** The authorization policy as Graph returns it by default, with `patch` on top. */
function authz(patch: Obj = {}, defaults: Obj = {}): Datasets {
  return ok(
    'm365:authorizationPolicy',
    authorizationPolicy({
      id: 'authorizationPolicy',
      displayName: 'Authorization Policy',
      allowInvitesFrom: 'everyone',
      allowedToUseSSPR: true,
      blockMsolPowerShell: false,
      guestUserRoleId: '10dae51f-b6af-4016-8d66-8c2a99b929b3',
      ...patch,
      defaultUserRolePermissions: {
        allowedToCreateApps: true,
        allowedToCreateSecurityGroups: true,
        allowedToCreateTenants: true,
        allowedToReadOtherUsers: true,
        permissionGrantPoliciesAssigned: ['ManagePermissionGrantsForSelf.microsoft-user-default-legacy'],
        ...defaults,
      },
    }),
  );
}
const noPolicyRead = (key: string) => denied(key, 'Policy.Read.All');

type Restriction = { restrictionType: string; maxLifetime: string | null; state?: string };
function appPolicy(isEnabled: boolean, passwords: Restriction[], keys: Restriction[] = []): Datasets {
  const r = (x: Restriction) => ({
    state: 'enabled',
    restrictForAppsCreatedAfterDateTime: '2024-01-01T00:00:00Z',
    ...x,
  });
  return ok(
    'm365:appManagementPolicy',
    appManagementPolicy({
      id: '00000000-0000-0000-0000-000000000000',
      displayName: 'Default app management tenant policy',
      isEnabled,
      applicationRestrictions: { passwordCredentials: passwords.map(r), keyCredentials: keys.map(r) },
      servicePrincipalRestrictions: { passwordCredentials: [], keyCredentials: [] },
    }),
  );
}

const methodsPolicy = (policyMigrationState: string) =>
  ok('m365:authenticationMethodsPolicy', {
    id: 'authenticationMethodsPolicy',
    displayName: 'Authentication Methods Policy',
    policyVersion: '1.5',
    policyMigrationState,
    _label: 'Authentication methods policy',
  });
const method = (id: string, state: string, extra: Obj = {}) => ({
  '@odata.type': `#microsoft.graph.${id[0]!.toLowerCase()}${id.slice(1)}AuthenticationMethodConfiguration`,
  id,
  state,
  ...extra,
});
const methods = (...items: Obj[]) => ok('m365:authenticationMethods', ...items);
function authenticator(state: string, app: string, location: string) {
  const feature = (s: string) => ({
    state: s,
    includeTarget: { targetType: 'group', id: 'all_users' },
    excludeTarget: { targetType: 'group', id: '00000000-0000-0000-0000-000000000000' },
  });
  return authenticatorContext(
    method('MicrosoftAuthenticator', state, {
      isSoftwareOathEnabled: false,
      featureSettings: {
        displayAppInformationRequiredState: feature(app),
        displayLocationInformationRequiredState: feature(location),
      },
    }),
  );
}

const GA = '62e90394-69f5-4237-9190-012177145e10';
const globalAdmins = (users: number) =>
  ok('m365:roles/globalAdministrator', { id: GA, _label: 'Global Administrator', users, names: '' });
/** A privileged user as the connector makes it from a directoryObject member. */
function admin(n: number, onPremisesSyncEnabled: boolean | null, roles = 'Global Administrator'): Obj {
  const userPrincipalName = `admin${n}@contoso.com`;
  return {
    '@odata.type': '#microsoft.graph.user',
    id: `11111111-0000-4000-8000-00000000000${n}`,
    displayName: `Admin ${n}`,
    userPrincipalName,
    onPremisesSyncEnabled,
    _label: `${userPrincipalName} (${roles})`,
    _cloudOnly: onPremisesSyncEnabled !== true,
  };
}
const privileged = (...items: Obj[]) => ok('m365:roles/privilegedUsers', ...items);

const domains = (...items: Obj[]) => ok('m365:domains', ...items.map(domain));
const managedDomain = (id: string, passwordValidityPeriodInDays: number | null) => ({
  id,
  authenticationType: 'Managed',
  isDefault: false,
  isInitial: false,
  isRoot: true,
  isVerified: true,
  supportedServices: ['Email', 'OfficeCommunicationsOnlineService'],
  passwordValidityPeriodInDays,
  passwordNotificationWindowInDays: 14,
});

const registration = (...registered: boolean[]) =>
  ok(
    'm365:users/registration',
    ...registered.map((isMfaRegistered, i) => ({
      id: `22222222-0000-4000-8000-00000000000${i}`,
      userPrincipalName: `user${i}@contoso.com`,
      userDisplayName: `User ${i}`,
      userType: 'member',
      isAdmin: false,
      isMfaCapable: isMfaRegistered,
      isMfaRegistered,
      isPasswordlessCapable: false,
      isSsprRegistered: false,
      methodsRegistered: isMfaRegistered ? ['microsoftAuthenticatorPush'] : [],
    })),
  );

/** The "Get settings" example of Microsoft's reference, with `patch` applied inside its `value`. */
const sharepoint = (patch: Obj = {}) =>
  ok('m365:sharepoint/settings', sharepointSettings({ value: { ...sharepointExample.value, ...patch } }));
const noSharepoint = denied('m365:sharepoint/settings', 'SharePointTenantSettings.Read.All');

interface Case {
  pass: Datasets;
  fail: Datasets;
  unknown: Datasets;
  partial?: { datasets: Datasets; count: number; total: number };
}

/** A notification rule of a PIM policy as Graph returns it, with `recipients` as its additional recipients. */
function notification(id: string, recipients: string[]): Obj {
  return {
    '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyNotificationRule',
    id,
    notificationType: 'Email',
    recipientType: 'Admin',
    notificationLevel: 'All',
    isDefaultRecipientsEnabled: true,
    notificationRecipients: recipients,
    target: { caller: 'Admin', operations: ['all'], level: 'Assignment' },
  };
}
interface PimShape {
  approval?: boolean;
  assigned?: string[];
  eligible?: string[];
  activated?: string[];
}
/** A role's unifiedRoleManagementPolicyAssignment with `policy($expand=rules)`, through fields.ts. */
function pimPolicy(roleId: string, p: PimShape = {}): Obj {
  const soc = ['soc@contoso.com'];
  return pimRolePolicy({
    id: `Directory_tenant_${roleId}`,
    policyId: `Directory_tenant_policy_${roleId}`,
    scopeId: '/',
    scopeType: 'Directory',
    roleDefinitionId: roleId,
    policy: {
      id: `Directory_tenant_policy_${roleId}`,
      rules: [
        {
          '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule',
          id: 'Approval_EndUser_Assignment',
          setting: {
            isApprovalRequired: p.approval ?? true,
            isApprovalRequiredForExtension: false,
            isRequestorJustificationRequired: true,
            approvalMode: 'SingleStage',
            approvalStages: [],
          },
        },
        notification('Notification_Admin_Admin_Assignment', p.assigned ?? soc),
        notification('Notification_Admin_Admin_Eligibility', p.eligible ?? soc),
        notification('Notification_Admin_EndUser_Assignment', p.activated ?? soc),
      ],
    },
  });
}
const PIM = 'm365:pim/rolePolicies';
const PIM_ASSIGNMENTS = 'm365:pim/assignments';
const noPimP2 = gap(
  PIM,
  'the tenant has no Microsoft Entra ID P2 licence, which Privileged Identity Management needs',
);
/** Every highly privileged role's policy, Global Administrator's shaped by `ga`, the others by `others`. */
const pimPolicies = (ga: PimShape = {}, others: PimShape = {}) =>
  ok(PIM, ...ADMIN_ROLES.map((id) => pimPolicy(id, id === GA ? ga : others)));
/** An active assignment (unifiedRoleAssignmentScheduleInstance) of a role, through fields.ts. */
function active(n: number, roleId: string, start: string | null, end: string | null): Obj {
  return pimAssignment({
    id: `instance-${n}`,
    principalId: `11111111-0000-4000-8000-00000000000${n}`,
    roleDefinitionId: roleId,
    directoryScopeId: '/',
    appScopeId: null,
    startDateTime: start,
    endDateTime: end,
    assignmentType: 'Assigned',
    memberType: 'Direct',
    roleAssignmentOriginId: `origin-${n}`,
    roleAssignmentScheduleId: `schedule-${n}`,
  });
}
const assignments = (...items: Obj[]) => ok(PIM_ASSIGNMENTS, ...items);
const timeBound = (n: number) => active(n, GA, '2026-11-01T08:00:00Z', '2026-11-01T16:00:00Z');

/** The count of Global Administrators against users holding only other privileged roles, as the connector makes it. */
const finerGrained = (global: number, others: number) =>
  ok('m365:roles/finerGrained', {
    id: 'privileged-roles',
    _label: `${global} Global Administrator(s), ${others} user(s) with other privileged roles only`,
    globalAdministrators: global,
    otherPrivilegedUsers: others,
    _finerGrained: global <= others,
  });

const CASES: Record<string, Case> = {
  'm365.ca.legacy_auth': {
    pass: ca(policy('Block legacy authentication', legacy)),
    // The same policy in report-only: it blocks nothing.
    fail: ca(
      policy('Block legacy authentication', { ...legacy, state: 'enabledForReportingButNotEnforced' }),
    ),
    unknown: noP1,
  },
  'm365.ca.mfa_all_users': {
    pass: ca(policy('Require MFA', { grant: ['mfa'], users: { excludeUsers: ['breakglass-id'] } })),
    // Excluding a role leaves its holders without MFA.
    fail: ca(policy('Require MFA', { grant: ['mfa'], users: { excludeRoles: [GLOBAL_READER] } })),
    unknown: noP1,
  },
  'm365.ca.phishing_resistant_all': {
    pass: ca(policy('Phishing-resistant MFA', { strength: PHISHING_RESISTANT_STRENGTH })),
    fail: ca(policy('MFA strength', { strength: MFA_STRENGTH })),
    unknown: noP1,
  },
  'm365.ca.phishing_resistant_admins': {
    pass: ca(policy('Admins: phishing-resistant', { users: admins, strength: PHISHING_RESISTANT_STRENGTH })),
    fail: ca(
      policy('Admins: phishing-resistant', {
        users: { includeUsers: [], includeRoles: ADMIN_ROLES.slice(1) },
        strength: PHISHING_RESISTANT_STRENGTH,
      }),
    ),
    unknown: noP1,
  },
  'm365.ca.mfa_admins': {
    pass: ca(policy('Admins: MFA', { users: admins, grant: ['mfa'] })),
    // A compliant device alone satisfies an OR grant: no MFA is required.
    fail: ca(policy('Admins: device', { users: admins, grant: ['compliantDevice'] })),
    unknown: noP1,
  },
  'm365.ca.admin_session': {
    pass: ca(
      policy('Admins: session', {
        users: admins,
        grant: ['mfa'],
        session: {
          signInFrequency: { isEnabled: true, value: 4, type: 'hours', frequencyInterval: 'timeBased' },
          persistentBrowser: { isEnabled: true, mode: 'never' },
        },
      }),
    ),
    fail: ca(
      policy('Admins: session', {
        users: admins,
        grant: ['mfa'],
        session: {
          signInFrequency: { isEnabled: true, value: 4, type: 'hours', frequencyInterval: 'timeBased' },
          persistentBrowser: { isEnabled: true, mode: 'always' },
        },
      }),
    ),
    unknown: noP1,
  },
  'm365.ca.managed_devices': {
    pass: ca(policy('Managed devices', { grant: ['compliantDevice', 'domainJoinedDevice'] })),
    fail: ca(policy('Managed devices or MFA', { grant: ['mfa', 'compliantDevice'] })),
    unknown: noP1,
  },
  'm365.ca.managed_device_registration': {
    pass: ca(
      policy('Register security info from managed devices', {
        apps: { includeApplications: [], includeUserActions: ['urn:user:registersecurityinfo'] },
        grant: ['compliantDevice', 'domainJoinedDevice'],
      }),
    ),
    fail: ca(
      policy('Register security info with MFA', {
        apps: { includeApplications: [], includeUserActions: ['urn:user:registersecurityinfo'] },
        grant: ['mfa'],
      }),
    ),
    unknown: noP1,
  },
  'm365.ca.device_code': {
    pass: ca(
      policy('Block device code flow', {
        grant: ['block'],
        conditions: { authenticationFlows: { transferMethods: 'deviceCodeFlow,authenticationTransfer' } },
      }),
    ),
    fail: ca(
      policy('Block authentication transfer', {
        grant: ['block'],
        conditions: { authenticationFlows: { transferMethods: 'authenticationTransfer' } },
      }),
    ),
    unknown: noP1,
  },
  'm365.ca.high_risk_users': {
    pass: caP2(
      policy('Block high-risk users', { grant: ['block'], conditions: { userRiskLevels: ['high'] } }),
    ),
    // SCuBA asks for a block; a password change still lets the risky session on.
    fail: caP2(
      policy('High-risk users: MFA', {
        grant: ['mfa', 'passwordChange'],
        operator: 'AND',
        conditions: { userRiskLevels: ['high'] },
      }),
    ),
    unknown: noP2,
  },
  'm365.ca.high_risk_signins': {
    pass: caP2(
      policy('Block high-risk sign-ins', {
        grant: ['block'],
        conditions: { signInRiskLevels: ['high', 'medium'] },
      }),
    ),
    fail: caP2(
      policy('Block medium-risk sign-ins', {
        grant: ['block'],
        conditions: { signInRiskLevels: ['medium'] },
      }),
    ),
    unknown: noP2,
  },
  'm365.authmethods.migration': {
    pass: methodsPolicy('migrationComplete'),
    fail: methodsPolicy('migrationInProgress'),
    unknown: denied('m365:authenticationMethodsPolicy', 'Policy.Read.AuthenticationMethod'),
  },
  'm365.authmethods.weak_methods': {
    pass: methods(
      method('Sms', 'disabled'),
      method('Voice', 'disabled'),
      method('Email', 'disabled'),
      method('Fido2', 'enabled'),
    ),
    fail: methods(method('Sms', 'enabled'), method('Voice', 'disabled'), method('Email', 'disabled')),
    unknown: denied('m365:authenticationMethods', 'Policy.Read.AuthenticationMethod'),
  },
  'm365.authmethods.authenticator_context': {
    pass: methods(authenticator('enabled', 'enabled', 'enabled')),
    // "default" is Microsoft-managed: SCuBA accepts only an explicit enabled.
    fail: methods(authenticator('enabled', 'enabled', 'default')),
    unknown: denied('m365:authenticationMethods', 'Policy.Read.AuthenticationMethod'),
  },
  'm365.apps.registration': {
    pass: authz({}, { allowedToCreateApps: false }),
    fail: authz(),
    unknown: noPolicyRead('m365:authorizationPolicy'),
  },
  'm365.apps.user_consent': {
    pass: authz({}, { permissionGrantPoliciesAssigned: [] }),
    fail: authz(),
    unknown: noPolicyRead('m365:authorizationPolicy'),
  },
  'm365.apps.admin_consent_workflow': {
    pass: ok('m365:adminConsentRequestPolicy', { isEnabled: true, notifyReviewers: true, reviewers: [] }),
    fail: ok('m365:adminConsentRequestPolicy', { isEnabled: false, notifyReviewers: false, reviewers: [] }),
    unknown: noPolicyRead('m365:adminConsentRequestPolicy'),
  },
  'm365.apps.password_addition': {
    pass: appPolicy(true, [{ restrictionType: 'passwordAddition', maxLifetime: null }]),
    // The restriction is written down but the policy is off: nothing is blocked.
    fail: appPolicy(false, [{ restrictionType: 'passwordAddition', maxLifetime: null }]),
    unknown: noPolicyRead('m365:appManagementPolicy'),
  },
  'm365.apps.password_lifetime': {
    pass: appPolicy(true, [{ restrictionType: 'passwordLifetime', maxLifetime: 'P90D' }]),
    fail: appPolicy(true, [{ restrictionType: 'passwordLifetime', maxLifetime: 'P365D' }]),
    unknown: noPolicyRead('m365:appManagementPolicy'),
  },
  'm365.apps.certificate_lifetime': {
    pass: appPolicy(true, [], [{ restrictionType: 'asymmetricKeyLifetime', maxLifetime: 'P365D' }]),
    fail: appPolicy(true, [], [{ restrictionType: 'asymmetricKeyLifetime', maxLifetime: 'P730D' }]),
    unknown: noPolicyRead('m365:appManagementPolicy'),
  },
  'm365.guests.directory_access': {
    pass: authz({ guestUserRoleId: '2af84b1e-32c8-42b7-82bc-daa82404023b' }),
    // The same access as members.
    fail: authz({ guestUserRoleId: 'a0b1b346-4d3e-4e8b-98f8-753987be4970' }),
    unknown: noPolicyRead('m365:authorizationPolicy'),
  },
  'm365.guests.invitations': {
    pass: authz({ allowInvitesFrom: 'adminsAndGuestInviters' }),
    fail: authz({ allowInvitesFrom: 'adminsGuestInvitersAndAllMembers' }),
    unknown: noPolicyRead('m365:authorizationPolicy'),
  },
  'm365.users.tenant_creation': {
    pass: authz({}, { allowedToCreateTenants: false }),
    fail: authz(),
    unknown: noPolicyRead('m365:authorizationPolicy'),
  },
  'm365.roles.global_admin_count': {
    pass: globalAdmins(3),
    fail: globalAdmins(9),
    unknown: ok(
      'm365:roles/globalAdministrator',
      unseenItem(
        { id: GA, _label: 'Global Administrator', users: 3 },
        {
          reason:
            'the role is also held by 1 group(s) or service principal(s) (Tier 0) whose members posture does not count',
        },
      ),
    ),
  },
  'm365.roles.cloud_only_admins': {
    pass: privileged(admin(1, null), admin(2, false, 'Privileged Role Administrator')),
    fail: privileged(admin(1, null), admin(2, true)),
    // Graph returned the member with its id only (the app lacks User.Read.All).
    unknown: privileged(
      admin(1, null),
      unseenItem(
        { '@odata.type': '#microsoft.graph.user', id: 'x', displayName: null, onPremisesSyncEnabled: null },
        {
          reason: 'Graph returned only the id of this user',
          missing: 'the User.Read.All application permission',
        },
      ),
    ),
  },
  'm365.passwords.never_expire': {
    pass: domains(managedDomain('contoso.com', 2147483647), managedDomain('fabrikam.com', null)),
    fail: domains(managedDomain('contoso.com', null), managedDomain('sales.contoso.com', 90)),
    unknown: denied('m365:domains', 'Domain.Read.All'),
  },
  'm365.users.mfa_registered': {
    pass: registration(true, true, true),
    fail: registration(false, false),
    unknown: denied('m365:users/registration', 'AuditLog.Read.All'),
    partial: { datasets: registration(true, false, true, true), count: 3, total: 4 },
  },
  'm365.sharepoint.external_sharing': {
    pass: sharepoint({ sharingCapability: 'existingExternalUserSharingOnly' }),
    // Microsoft's own example: anyone links and guests.
    fail: sharepoint(),
    unknown: noSharepoint,
  },
  'm365.sharepoint.domain_restriction': {
    pass: sharepoint(),
    fail: sharepoint({ sharingDomainRestrictionMode: 'none' }),
    unknown: noSharepoint,
  },
  'm365.sharepoint.guest_resharing': {
    pass: sharepoint({ isResharingByExternalUsersEnabled: false }),
    fail: sharepoint(),
    unknown: noSharepoint,
  },
  'm365.sharepoint.modern_auth': {
    pass: sharepoint(),
    fail: sharepoint({ isLegacyAuthProtocolsEnabled: true }),
    unknown: noSharepoint,
  },
  'm365.sharepoint.unmanaged_sync': {
    pass: sharepoint(),
    fail: sharepoint({ isUnmanagedSyncAppForTenantRestricted: false }),
    unknown: noSharepoint,
  },
  'm365.roles.finer_grained': {
    pass: finerGrained(3, 4),
    fail: finerGrained(5, 4),
    // A group holds a privileged role: its members are not counted, so neither count is known.
    unknown: ok(
      'm365:roles/finerGrained',
      unseenItem(
        { id: 'privileged-roles', _label: 'Highly privileged roles', globalAdministrators: 3 },
        {
          reason:
            'privileged roles are also held by group(s) or service principal(s) whose members posture does not count: Tier 0 (Global Administrator)',
        },
      ),
    ),
  },
  'm365.pim.no_permanent_active': {
    pass: assignments(
      timeBound(1),
      active(2, ADMIN_ROLES[2]!, '2026-10-01T00:00:00Z', '2027-04-01T00:00:00Z'),
    ),
    fail: assignments(timeBound(1), active(2, GA, '2025-01-01T00:00:00Z', null)),
    unknown: gap(
      PIM_ASSIGNMENTS,
      'the tenant has no Microsoft Entra ID P2 licence, which Privileged Identity Management needs',
    ),
  },
  'm365.pim.assigned_in_pim': {
    pass: assignments(timeBound(1), active(2, GA, '2025-01-01T00:00:00Z', null)),
    fail: assignments(timeBound(1), active(2, ADMIN_ROLES[1]!, null, null)),
    unknown: denied(PIM_ASSIGNMENTS, 'RoleManagement.Read.Directory'),
  },
  'm365.pim.global_admin_approval': {
    pass: pimPolicies({ approval: true }, { approval: false }),
    fail: pimPolicies({ approval: false }, { approval: true }),
    unknown: noPimP2,
  },
  'm365.pim.assignment_alerts': {
    pass: pimPolicies(),
    // One role alerts on active assignments but not on eligible ones.
    fail: pimPolicies({}, { eligible: [] }),
    unknown: denied(PIM, 'RoleManagementPolicy.Read.Directory (or RoleManagement.Read.Directory)'),
  },
  'm365.pim.global_admin_activation_alert': {
    pass: pimPolicies({}, { activated: [] }),
    fail: pimPolicies({ activated: [] }, {}),
    unknown: noPimP2,
  },
  'm365.pim.activation_alerts': {
    pass: pimPolicies({ activated: [] }, {}),
    fail: pimPolicies({}, { activated: [] }),
    // Only Global Administrator's policy was returned: the other roles' settings are not known.
    unknown: ok(PIM, pimPolicy(GA)),
  },
};

describe('Microsoft 365 catalog rules', () => {
  it('has a case for every control, and at least thirty controls', () => {
    expect(controls.length).toBeGreaterThanOrEqual(30);
    expect(Object.keys(CASES).sort()).toEqual(controls.map((c) => c.id).sort());
  });

  describe.each(controls.map((c) => [c.id, c] as const))('%s', (id, control) => {
    const c = CASES[id]!;
    const outcome = (d: Datasets): Outcome => evaluate(control, d).outcome;

    it('passes, fails and is unknown on the matching fixtures', () => {
      expect(outcome(c.pass)).toBe('pass');
      expect(outcome(c.fail)).toBe('fail');
      expect(outcome(c.unknown)).toBe('unknown');
    });

    it('names what is missing when it is unknown, and never passes or fails on it', () => {
      const r = evaluate(control, c.unknown);
      expect(r.reason).toBeTruthy();
      const ds = c.unknown[control.rule.dataset];
      if (ds && !ds.ok) {
        expect(r.reason).toBe(ds.reason);
        expect(r.missing).toBe(ds.missing);
      }
    });
  });

  it('m365.users.mfa_registered gives partial credit', () => {
    const control = controls.find((c) => c.id === 'm365.users.mfa_registered')!;
    const p = CASES['m365.users.mfa_registered']!.partial!;
    expect(evaluate(control, p.datasets)).toMatchObject({
      outcome: 'partial',
      count: p.count,
      total: p.total,
    });
  });

  it('names the failing conditional access policy, domain and administrator by stable id', () => {
    const byId = (id: string) => controls.find((c) => c.id === id)!;
    const expire = evaluate(byId('m365.passwords.never_expire'), CASES['m365.passwords.never_expire']!.fail);
    expect(expire.failing).toEqual([{ id: 'sales.contoso.com', name: 'sales.contoso.com' }]);
    const synced = evaluate(
      byId('m365.roles.cloud_only_admins'),
      CASES['m365.roles.cloud_only_admins']!.fail,
    );
    expect(synced.failing).toEqual([
      { id: '11111111-0000-4000-8000-000000000002', name: 'admin2@contoso.com (Global Administrator)' },
    ]);
    // Every rule over a list of many things names each by a stable id.
    const lists = [
      CA,
      CA_P2,
      'm365:domains',
      'm365:roles/privilegedUsers',
      'm365:authenticationMethods',
      'm365:users/registration',
    ];
    for (const c of controls.filter((x) => lists.includes(x.rule.dataset)))
      expect(c.rule.id, c.id).toBeDefined();
  });

  it('is unknown, naming the licence, without Entra ID P1 or P2, never a fail', () => {
    for (const c of controls.filter((x) => x.rule.dataset === CA || x.rule.dataset === CA_P2)) {
      const r = evaluate(c, c.rule.dataset === CA ? noP1 : noP2);
      expect(r.outcome, c.id).toBe('unknown');
      expect(r.reason, c.id).toMatch(/no Microsoft Entra ID P[12]/);
    }
  });
});

describe('conditional access policies, read as SCuBA reads them', () => {
  it('does not count a report-only or disabled policy as enforced', () => {
    expect(policy('x', { ...legacy, state: 'enabledForReportingButNotEnforced' })._on).toBe(false);
    expect(policy('x', { ...legacy, state: 'disabled' })._on).toBe(false);
    expect(policy('x', legacy)._on).toBe(true);
  });

  it('covers all users only when no role is excluded; excluded users and groups (break-glass) are allowed', () => {
    expect(policy('x', { users: { excludeUsers: ['bg1', 'bg2'], excludeGroups: ['g'] } })._allUsers).toBe(
      true,
    );
    expect(policy('x', { users: { excludeRoles: [GLOBAL_READER] } })._allUsers).toBe(false);
    expect(policy('x', { users: { includeUsers: ['GuestsOrExternalUsers'] } })._allUsers).toBe(false);
    expect(
      policy('x', { apps: { includeApplications: ['00000002-0000-0ff1-ce00-000000000000'] } })._allApps,
    ).toBe(false);
  });

  it('covers the privileged roles only when it includes every one of them', () => {
    expect(policy('x', { users: admins })._adminRoles).toBe(true);
    expect(policy('x', { users: { includeRoles: [...ADMIN_ROLES, GLOBAL_READER] } })._adminRoles).toBe(true);
    expect(policy('x', { users: { includeRoles: ADMIN_ROLES.slice(0, -1) } })._adminRoles).toBe(false);
  });

  it('blocks legacy authentication only with both legacy client types and a block grant', () => {
    expect(policy('x', legacy)._blocksLegacy).toBe(true);
    expect(policy('x', { ...legacy, clientAppTypes: ['exchangeActiveSync'] })._blocksLegacy).toBe(false);
    expect(policy('x', { ...legacy, grant: ['mfa'] })._blocksLegacy).toBe(false);
  });

  it('requires a managed device when an AND grant has a device control, or every control of an OR grant is one', () => {
    expect(policy('x', { grant: ['mfa', 'compliantDevice'], operator: 'AND' })._managedDevice).toBe(true);
    expect(policy('x', { grant: ['mfa', 'compliantDevice'], operator: 'OR' })._managedDevice).toBe(false);
    expect(
      policy('x', { grant: ['compliantDevice', 'domainJoinedDevice'], operator: 'OR' })._managedDevice,
    ).toBe(true);
    expect(policy('x', { grant: [], operator: 'OR' })._managedDevice).toBe(false);
  });

  it('counts MFA from the mfa control or a strength whose every combination is multifactor', () => {
    expect(policy('x', { grant: ['mfa'] })._mfa).toBe(true);
    expect(policy('x', { strength: MFA_STRENGTH })._mfa).toBe(true);
    expect(policy('x', { grant: ['compliantDevice'] })._mfa).toBe(false);
    // A custom strength that lets a password alone through is not MFA.
    expect(policy('x', { strength: { id: 'custom', allowedCombinations: ['password', 'fido2'] } })._mfa).toBe(
      false,
    );
  });

  it('counts phishing resistance only when every allowed combination resists phishing', () => {
    expect(policy('x', { strength: PHISHING_RESISTANT_STRENGTH })._phishingResistant).toBe(true);
    expect(policy('x', { strength: MFA_STRENGTH })._phishingResistant).toBe(false);
    expect(policy('x', { grant: ['mfa'] })._phishingResistant).toBe(false);
    expect(
      policy('x', {
        strength: { id: 'custom', allowedCombinations: ['fido2', 'password,microsoftAuthenticatorPush'] },
      })._phishingResistant,
    ).toBe(false);
  });

  it('recognises the built-in strengths by id when Graph sends them without their combinations', () => {
    const byId = (id: string) => policy('x', { strength: { id, displayName: null } });
    expect(byId('00000000-0000-0000-0000-000000000004')).toMatchObject({
      _phishingResistant: true,
      _mfa: true,
    });
    expect(byId('00000000-0000-0000-0000-000000000003')).toMatchObject({
      _phishingResistant: false,
      _mfa: true,
    });
    expect(byId('00000000-0000-0000-0000-000000000002')).toMatchObject({
      _phishingResistant: false,
      _mfa: true,
    });
    expect(byId('3f1a3b3e-0000-4000-8000-000000000000')).toMatchObject({
      _phishingResistant: false,
      _mfa: false,
    });
  });

  it('reads the device code flow from the comma-separated transferMethods flags', () => {
    const flows = (transferMethods: string) =>
      policy('x', { grant: ['block'], conditions: { authenticationFlows: { transferMethods } } })
        ._blocksDeviceCode;
    expect(flows('deviceCodeFlow')).toBe(true);
    expect(flows('authenticationTransfer, deviceCodeFlow')).toBe(true);
    expect(flows('authenticationTransfer')).toBe(false);
  });

  it('judges the example policies of the List policies page: disabled, so neither is enforced', () => {
    // "List policies" (conditionalAccessRoot), Graph v1.0 reference: SimplePolicy1 blocks, SimplePolicy2
    // requires MFA, both for includeUsers None and state disabled.
    const examples = [
      rawPolicy('SimplePolicy1', { state: 'disabled', grant: ['block'], users: { includeUsers: ['None'] } }),
      rawPolicy('SimplePolicy2', { state: 'disabled', grant: ['mfa'], users: { includeUsers: ['None'] } }),
    ].map(caPolicy);
    const control = controls.find((c) => c.id === 'm365.ca.mfa_all_users')!;
    expect(evaluate(control, ok(CA, ...examples)).outcome).toBe('fail');
  });
});

describe('other Graph objects, read by fields.ts', () => {
  it('reads ISO 8601 durations of days and weeks; anything else is no restriction it can judge', () => {
    const lifetime = (maxLifetime: string) =>
      appManagementPolicy({
        isEnabled: true,
        applicationRestrictions: {
          passwordCredentials: [{ restrictionType: 'passwordLifetime', state: 'enabled', maxLifetime }],
        },
      });
    expect(lifetime('P180D')).toMatchObject({
      _passwordLifetime: '180 days',
      _passwordLifetimeWithin180Days: true,
    });
    expect(lifetime('P4W')).toMatchObject({
      _passwordLifetime: '28 days',
      _passwordLifetimeWithin180Days: true,
    });
    expect(lifetime('P181D')._passwordLifetimeWithin180Days).toBe(false);
    // Years and hours are not durations of days: never read as a pass.
    expect(lifetime('P1Y')._passwordLifetimeWithin180Days).toBe(false);
    expect(lifetime('PT4H')._passwordLifetimeWithin180Days).toBe(false);
  });

  it('ignores a restriction whose own state is disabled', () => {
    const p = appManagementPolicy({
      isEnabled: true,
      applicationRestrictions: {
        passwordCredentials: [{ restrictionType: 'passwordAddition', state: 'disabled', maxLifetime: null }],
      },
    });
    expect(p._passwordAdditionBlocked).toBe(false);
  });

  it('reads never-expiring passwords as null (tenants since 2021) or 2147483647', () => {
    expect(domain({ id: 'a', passwordValidityPeriodInDays: null })._passwordsExpire).toBe(false);
    expect(domain({ id: 'a', passwordValidityPeriodInDays: 2147483647 })._passwordsExpire).toBe(false);
    expect(domain({ id: 'a', passwordValidityPeriodInDays: 90 })).toMatchObject({
      _passwordsExpire: true,
      _validity: '90 days',
    });
  });

  it('counts only self-consent policies as user consent', () => {
    const consent = (permissionGrantPoliciesAssigned: string[]) =>
      authorizationPolicy({ defaultUserRolePermissions: { permissionGrantPoliciesAssigned } });
    expect(
      consent(['ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team'])
        ._userConsentPolicies,
    ).toBe(0);
    expect(consent(['ManagePermissionGrantsForSelf.microsoft-user-default-low'])._userConsentPolicies).toBe(
      1,
    );
  });

  it('reads the SharePoint settings wrapped in value (the reference example) or bare', () => {
    const wrapped = sharepointSettings(sharepointExample);
    const bare = sharepointSettings({ ...sharepointExample.value });
    expect(wrapped.sharingCapability).toBe('externalUserAndGuestSharing');
    expect(bare).toEqual(wrapped);
  });
});
