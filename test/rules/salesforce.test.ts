import { describe, expect, it } from 'vitest';
import { FRAMEWORK_SOURCES, loadCatalog } from '../../source/catalog/index.js';
import type { Framework } from '../../source/domain/schemas.js';
import {
  HEALTH_CHECK_SETTINGS,
  mfaItem,
  profileItems,
  riskItem,
  riskItems,
  ssoItems,
} from '../../source/connectors/salesforce/index.js';
import {
  profileRangesItem,
  records,
  results,
  securitySettingsItem,
} from '../../source/connectors/salesforce/metadata.js';
import { type Datasets, evaluate } from '../../source/domain/rules.js';
import type { Outcome } from '../../source/domain/schemas.js';

/**
 * Every Salesforce control on small datasets built the way the connector builds them: Health
 * Check rows as the Tooling API returns them (through the connector's riskItem), selected by
 * DurableId, users through mfaItem. Each control gets a passing, a failing and an unknown case;
 * proportional ones a partial.
 */

const controls = loadCatalog().forApp('salesforce');

type RiskType = 'MEETS_STANDARD' | 'MEDIUM_RISK' | 'HIGH_RISK';
function row(DurableId: string, RiskType: RiskType, OrgValue: string, OrgValueRaw?: string) {
  return riskItem({
    DurableId,
    Setting: `label of ${DurableId}`,
    SettingGroup: DurableId.split('.')[0],
    RiskType,
    OrgValue,
    OrgValueRaw,
    StandardValue: '',
  });
}
const risks = (...items: unknown[]): Datasets => ({ 'salesforce:healthcheck/risks': { ok: true, items } });
const score = (Score: number | null): Datasets => ({
  'salesforce:healthcheck/score': { ok: true, items: [{ Score, _label: 'Health Check' }] },
});
const users = (...registered: boolean[]): Datasets => ({
  'salesforce:users/mfa': {
    ok: true,
    items: registered.map((on, i) =>
      mfaItem(
        { Id: `005${i}`, Username: `u${i}@contoso.com` },
        { UserId: `005${i}`, HasTotp: on, HasSalesforceAuthenticator: false },
      ),
    ),
  },
});
const modifyAll = (activeUsers: number): Datasets => ({
  'salesforce:permissions/modify-all': { ok: true, items: [{ _label: 'Modify All Data', activeUsers }] },
});
/** Active users on a profile each, as PermissionSetAssignment returns them (custom or standard). */
const profiles = (...custom: (boolean | null)[]): Datasets => ({
  'salesforce:users/profiles': {
    ok: true,
    items: profileItems(
      custom.map((c, i) => ({
        AssigneeId: `005${i}`,
        Assignee: { Username: `u${i}@contoso.com`, UserType: 'Standard' },
        PermissionSet: { IsCustom: c, Profile: { Name: c ? 'Contoso Sales' : 'Standard User' } },
      })),
      new Set(),
    ),
  },
});
/** Connected apps by their Permitted Users policy: true is "Admin approved users are pre-authorized". */
const apps = (...approved: boolean[]): Datasets => ({
  'salesforce:oauth/connected-apps': {
    ok: true,
    items: approved.map((a, i) => ({
      Id: `0H4${i}`,
      Name: `App ${i}`,
      OptionsAllowAdminApprovedUsersOnly: a,
      _label: `App ${i}`,
    })),
  },
});
/** Active people, and which of them hold "Is Single Sign-On Enabled", as the connector builds them. */
const ssoUsers = (...sso: boolean[]): Datasets => ({
  'salesforce:users/sso': {
    ok: true,
    items: ssoItems(
      sso.map((_, i) => ({
        AssigneeId: `005${i}`,
        Assignee: { Username: `u${i}@contoso.com`, UserType: 'Standard' },
      })),
      new Set(),
      new Set(sso.flatMap((on, i) => (on ? [`005${i}`] : []))),
    ),
  },
});
/** A readMetadata answer as the Metadata API sends it. */
const soap = (records: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><readMetadataResponse><result>${records}</result></readMetadataResponse></soapenv:Body></soapenv:Envelope>`;
const readRecords = (xml: string) => records(results(soap(xml), 'readMetadata')[0]);
const security = (disabled?: boolean): Datasets => {
  const sso =
    disabled === undefined
      ? '<singleSignOnSettings><enableSamlLogin>true</enableSamlLogin></singleSignOnSettings>'
      : `<singleSignOnSettings><enableSamlLogin>true</enableSamlLogin><isLoginWithSalesforceCredentialsDisabled>${disabled}</isLoginWithSalesforceCredentialsDisabled></singleSignOnSettings>`;
  return {
    'salesforce:metadata/security-settings': {
      ok: true,
      items: [
        securitySettingsItem(
          readRecords(
            `<records xsi:type="SecuritySettings"><fullName>Security</fullName>${sso}</records>`,
          )[0],
        ),
      ],
    },
  };
};
/** Profiles with their login IP ranges, each `start-end`, read from readMetadata records. */
const ipProfiles = (...profiles: string[][]): Datasets => ({
  'salesforce:metadata/profile-ip-ranges': {
    ok: true,
    items: readRecords(
      profiles
        .map(
          (ranges, i) =>
            `<records xsi:type="Profile"><custom>true</custom><fullName>Profile ${i}</fullName>${ranges
              .map((r) => {
                const [start, end] = r.split('-');
                return `<loginIpRanges><endAddress>${end}</endAddress><startAddress>${start}</startAddress></loginIpRanges>`;
              })
              .join('')}<userLicense>Salesforce</userLicense></records>`,
        )
        .join(''),
    ).map(profileRangesItem),
  },
});
/** An unrelated row, so "the setting was not returned" is tested against a non-empty dataset. */
// (A made-up DurableId: every setting of the Baseline Standard is selected by some control now.)
const other = row('SessionSettings.aSettingNoControlReads', 'MEETS_STANDARD', 'Enabled');

/** A Health Check checkbox setting: Enabled meets the standard, Disabled does not. */
function checkbox(setting: string) {
  return {
    pass: risks(other, row(setting, 'MEETS_STANDARD', 'Enabled', 'true')),
    fail: risks(other, row(setting, 'MEDIUM_RISK', 'Disabled', 'false')),
    unknown: risks(other),
  };
}

const CLICKJACK = [
  'SessionSettings.clickjackSetup',
  'SessionSettings.clickjackNonSetup',
  'SessionSettings.clickjackVisualForceHeaders',
  'SessionSettings.clickjackVisualForceNoHeaders',
];
const CSRF = ['SessionSettings.csrfGet', 'SessionSettings.csrfPost'];
const group = (settings: string[], meets: number) =>
  risks(
    other,
    ...settings.map((s, i) =>
      i < meets ? row(s, 'MEETS_STANDARD', 'Enabled', 'true') : row(s, 'HIGH_RISK', 'Disabled', 'false'),
    ),
  );

interface Case {
  pass: Datasets;
  fail: Datasets;
  unknown: Datasets;
  partial?: { datasets: Datasets; count: number; total: number };
}

const CASES: Record<string, Case> = {
  'sf.healthcheck.score': { pass: score(80), fail: score(79), unknown: score(null) },
  'sf.mfa.ui_login': {
    pass: users(true, true, true),
    fail: users(false, false),
    unknown: { 'salesforce:users/mfa': { ok: false, reason: 'the token may not read this' } },
    partial: { datasets: users(true, false, true), count: 2, total: 3 },
  },
  'sf.mfa.registration_verify': checkbox('SessionSettings.icOn2faRegistration'),
  'sf.pwd.min_length': {
    pass: risks(other, row('PasswordPolicies.minPasswordLength', 'MEETS_STANDARD', '12 characters', '12')),
    // Meets Salesforce's baseline of 8, but not our 12.
    fail: risks(other, row('PasswordPolicies.minPasswordLength', 'MEETS_STANDARD', '8 characters', '8')),
    unknown: risks(other, row('PasswordPolicies.minPasswordLength', 'MEETS_STANDARD', 'Not set')),
  },
  'sf.pwd.complexity': {
    pass: risks(
      row('PasswordPolicies.complexity', 'MEETS_STANDARD', 'Must include alpha and numeric characters'),
    ),
    fail: risks(row('PasswordPolicies.complexity', 'HIGH_RISK', 'No restriction')),
    unknown: risks(other),
  },
  'sf.pwd.lockout': {
    pass: risks(row('PasswordPolicies.maxLoginAttempts', 'MEETS_STANDARD', '3', 'ThreeAttempts')),
    fail: risks(row('PasswordPolicies.maxLoginAttempts', 'HIGH_RISK', 'No limit', 'NoLimit')),
    unknown: risks(other),
  },
  'sf.pwd.history': {
    pass: risks(row('PasswordPolicies.history', 'MEETS_STANDARD', '5 passwords remembered', '5')),
    fail: risks(row('PasswordPolicies.history', 'MEDIUM_RISK', 'No passwords remembered', '0')),
    unknown: risks(other),
  },
  'sf.session.timeout': {
    pass: risks(row('SessionSettings.timeout', 'MEETS_STANDARD', '2 hours', 'TwoHours')),
    fail: risks(row('SessionSettings.timeout', 'MEDIUM_RISK', '12 hours', 'TwelveHours')),
    unknown: risks(other),
  },
  'sf.session.force_logout': checkbox('SessionSettings.forceLogoutOnTimeout'),
  'sf.session.ip_every_request': checkbox('SessionSettings.enforceLoginIp'),
  'sf.session.httponly': checkbox('SessionSettings.requireHttpOnly'),
  'sf.session.lock_domain': checkbox('SessionSettings.lockSessionsToDomain'),
  'sf.session.clickjack': {
    pass: group(CLICKJACK, 4),
    fail: group(CLICKJACK, 0),
    unknown: risks(other),
    partial: { datasets: group(CLICKJACK, 3), count: 3, total: 4 },
  },
  'sf.session.csrf': {
    pass: group(CSRF, 2),
    fail: group(CSRF, 0),
    unknown: risks(other),
    partial: { datasets: group(CSRF, 1), count: 1, total: 2 },
  },
  // Health Check settings of the Baseline Standard the first controls did not read.
  'sf.identity.mfa_required': checkbox('Identity.mfaEnabled'),
  'sf.session.sms_identity': checkbox('SessionSettings.enableSmsIdentity'),
  'sf.eca.metadata_api': checkbox('ExternalClientApps.metadataApiAccess'),
  'sf.files.hybrid_types': checkbox('FileUploadAndDownloadSecurity.hybridSecurityRiskFileTypes'),
  'sf.certs.expired': checkbox('CertificateAndKeyManagement.expiredCert'),
  'sf.sharing.owd': checkbox('SharingSettings.orgWideDefaults'),
  'sf.network.trusted_ips': checkbox('NetworkSecurity.trustedIpRangesConfigured'),
  'sf.pwd.min_lifetime': checkbox('PasswordPolicies.minOneDayPasswordLifetime'),
  'sf.session.force_relogin': checkbox('SessionSettings.forceRelogin'),
  'sf.session.terminate_on_reset': checkbox('SessionSettings.terminateSessionsOnPasswordReset'),
  'sf.session.browser_protections': {
    pass: group(['SessionSettings.cspOnEmail', 'SessionSettings.contentSniffingProtection'], 2),
    fail: group(['SessionSettings.cspOnEmail', 'SessionSettings.contentSniffingProtection'], 0),
    unknown: risks(other),
    partial: {
      datasets: group(['SessionSettings.cspOnEmail', 'SessionSettings.contentSniffingProtection'], 1),
      count: 1,
      total: 2,
    },
  },
  'sf.access.admin_login_as': checkbox('LoginAccessPolicies.adminLoginAsAnyUser'),
  'sf.pwd.expiration': checkbox('PasswordPolicies.expiration'),
  'sf.pwd.secret_question': {
    pass: group(['PasswordPolicies.obscureSecretAnswer', 'PasswordPolicies.questionRestriction'], 2),
    fail: group(['PasswordPolicies.obscureSecretAnswer', 'PasswordPolicies.questionRestriction'], 0),
    unknown: risks(other),
    partial: {
      datasets: group(['PasswordPolicies.obscureSecretAnswer', 'PasswordPolicies.questionRestriction'], 1),
      count: 1,
      total: 2,
    },
  },
  'sf.session.ic_email_change': checkbox('SessionSettings.icOnEmailChange'),
  'sf.integrations.remote_sites': checkbox('RemoteSiteSettings.remoteSiteSettings'),
  'sf.pwd.lockout_interval': checkbox('PasswordPolicies.lockoutInterval'),
  'sf.certs.strength': {
    pass: group(['CertificateAndKeyManagement.keySize', 'CertificateAndKeyManagement.certExpiration'], 2),
    fail: group(['CertificateAndKeyManagement.keySize', 'CertificateAndKeyManagement.certExpiration'], 0),
    unknown: risks(other),
    partial: {
      datasets: group(
        ['CertificateAndKeyManagement.keySize', 'CertificateAndKeyManagement.certExpiration'],
        1,
      ),
      count: 1,
      total: 2,
    },
  },
  'sf.guest.access': {
    pass: group(
      [
        'GuestUserAccess.guestEditAccess',
        'GuestUserAccess.guestReadAccess',
        'GuestUserAccess.guestAccessSharingRules',
      ],
      3,
    ),
    fail: group(
      [
        'GuestUserAccess.guestEditAccess',
        'GuestUserAccess.guestReadAccess',
        'GuestUserAccess.guestAccessSharingRules',
      ],
      0,
    ),
    unknown: risks(other),
    partial: {
      datasets: group(
        [
          'GuestUserAccess.guestEditAccess',
          'GuestUserAccess.guestReadAccess',
          'GuestUserAccess.guestAccessSharingRules',
        ],
        2,
      ),
      count: 2,
      total: 3,
    },
  },
  'sf.session.redirects': checkbox('SessionSettings.redirectionAllowUntrusted'),
  'sf.session.lock_ip': checkbox('SessionSettings.lockSessionsToIp'),
  'sf.users.name_visibility': checkbox('UserPIISettings.enforceNameVisibility'),
  'sf.identity.saml': checkbox('Identity.samlEnabled'),
  'sf.admin.count': checkbox('AdminUsers.activeSystemAdministratorCount'),
  'sf.users.custom_profiles': {
    pass: profiles(true, true),
    fail: profiles(false, false),
    // Salesforce sent no IsCustom for the one profile: never judged.
    unknown: profiles(null),
    partial: { datasets: profiles(true, false, true), count: 2, total: 3 },
  },
  'sf.oauth.admin_approved': {
    pass: apps(true, true),
    fail: apps(false),
    unknown: { 'salesforce:oauth/connected-apps': { ok: false, reason: 'the token may not read this' } },
    partial: { datasets: apps(true, false, false), count: 1, total: 3 },
  },
  'sf.sso.salesforce_login_disabled': {
    pass: security(true),
    fail: security(false),
    // An org or API version whose SecuritySettings lack the field: never judged.
    unknown: security(),
  },
  'sf.sso.users_sso_enabled': {
    pass: ssoUsers(true, true),
    fail: ssoUsers(false, false),
    unknown: { 'salesforce:users/sso': { ok: false, reason: 'the token may not read this' } },
    partial: { datasets: ssoUsers(true, false, true), count: 2, total: 3 },
  },
  'sf.profiles.login_ip_ranges': {
    // No ranges at all passes: the benchmark forbids broad ranges, it does not require ranges.
    pass: ipProfiles(['203.0.113.0-203.0.113.255', '10.0.0.0-10.255.255.255'], []),
    fail: ipProfiles(['0.0.0.0-255.255.255.255'], ['1.1.1.1-255.255.255.255']),
    unknown: ipProfiles(['10.0.0.1-not-an-address']),
    partial: {
      datasets: ipProfiles(['192.0.2.0-192.0.2.255'], ['::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'], []),
      count: 2,
      total: 3,
    },
  },
  'sf.perm.modify_all': {
    pass: modifyAll(5),
    fail: modifyAll(6),
    unknown: { 'salesforce:permissions/modify-all': { ok: false, reason: 'the token may not read this' } },
  },
};

describe('Salesforce catalog rules', () => {
  it('has a case for every control, and at least thirty-nine controls', () => {
    expect(controls.length).toBeGreaterThanOrEqual(39);
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

    it('is unknown, with the reason, when its dataset could not be read', () => {
      const r = evaluate(control, { [control.rule.dataset]: { ok: false, reason: 'Salesforce 403: no' } });
      expect(r).toMatchObject({ outcome: 'unknown', reason: 'Salesforce 403: no' });
    });
  });

  it.each(controls.filter((c) => c.scoring === 'proportional').map((c) => [c.id, c] as const))(
    '%s gives partial credit',
    (id, control) => {
      const partial = CASES[id]?.partial;
      expect(partial).toBeDefined();
      expect(evaluate(control, partial!.datasets)).toMatchObject({
        outcome: 'partial',
        count: partial!.count,
        total: partial!.total,
      });
    },
  );

  it('selects every Health Check setting by DurableId, the same list the connector looks for', () => {
    const selected = controls
      .filter((c) => c.rule.dataset === 'salesforce:healthcheck/risks')
      .flatMap((c) => c.rule.where.map((w) => [w.path, w.value] as const));
    expect(selected.every(([path]) => path === '/DurableId')).toBe(true);
    expect(selected.flatMap(([, v]) => v).sort()).toEqual([...HEALTH_CHECK_SETTINGS].sort());
    for (const c of controls) {
      expect(c.rule.id, c.id).toBeDefined();
      expect(c.rule.noun, c.id).not.toBe('items');
    }
  });

  it('gives the same verdicts whatever the language of the Setting label', () => {
    // The same org read by an English, a German and a French run-as user: only the labels differ.
    const rows: [string, RiskType, string, string[]][] = [
      [
        'PasswordPolicies.minPasswordLength',
        'MEETS_STANDARD',
        '12',
        ['Minimum password length', 'Minimale Kennwortlänge', 'Longueur minimale du mot de passe'],
      ],
      [
        'SessionSettings.timeout',
        'MEDIUM_RISK',
        'TwelveHours',
        ['Timeout value', 'Zeitüberschreitungswert', "Valeur d'expiration"],
      ],
      [
        'SessionSettings.csrfGet',
        'MEETS_STANDARD',
        'true',
        [
          'Enable CSRF protection on GET requests on non-setup pages',
          'CSRF-Schutz für GET-Anforderungen aktivieren',
          'Activer la protection CSRF sur les requêtes GET',
        ],
      ],
      [
        'SessionSettings.csrfPost',
        'HIGH_RISK',
        'false',
        [
          'Enable CSRF protection on POST requests on non-setup pages',
          'CSRF-Schutz für POST-Anforderungen aktivieren',
          'Activer la protection CSRF sur les requêtes POST',
        ],
      ],
    ];
    const org = (language: number) =>
      risks(
        ...rows.map(([DurableId, RiskType, OrgValueRaw, labels]) =>
          riskItem({ DurableId, Setting: labels[language], RiskType, OrgValue: OrgValueRaw, OrgValueRaw }),
        ),
      );
    const expected = {
      'sf.pwd.min_length': 'pass',
      'sf.session.timeout': 'fail',
      'sf.session.csrf': 'partial',
    };
    for (const [id, outcome] of Object.entries(expected)) {
      const control = controls.find((c) => c.id === id)!;
      expect(
        [0, 1, 2].map((l) => evaluate(control, org(l)).outcome),
        id,
      ).toEqual([outcome, outcome, outcome]);
    }
  });

  it('never judges a setting by its English label: a DurableId Salesforce renamed is unknown, naming the id', () => {
    // Next release renames the row; the English label is still "Timeout value".
    const items = riskItems([
      {
        DurableId: 'SessionSettings.sessionTimeoutV2',
        Setting: 'Timeout value',
        RiskType: 'MEDIUM_RISK',
        OrgValue: '12 hours',
      },
    ]);
    const control = controls.find((c) => c.id === 'sf.session.timeout')!;
    const r = evaluate(control, risks(...items));
    expect(r.outcome).toBe('unknown');
    expect(r.reason).toBe(
      'could not judge 1 of 1 settings: Health Check returned no setting with DurableId SessionSettings.timeout (Salesforce may have renamed it in this release, or the org does not have it)',
    );
    // In a group, one missing setting keeps the share unknown rather than scoring the three seen.
    const clickjack = controls.find((c) => c.id === 'sf.session.clickjack')!;
    const seen = CLICKJACK.slice(0, 3).map((id) => ({
      DurableId: id,
      RiskType: 'MEETS_STANDARD',
      OrgValue: 'Enabled',
    }));
    expect(evaluate(clickjack, risks(...riskItems(seen)))).toMatchObject({
      outcome: 'unknown',
      reason: expect.stringMatching(
        /^could not judge 1 of 4 settings: .*SessionSettings\.clickjackVisualForceNoHeaders/,
      ),
    });
  });

  it('reads the number from OrgValueRaw only, never from the localised display value', () => {
    const value = (OrgValueRaw: string | undefined, OrgValue: string) =>
      riskItem({
        DurableId: 'PasswordPolicies.minPasswordLength',
        RiskType: 'MEETS_STANDARD',
        OrgValueRaw,
        OrgValue,
      })._value;
    expect(value('10', '10 Zeichen')).toBe(10);
    expect(value(undefined, '14 characters')).toBeUndefined();
    expect(value('TwoHours', '2 heures')).toBeUndefined();
  });

  it('counts a user as having MFA with any verifier Salesforce accepts, and not with SMS, email or a temporary code', () => {
    const user = { Id: '005x', Username: 'x@contoso.com' };
    const accepted = [
      'HasSalesforceAuthenticator',
      'HasTotp',
      'HasSecurityKey',
      'HasU2F',
      'HasBuiltInAuthenticator',
    ];
    for (const field of accepted)
      expect(mfaItem(user, { UserId: '005x', [field]: true }), field).toMatchObject({ _mfa: true });
    const weak = {
      UserId: '005x',
      HasUserVerifiedEmailAddress: true,
      HasUserVerifiedMobileNumber: true,
      HasVerifiedMobileNumber: true,
      HasTempCode: true,
    };
    expect(mfaItem(user, weak)).toMatchObject({ _mfa: false, _methods: 'none' });
    expect(mfaItem(user)).toMatchObject({ _mfa: false });
  });

  it('lists the users without MFA first, each by user Id', () => {
    const control = controls.find((c) => c.id === 'sf.mfa.ui_login')!;
    const r = evaluate(control, users(true, false, true, false));
    expect(r.failing).toEqual([
      { id: '0051', name: 'u1@contoso.com' },
      { id: '0053', name: 'u3@contoso.com' },
    ]);
    expect(r.evidence.slice(0, 2).map((e) => e.item)).toEqual(['u1@contoso.com', 'u3@contoso.com']);
  });

  it('leaves guest users and API Only users out of the custom-profile count', () => {
    const row = (id: string, UserType: string) => ({
      AssigneeId: id,
      Assignee: { Username: `${id}@contoso.com`, UserType },
      PermissionSet: { IsCustom: false, Profile: { Name: 'Standard User' } },
    });
    const items = profileItems(
      [row('a', 'Standard'), row('guest', 'Guest'), row('api', 'Standard'), row('p', 'PowerPartner')],
      new Set(['api']),
    );
    expect(items.map((i) => (i as { Id: string }).Id)).toEqual(['a', 'p']);
  });

  it('passes connected-app access control when the org has no connected app', () => {
    const control = controls.find((c) => c.id === 'sf.oauth.admin_approved')!;
    expect(evaluate(control, apps()).outcome).toBe('pass');
  });

  it('cites every setting of the Health Check Baseline Standard from a control, and every SBS control from a control or a manual check', () => {
    const catalog = loadCatalog();
    const cited = (f: Framework, list: { benchmarks: { name: string; id: string }[] }[]) =>
      new Set(list.flatMap((c) => c.benchmarks.filter((b) => b.name === f.benchmark).map((b) => b.id)));
    const baseline = FRAMEWORK_SOURCES['salesforce-health-check-baseline'] as Framework;
    const byControl = cited(baseline, controls);
    expect(baseline.requirements.filter((r) => !byControl.has(r.id))).toEqual([]);
    expect(baseline.requirements).toHaveLength(45);
    const sbs = FRAMEWORK_SOURCES['security-benchmark-for-salesforce'] as Framework;
    const sbsControls = cited(sbs, controls);
    const sbsManual = cited(
      sbs,
      catalog.manual.filter((m) => m.app === 'salesforce'),
    );
    expect([...sbsControls].sort()).toEqual([
      'SBS-ACS-005',
      'SBS-AUTH-001',
      'SBS-AUTH-003',
      'SBS-CPORTAL-002',
      'SBS-OAUTH-002',
      'SBS-SECCONF-002',
    ]);
    expect(sbsManual.size).toBe(40);
    expect(
      sbs.requirements.filter((r) => !sbsControls.has(r.id) && !sbsManual.has(r.id)).map((r) => r.id),
    ).toEqual([]);
  });
});
