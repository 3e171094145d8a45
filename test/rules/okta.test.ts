import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../source/catalog/index.js';
import {
  accessRule,
  appPolicyUsesZones,
  markFirstRule,
  networkZone,
  passwordPolicy,
} from '../../source/connectors/okta/fields.js';
import { type Datasets, evaluate } from '../../source/domain/rules.js';

const byId = loadCatalog().byId;
const run = (id: string, key: string, items: unknown[]) =>
  evaluate(byId.get(id)!, { [key]: { ok: true, items } } as Datasets);

/** A password policy as Okta's listPolicies returns it (PasswordPolicy), with the age it is given. */
const policy = (id: string, age: Record<string, number>) =>
  passwordPolicy({
    id,
    type: 'PASSWORD',
    name: `Policy ${id}`,
    status: 'ACTIVE',
    settings: {
      password: {
        complexity: { minLength: 15 },
        age: { expireWarnDays: 0, historyCount: 5, ...age },
        lockout: { maxAttempts: 3 },
      },
    },
  });

/** Authenticators as listAuthenticators returns them. */
const verify = (fips: string) => ({
  id: 'aut1',
  key: 'okta_verify',
  type: 'app',
  status: 'ACTIVE',
  name: 'Okta Verify',
  settings: { compliance: { fips }, userVerification: 'PREFERRED' },
});
const smartCard = (status: string) => ({
  id: 'aut2',
  key: 'smart_card_idp',
  type: 'federated',
  status,
  name: 'Smart Card Authenticator',
});
const email = { id: 'aut3', key: 'okta_email', type: 'email', status: 'ACTIVE', name: 'Email' };

describe('Okta controls added for the DISA Okta IDaaS STIG V1R2', () => {
  it('okta.pwd.min_age (OKTA-APP-000740): 24 hours or more passes, less fails', () => {
    const key = 'okta:policies/password';
    expect(run('okta.pwd.min_age', key, [policy('a', { minAgeMinutes: 1440 })]).outcome).toBe('pass');
    const r = run('okta.pwd.min_age', key, [
      policy('a', { minAgeMinutes: 1440 }),
      policy('b', { minAgeMinutes: 0 }),
    ]);
    expect(r.outcome).toBe('fail');
    expect(r.failing).toEqual([{ id: 'b', name: 'Policy b' }]);
  });

  it('okta.pwd.max_age (OKTA-APP-000745): 1 to 60 days passes; never (0) and longer fail', () => {
    const key = 'okta:policies/password';
    expect(run('okta.pwd.max_age', key, [policy('a', { maxAgeDays: 60 })]).outcome).toBe('pass');
    expect(run('okta.pwd.max_age', key, [policy('a', { maxAgeDays: 0 })]).outcome).toBe('fail');
    expect(run('okta.pwd.max_age', key, [policy('a', { maxAgeDays: 90 })]).outcome).toBe('fail');
  });

  it('okta.authenticators.smart_card (OKTA-APP-001670): an active Smart Card authenticator passes; none, or inactive, fails', () => {
    const key = 'okta:authenticators';
    expect(run('okta.authenticators.smart_card', key, [email, smartCard('ACTIVE')]).outcome).toBe('pass');
    expect(run('okta.authenticators.smart_card', key, [email, smartCard('INACTIVE')]).outcome).toBe('fail');
    expect(run('okta.authenticators.smart_card', key, [email]).outcome).toBe('fail');
  });

  it('okta.authenticators.verify_fips (OKTA-APP-001700): FIPS REQUIRED passes, OPTIONAL fails, no Okta Verify is unknown', () => {
    const key = 'okta:authenticators';
    expect(run('okta.authenticators.verify_fips', key, [email, verify('REQUIRED')]).outcome).toBe('pass');
    expect(run('okta.authenticators.verify_fips', key, [email, verify('OPTIONAL')]).outcome).toBe('fail');
    expect(run('okta.authenticators.verify_fips', key, [email]).outcome).toBe('unknown');
  });
});

