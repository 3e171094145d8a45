/**
 * What the catalog's rules read from Graph's objects, worked out once here: a conditional access
 * policy's meaning (does it block legacy authentication for everyone?) is a judgement over several
 * fields and lists, which a JSON-pointer rule cannot make. Each derived field is named `_…` and is
 * set only from fields Graph returned; the object's own fields stay as Graph sent them.
 * The judgements follow CISA's ScubaGear (Rego/AADConfig.rego, Rego/Utils/AAD.rego).
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const at = (v: unknown, ...keys: string[]): unknown => {
  let cur = v;
  for (const k of keys) cur = isObj(cur) ? cur[k] : undefined;
  return cur;
};
const has = (v: unknown, value: string) => list(v).includes(value);

/**
 * The roles CISA's SCuBA baseline for Microsoft Entra ID calls highly privileged, by role template
 * id (the same in every tenant).
 */
export const PRIVILEGED_ROLES: Record<string, string> = {
  '62e90394-69f5-4237-9190-012177145e10': 'Global Administrator',
  'e8611ab8-c189-46e8-94e1-60213ab1f814': 'Privileged Role Administrator',
  'fe930be7-5e62-47db-91af-98c3a49a38b1': 'User Administrator',
  'f28a1f50-f6e7-4571-818b-6a12f2af6b6c': 'SharePoint Administrator',
  '29232cdf-9323-42fd-ade2-1d097af3e4de': 'Exchange Administrator',
  '8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2': 'Hybrid Identity Administrator',
  '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3': 'Application Administrator',
  '158c047a-c907-4556-b7ef-446551a6b5f7': 'Cloud Application Administrator',
};
export const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';

/** Phishing-resistant authentication method modes (AAD.rego IsPhishingResistantMFA). */
const PHISHING_RESISTANT = new Set(['windowsHelloForBusiness', 'fido2', 'x509CertificateMultiFactor']);
/** Combinations that are multifactor (AAD.rego IsGeneralMFA). */
const MULTIFACTOR = new Set([
  ...PHISHING_RESISTANT,
  'deviceBasedPush',
  'temporaryAccessPassOneTime',
  'temporaryAccessPassMultiUse',
  'password,microsoftAuthenticatorPush',
  'password,softwareOath',
  'password,hardwareOath',
  'password,sms',
  'password,voice',
  'federatedMultiFactor',
  'microsoftAuthenticatorPush,federatedSingleFactor',
  'softwareOath,federatedSingleFactor',
  'hardwareOath,federatedSingleFactor',
  'sms,federatedSingleFactor',
  'voice,federatedSingleFactor',
]);

/**
 * The three built-in authentication strengths, by their fixed ids (the same in every tenant):
 * Multifactor authentication, Passwordless MFA, Phishing-resistant MFA. Used only when Graph
 * sends the strength without its `allowedCombinations`. Microsoft's "Authentication strengths"
 * overview names the three; their ids here are as Graph returns them for the built-in policies
 * (not found on a Microsoft page in this session: third-party documentation agrees).
 */
export const BUILT_IN_STRENGTHS: Record<string, 'mfa' | 'passwordless' | 'phishingResistant'> = {
  '00000000-0000-0000-0000-000000000002': 'mfa',
  '00000000-0000-0000-0000-000000000003': 'passwordless',
  '00000000-0000-0000-0000-000000000004': 'phishingResistant',
};

function strength(policy: Obj): string[] {
  return list(at(policy, 'grantControls', 'authenticationStrength', 'allowedCombinations')).filter(
    (c): c is string => typeof c === 'string',
  );
}
function builtIn(policy: Obj) {
  const id = at(policy, 'grantControls', 'authenticationStrength', 'id');
  return typeof id === 'string' ? BUILT_IN_STRENGTHS[id] : undefined;
}

/** Every combination the grant's authentication strength allows is phishing-resistant. */
export function phishingResistant(policy: Obj): boolean {
  const s = strength(policy);
  if (s.length === 0) return builtIn(policy) === 'phishingResistant';
  return s.every((c) => PHISHING_RESISTANT.has(c));
}

/** The grant requires multifactor authentication: the `mfa` control, or a multifactor strength. */
export function multifactor(policy: Obj): boolean {
  if (has(at(policy, 'grantControls', 'builtInControls'), 'mfa')) return true;
  const s = strength(policy);
  if (s.length === 0) return builtIn(policy) !== undefined;
  return s.every((c) => MULTIFACTOR.has(c));
}

