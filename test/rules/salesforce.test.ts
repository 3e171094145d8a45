import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../source/catalog/index.js';
import { mfaItem, riskItem } from '../../source/connectors/salesforce/index.js';
import { type Datasets, evaluate } from '../../source/domain/rules.js';
import type { Outcome } from '../../source/domain/schemas.js';

/**
 * Every Salesforce control on small datasets built the way the connector builds them: Health
 * Check rows as the Tooling API returns them (through the connector's riskItem), users through
 * mfaItem. Each control gets a passing, a failing and an unknown case; proportional ones a partial.
 */

const controls = loadCatalog().forApp('salesforce');

type RiskType = 'MEETS_STANDARD' | 'MEDIUM_RISK' | 'HIGH_RISK';
function row(Setting: string, RiskType: RiskType, OrgValue: string, OrgValueRaw?: string) {
  return riskItem({
    Setting,
    SettingGroup: 'SessionSettings',
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
/** An unrelated row, so "the setting was not returned" is tested against a non-empty dataset. */
const other = row('Obscure secret answer for password resets', 'MEETS_STANDARD', 'Enabled');

/** A Health Check checkbox setting: Enabled meets the standard, Disabled does not. */
function checkbox(setting: string) {
  return {
    pass: risks(other, row(setting, 'MEETS_STANDARD', 'Enabled', 'true')),
    fail: risks(other, row(setting, 'MEDIUM_RISK', 'Disabled', 'false')),
    unknown: risks(other),
  };
}

const CLICKJACK = [
  'Enable clickjack protection for Setup pages',
  'Enable clickjack protection for non-Setup Salesforce pages',
  'Enable clickjack protection for customer Visualforce pages with standard headers',
  'Enable clickjack protection for customer Visualforce pages with headers disabled',
];
const CSRF = [
  'Enable CSRF protection on GET requests on non-setup pages',
  'Enable CSRF protection on POST requests on non-setup pages',
];
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
  'sf.mfa.registration_verify': checkbox(
    'Require identity verification during multi-factor authentication (MFA) registration',
  ),
  'sf.pwd.min_length': {
    pass: risks(other, row('Minimum password length', 'MEETS_STANDARD', '12 characters', '12')),
    // Meets Salesforce's baseline of 8, but not our 12.
    fail: risks(other, row('Minimum password length', 'MEETS_STANDARD', '8 characters', '8')),
    unknown: risks(other, row('Minimum password length', 'MEETS_STANDARD', 'Not set')),
  },
  'sf.pwd.complexity': {
    pass: risks(
      row('Password complexity requirement', 'MEETS_STANDARD', 'Must include alpha and numeric characters'),
    ),
    fail: risks(row('Password complexity requirement', 'HIGH_RISK', 'No restriction')),
    unknown: risks(other),
  },
  'sf.pwd.lockout': {
    pass: risks(row('Maximum invalid login attempts', 'MEETS_STANDARD', '3', '3')),
    fail: risks(row('Maximum invalid login attempts', 'HIGH_RISK', 'No limit', '0')),
    unknown: risks(other),
  },
  'sf.pwd.history': {
    pass: risks(row('Enforce password history', 'MEETS_STANDARD', '5 passwords remembered', '5')),
    fail: risks(row('Enforce password history', 'MEDIUM_RISK', 'No passwords remembered', '0')),
    unknown: risks(other),
  },
  'sf.session.timeout': {
    pass: risks(row('Timeout value', 'MEETS_STANDARD', '2 hours', '120')),
    fail: risks(row('Timeout value', 'MEDIUM_RISK', '12 hours', '720')),
    unknown: risks(other),
  },
  'sf.session.force_logout': checkbox('Force logout on session timeout'),
  'sf.session.ip_every_request': checkbox('Enforce login IP ranges on every request'),
  'sf.session.httponly': checkbox('Require HttpOnly attribute'),
  'sf.session.lock_domain': checkbox('Lock sessions to the domain in which they were first used'),
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
  'sf.perm.modify_all': {
    pass: modifyAll(5),
    fail: modifyAll(6),
    unknown: { 'salesforce:permissions/modify-all': { ok: false, reason: 'the token may not read this' } },
  },
};

describe('Salesforce catalog rules', () => {
  it('has a case for every control, and at least twelve controls', () => {
    expect(controls.length).toBeGreaterThanOrEqual(12);
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

  it('recognises Health Check labels across their spellings', () => {
    const key = (Setting: string) => riskItem({ Setting, RiskType: 'MEETS_STANDARD' })._key;
    expect(key('Force log out on session timeout')).toBe('force_logout');
    expect(key('Require identity verification during MFA registration')).toBe('mfa_registration_verify');
    expect(key('Timeout Value')).toBe('session_timeout');
    expect(key('Disable session timeout warning popup')).toBeUndefined();
    expect(key('Enable clickjack protection for Setup pages')).toBe('clickjack_setup');
    expect(key('Enable clickjack protection for non-Setup Salesforce pages')).toBe('clickjack_nonsetup');
  });

  it('reads the number from OrgValueRaw, else from the display value', () => {
    expect(
      riskItem({ Setting: 'Minimum password length', RiskType: 'MEETS_STANDARD', OrgValueRaw: '10' })._value,
    ).toBe(10);
    expect(
      riskItem({ Setting: 'Minimum password length', RiskType: 'MEETS_STANDARD', OrgValue: '14 characters' })
        ._value,
    ).toBe(14);
  });
});