/** An access-policy rule as listPolicyRules returns it (AccessPolicyRule), read by the connector. */
const access = (id: string, method: unknown, extra: Record<string, unknown> = {}) =>
  accessRule({
    id,
    name: `Rule ${id}`,
    status: 'ACTIVE',
    type: 'ACCESS_POLICY',
    _label: `Policy › Rule ${id}`,
    actions: { appSignOn: { access: 'ALLOW', verificationMethod: method } },
    ...extra,
  });
const assurance = (factorMode: string, constraints: unknown[]) => ({
  type: 'ASSURANCE',
  factorMode,
  constraints,
});
const resistant = { possession: { phishingResistant: 'REQUIRED' } };
const zoned = { network: { connection: 'ZONE', include: ['nzo1'] } };

describe('Okta authentication policy and network zone controls (STIG V1R2)', () => {
  it('okta.dashboard.mfa (OKTA-APP-000570): 2FA passes, 1FA fails', () => {
    const key = 'okta:dashboard/rules';
    expect(run('okta.dashboard.mfa', key, [access('a', assurance('2FA', []))]).outcome).toBe('pass');
    const r = run('okta.dashboard.mfa', key, [
      access('a', assurance('2FA', [])),
      access('b', assurance('1FA', [])),
    ]);
    expect(r.outcome).toBe('fail');
    expect(r.failing).toEqual([{ id: 'b', name: 'Policy › Rule b' }]);
  });

  for (const [id, key] of [
    ['okta.dashboard.phishing_resistant', 'okta:dashboard/rules'],
    ['okta.admin_console.phishing_resistant', 'okta:admin-console/rules'],
  ] as const)
    it(`${id}: a phishing-resistant possession constraint passes; none, or one constraint without it, fails`, () => {
      expect(run(id, key, [access('a', assurance('2FA', [resistant]))]).outcome).toBe('pass');
      expect(run(id, key, [access('a', assurance('2FA', []))]).outcome).toBe('fail');
      const either = assurance('2FA', [resistant, { possession: { phishingResistant: 'OPTIONAL' } }]);
      expect(run(id, key, [access('a', either)]).outcome).toBe('fail');
      // A denying rule gives no access and is not judged.
      const deny = access('d', assurance('1FA', []), {
        actions: { appSignOn: { access: 'DENY', verificationMethod: assurance('1FA', []) } },
      });
      expect(run(id, key, [deny, access('a', assurance('1FA', [resistant]))]).outcome).toBe('pass');
      // A chain passes only when every chain has a step of phishing-resistant methods.
      const chain = (second: Record<string, unknown>) => ({
        type: 'AUTH_METHOD_CHAIN',
        chains: [
          { authenticationMethods: [{ key: 'webauthn', method: 'webauthn', phishingResistant: 'REQUIRED' }] },
          {
            authenticationMethods: [{ key: 'okta_password', method: 'password' }],
            next: [{ authenticationMethods: [second] }],
          },
        ],
      });
      expect(
        run(id, key, [
          access('c', chain({ key: 'okta_verify', method: 'signed_nonce', phishingResistant: 'REQUIRED' })),
        ]).outcome,
      ).toBe('pass');
      expect(run(id, key, [access('c', chain({ key: 'okta_verify', method: 'push' }))]).outcome).toBe('fail');
      expect(run(id, key, [access('u', { type: 'ID_PROOFING' })]).outcome).toBe('unknown');
    });

  it('okta.session.network_zone (OKTA-APP-003242): the first active rule of each policy must use a zone', () => {
    const key = 'okta:policies/signon/rules';
    const rule = (id: string, priority: number, conditions: unknown, status = 'ACTIVE') => ({
      id,
      name: id,
      status,
      priority,
      conditions,
      _label: `P › ${id}`,
    });
    const anywhere = { network: { connection: 'ANYWHERE' } };
    const pass = markFirstRule([rule('z', 1, zoned), rule('d', 2, anywhere)]);
    expect(run('okta.session.network_zone', key, pass).outcome).toBe('pass');
    // An inactive zoned rule above does not count: the first active rule is from anywhere.
    const fail = markFirstRule([rule('z', 1, zoned, 'INACTIVE'), rule('d', 2, anywhere)]);
    const r = run('okta.session.network_zone', key, fail);
    expect(r.outcome).toBe('fail');
    expect(r.failing).toEqual([{ id: 'd', name: 'P › d' }]);
    // ZONE with no zone listed is no restriction.
    const empty = markFirstRule([rule('e', 1, { network: { connection: 'ZONE', include: [] } })]);
    expect(run('okta.session.network_zone', key, empty).outcome).toBe('fail');
  });

  it('okta.network.block_anonymizers (OKTA-APP-003243): an active enhanced dynamic blocklist of all anonymizers passes', () => {
    const key = 'okta:networkZones';
    const zone = (status: string, usage: string, include: string[], exclude: string[] = []) =>
      networkZone({
        id: `nzo-${status}-${usage}`,
        name: 'DefaultEnhancedDynamicZone',
        type: 'DYNAMIC_V2',
        status,
        usage,
        ipServiceCategories: { include, exclude },
      });
    const ip = networkZone({
      id: 'nzo-ip',
      name: 'BlockedIpZone',
      type: 'IP',
      status: 'ACTIVE',
      usage: 'BLOCKLIST',
    });
    expect(
      run('okta.network.block_anonymizers', key, [ip, zone('ACTIVE', 'BLOCKLIST', ['ALL_ANONYMIZERS'])])
        .outcome,
    ).toBe('pass');
    expect(
      run('okta.network.block_anonymizers', key, [ip, zone('INACTIVE', 'BLOCKLIST', ['ALL_ANONYMIZERS'])])
        .outcome,
    ).toBe('fail');
    expect(
      run('okta.network.block_anonymizers', key, [zone('ACTIVE', 'POLICY', ['ALL_ANONYMIZERS'])]).outcome,
    ).toBe('fail');
    expect(
      run('okta.network.block_anonymizers', key, [
        zone('ACTIVE', 'BLOCKLIST', ['ALL_ANONYMIZERS'], ['ANONYMIZER_TOR']),
      ]).outcome,
    ).toBe('fail');
    expect(run('okta.network.block_anonymizers', key, []).outcome).toBe('fail');
  });

  it('okta.apps.network_zones (OKTA-APP-003244): zoned rules and a denying Catch-all pass, per app', () => {
    const key = 'okta:apps/network-zones';
    const catchAll = (a: string) => ({
      id: 'c',
      status: 'ACTIVE',
      system: true,
      actions: { appSignOn: { access: a } },
    });
    const custom = (conditions: unknown) => ({ id: 'r', status: 'ACTIVE', system: false, conditions });
    expect(appPolicyUsesZones([custom(zoned), catchAll('DENY')])).toBe(true);
    expect(appPolicyUsesZones([custom(zoned), catchAll('ALLOW')])).toBe(false);
    expect(appPolicyUsesZones([custom(null), catchAll('DENY')])).toBe(false);
    expect(appPolicyUsesZones([catchAll('DENY')])).toBe(false);
    const app = (id: string, ok: boolean | undefined) => ({
      id,
      label: `App ${id}`,
      status: 'ACTIVE',
      ...(ok === undefined ? {} : { _networkZones: ok }),
    });
    expect(run('okta.apps.network_zones', key, [app('a', true), app('b', true)]).outcome).toBe('pass');
    const r = run('okta.apps.network_zones', key, [app('a', true), app('b', false)]);
    expect(r).toMatchObject({ outcome: 'partial', count: 1, total: 2 });
    expect(r.failing).toEqual([{ id: 'b', name: 'App b' }]);
    expect(run('okta.apps.network_zones', key, [app('a', true), app('u', undefined)]).outcome).toBe(
      'unknown',
    );
  });
});