/**
 * A conditional access policy with what it does, for the rules: `_on` (enabled, not report-only),
 * `_allUsers` (includes All users and excludes no role: SCuBA allows user and group exclusions,
 * such as emergency access accounts, but not roles), `_allApps`, `_adminRoles` (includes every
 * highly privileged role), and what its grant and conditions require.
 */
export function caPolicy(raw: Obj): Obj {
  const users = at(raw, 'conditions', 'users');
  const apps = at(raw, 'conditions', 'applications');
  const grant = list(at(raw, 'grantControls', 'builtInControls'));
  const block = grant.includes('block');
  const clientApps = list(at(raw, 'conditions', 'clientAppTypes'));
  const roles = list(at(users, 'includeRoles'));
  const session = at(raw, 'sessionControls');
  // A managed device is required when the grant cannot be met without one: every control of an
  // OR grant is a device control, or an AND grant has one.
  const device = (c: unknown) => c === 'compliantDevice' || c === 'domainJoinedDevice';
  const managed =
    at(raw, 'grantControls', 'operator') === 'AND'
      ? grant.some(device)
      : grant.length > 0 && grant.every(device);
  return {
    ...raw,
    _on: raw.state === 'enabled',
    _allUsers: has(at(users, 'includeUsers'), 'All') && list(at(users, 'excludeRoles')).length === 0,
    _allApps: has(at(apps, 'includeApplications'), 'All'),
    _adminRoles: Object.keys(PRIVILEGED_ROLES).every((id) => roles.includes(id)),
    _blocksLegacy: block && clientApps.includes('exchangeActiveSync') && clientApps.includes('other'),
    _blocksHighUserRisk: block && has(at(raw, 'conditions', 'userRiskLevels'), 'high'),
    _blocksHighSignInRisk: block && has(at(raw, 'conditions', 'signInRiskLevels'), 'high'),
    _blocksDeviceCode:
      block &&
      String(at(raw, 'conditions', 'authenticationFlows', 'transferMethods') ?? '')
        .split(',')
        .map((s) => s.trim())
        .includes('deviceCodeFlow'),
    _mfa: multifactor(raw),
    _phishingResistant: phishingResistant(raw),
    _managedDevice: managed,
    _registersSecurityInfo: has(at(apps, 'includeUserActions'), 'urn:user:registersecurityinfo'),
    // Sign-in frequency on, and browser sessions never persistent (CIS 5.2.2.4).
    _signInFrequency: at(session, 'signInFrequency', 'isEnabled') === true,
    _noPersistentBrowser:
      at(session, 'persistentBrowser', 'isEnabled') === true &&
      at(session, 'persistentBrowser', 'mode') === 'never',
  };
}

/** `authorizationPolicy`: which consent policies let users consent for themselves or their groups. */
export function authorizationPolicy(raw: Obj): Obj {
  const assigned = list(at(raw, 'defaultUserRolePermissions', 'permissionGrantPoliciesAssigned')).filter(
    (p): p is string => typeof p === 'string',
  );
  const self = assigned.filter((p) => p.startsWith('ManagePermissionGrantsForSelf.'));
  return {
    ...raw,
    _label: 'Authorization policy',
    _userConsentPolicies: self.length,
    _userConsent: self.join(', ') || 'none',
  };
}

/** Passwords never expire: Graph gives null (tenants since October 2021) or 2147483647. */
export function domain(raw: Obj): Obj {
  const days = raw.passwordValidityPeriodInDays;
  const never = days === null || days === undefined || days === 2147483647;
  return { ...raw, _passwordsExpire: !never, _validity: never ? 'never' : `${String(days)} days` };
}

/** An ISO 8601 duration of days (`P180D`, `P1Y` is not one Graph sends for these) as days. */
function days(duration: unknown): number | undefined {
  if (typeof duration !== 'string') return undefined;
  const m = /^P(?:(\d+)D|(\d+)W)$/i.exec(duration.trim());
  if (!m) return undefined;
  return m[1] ? Number(m[1]) : Number(m[2]) * 7;
}

/**
 * The tenant's default app management policy: whether new client secrets are blocked, and the
 * longest lifetime allowed for secrets and certificates (absent when no restriction applies). A
 * restriction counts only while the policy is enabled and the restriction's own `state` is enabled.
 */
