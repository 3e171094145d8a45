import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../source/catalog/index.js';
import { passwordPolicy } from '../../source/connectors/okta/fields.js';
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