export function appManagementPolicy(raw: Obj): Obj {
  const on = raw.isEnabled === true;
  const restrictions = (kind: string) =>
    list(at(raw, 'applicationRestrictions', kind)).filter(
      (r): r is Obj => isObj(r) && r.state === 'enabled' && on,
    );
  const passwords = restrictions('passwordCredentials');
  const keys = restrictions('keyCredentials');
  const lifetime = (rs: Obj[], type: string) => {
    const d = rs.filter((r) => r.restrictionType === type).map((r) => days(r.maxLifetime));
    return d.length > 0 && d.every((x) => x !== undefined) ? Math.min(...(d as number[])) : undefined;
  };
  const secrets = lifetime(passwords, 'passwordLifetime');
  const certificates = lifetime(keys, 'asymmetricKeyLifetime');
  return {
    ...raw,
    _label: 'Default app management policy',
    _passwordAdditionBlocked: passwords.some((r) => r.restrictionType === 'passwordAddition'),
    _passwordLifetime: secrets === undefined ? 'unrestricted' : `${secrets} days`,
    _passwordLifetimeWithin180Days: secrets !== undefined && secrets <= 180,
    _certificateLifetime: certificates === undefined ? 'unrestricted' : `${certificates} days`,
    _certificateLifetimeWithin365Days: certificates !== undefined && certificates <= 365,
  };
}

/**
 * Microsoft Authenticator shows the app name and the location with each request. `default` is
 * Microsoft-managed, which Microsoft has turned on for everyone (SCuBA accepts only `enabled`).
 */
export function authenticatorContext(raw: Obj): Obj {
  const enabled = (key: string) => at(raw, 'featureSettings', key, 'state') === 'enabled';
  return {
    ...raw,
    _context:
      enabled('displayAppInformationRequiredState') && enabled('displayLocationInformationRequiredState'),
  };
}

/**
 * SharePoint and OneDrive tenant settings. Microsoft's "Get settings" page (GET
 * /admin/sharepoint/settings) shows the response wrapped as `{"value": {...}}`, while the
 * sharepointSettings resource page shows the object itself: take either.
 */
export function sharepointSettings(raw: Obj): Obj {
  const body = isObj(raw.value) && raw.sharingCapability === undefined ? raw.value : raw;
  return { ...body, _label: 'SharePoint and OneDrive' };
}

/**
 * A highly privileged role's Privileged Identity Management settings, from its
 * unifiedRoleManagementPolicyAssignment with the policy and its rules expanded (Graph v1.0
 * unifiedRoleManagementPolicyApprovalRule `setting.isApprovalRequired`,
 * unifiedRoleManagementPolicyNotificationRule `notificationRecipients`). As ScubaGear's
 * AADConfig.rego judges them: activation needs approval (Approval_EndUser_Assignment); an alert
 * goes to someone for eligible and active assignments (Notification_Admin_Admin_Eligibility,
 * Notification_Admin_Admin_Assignment) and for each activation (Notification_Admin_EndUser_Assignment)
 * when the rule lists at least one recipient.
 */
export function pimRolePolicy(raw: Obj): Obj {
  const roleId = typeof raw.roleDefinitionId === 'string' ? raw.roleDefinitionId : '';
  const rules = list(at(raw, 'policy', 'rules')).filter(isObj);
  const rule = (id: string) => rules.find((r) => r.id === id);
  const recipients = (id: string) => list(rule(id)?.notificationRecipients).length > 0;
  return {
    id: roleId,
    policyId: raw.policyId,
    _label: PRIVILEGED_ROLES[roleId] ?? roleId,
    _globalAdministrator: roleId === GLOBAL_ADMINISTRATOR,
    _approvalRequired: at(rule('Approval_EndUser_Assignment'), 'setting', 'isApprovalRequired') === true,
    _assignmentAlerts:
      recipients('Notification_Admin_Admin_Assignment') && recipients('Notification_Admin_Admin_Eligibility'),
    _activationAlert: recipients('Notification_Admin_EndUser_Assignment'),
  };
}

/**
 * An active assignment of a highly privileged role (unifiedRoleAssignmentScheduleInstance):
 * `_permanent` when it has no end (endDateTime null), `_outsidePim` when it has no start
 * (startDateTime null: assigned directly, not through PIM), as ScubaGear reads them.
 */
export function pimAssignment(raw: Obj): Obj {
  const roleId = typeof raw.roleDefinitionId === 'string' ? raw.roleDefinitionId : '';
  const who = typeof raw.principalId === 'string' ? raw.principalId : '?';
  return {
    ...raw,
    _label: `${who} (${PRIVILEGED_ROLES[roleId] ?? roleId})`,
    _permanent: raw.endDateTime === null || raw.endDateTime === undefined,
    _outsidePim: raw.startDateTime === null || raw.startDateTime === undefined,
  };
}
