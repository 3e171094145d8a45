import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../source/catalog/index.js';
import { type Admin, daysSince, superAdmins, tokenOwners } from '../../source/connectors/okta/admins.js';
import { apiToken, passwordPolicy, trustedOrigin } from '../../source/connectors/okta/fields.js';
import { type Datasets, evaluate, unseenFields } from '../../source/domain/rules.js';

/**
 * The Okta controls beyond the STIG that Prowler checks or a demanding admin expects, on items
 * shaped as Okta documents them (its OpenAPI examples: ApiToken, StandardRole, User, Factor,
 * TrustedOrigin, AuthorizationServer, Authenticator, PasswordPolicy), read by the connector's
 * own functions.
 */

const byId = loadCatalog().byId;
const run = (id: string, key: string, items: unknown[]) =>
  evaluate(byId.get(id)!, { [key]: { ok: true, items } } as Datasets);
const NOW = Date.parse('2026-11-29T12:00:00.000Z');
const daysAgo = (n: number) => new Date(NOW - n * 86_400_000).toISOString();

/** An admin as the connector builds it from listAssignedRolesForUser, getUser and listFactors. */
const admin = (id: string, roles: string[], extra: Record<string, unknown> = {}): Admin => ({
  id,
  login: `${id}@example.com`,
  roles,
  _superAdmin: roles.includes('SUPER_ADMIN'),
  status: 'ACTIVE',
  _daysSinceLogin: 3,
  _phishingResistant: true,
  ...extra,
});
/** ApiToken as listApiTokens returns it ("My API Token" of Okta's example). */
const token = (id: string, userId: string, created: string) => ({
  ...apiToken({ name: `Token ${id}`, userId, tokenWindow: 'P30D', id, clientName: 'Okta API', created }),
  _ageDays: daysSince(created, NOW),
});
const authenticator = (key: string, status: string) => ({ id: `aut-${key}`, key, status, name: key });

describe('Okta administrator controls', () => {
  it('okta.admins.super_admin_count: four super admins pass, five fail', () => {
    const four = ['a', 'b', 'c', 'd'].map((id) => admin(id, ['SUPER_ADMIN']));
    const key = 'okta:admins/super';
    expect(
      run('okta.admins.super_admin_count', key, superAdmins([...four, admin('e', ['ORG_ADMIN'])])).outcome,
    ).toBe('pass');
    const r = run('okta.admins.super_admin_count', key, superAdmins([...four, admin('e', ['SUPER_ADMIN'])]));
    expect(r.outcome).toBe('fail');
    expect(r.evidence).toEqual([{ item: 'Super Administrators', path: '/count', value: '5' }]);
  });

  it('okta.admins.phishing_resistant_factor: admins with a WebAuthn or FastPass factor pass; one without fails', () => {
    const key = 'okta:admins';
    expect(run('okta.admins.phishing_resistant_factor', key, [admin('a', ['ORG_ADMIN'])]).outcome).toBe(
      'pass',
    );
    const r = run('okta.admins.phishing_resistant_factor', key, [
      admin('a', ['ORG_ADMIN']),
      admin('b', ['SUPER_ADMIN'], { _phishingResistant: false }),
    ]);
    expect(r).toMatchObject({ outcome: 'partial', count: 1, total: 2 });
    expect(r.failing).toEqual([{ id: 'b', name: 'b@example.com' }]);
  });

  it('okta.admins.inactive: 90 days passes; 91 days, or a suspended admin, fails', () => {
    const key = 'okta:admins';
    expect(
      run('okta.admins.inactive', key, [admin('a', ['APP_ADMIN'], { _daysSinceLogin: 90 })]).outcome,
    ).toBe('pass');
    expect(
      run('okta.admins.inactive', key, [admin('a', ['APP_ADMIN'], { _daysSinceLogin: 91 })]).outcome,
    ).toBe('fail');
    expect(
      run('okta.admins.inactive', key, [admin('a', ['APP_ADMIN'], { status: 'SUSPENDED' })]).outcome,
    ).toBe('fail');
  });

  it('an admin whose user the token may not read is unknown, naming the scope, for the user controls only', () => {
    const gap = {
      reason: 'the token may not read this: it needs the okta.users.read scope',
      missing: 'the okta.users.read scope',
    };
    const unseen = unseenFields(
      { id: 'a', login: 'a', roles: ['SUPER_ADMIN'], _superAdmin: true },
      { status: gap, _daysSinceLogin: gap, _phishingResistant: gap },
    ) as Admin;
    for (const id of ['okta.admins.inactive', 'okta.admins.phishing_resistant_factor'])
      expect(run(id, 'okta:admins', [unseen]), id).toMatchObject({
        outcome: 'unknown',
        missing: 'the okta.users.read scope',
      });
    expect(run('okta.admins.super_admin_count', 'okta:admins/super', superAdmins([unseen])).outcome).toBe(
      'pass',
    );
  });

  it('daysSince counts whole days, and nothing from no time', () => {
    expect(daysSince(daysAgo(91), NOW)).toBe(91);
    expect(daysSince('2026-11-29T00:00:00.000Z', NOW)).toBe(0);
    expect(daysSince(undefined, NOW)).toBeUndefined();
    expect(daysSince('not a time', NOW)).toBeUndefined();
  });
});

describe('Okta API token controls', () => {
  it("okta.api_token.not_super_admin (Prowler apitoken_not_super_admin): a read-only admin's token passes, a super admin's fails", () => {
    const admins = [admin('00uro', ['READ_ONLY_ADMIN']), admin('00usa', ['SUPER_ADMIN'])];
    const key = 'okta:api-tokens';
    const ok = tokenOwners([token('t1', '00uro', daysAgo(5))], admins);
    expect(run('okta.api_token.not_super_admin', key, ok).outcome).toBe('pass');
    const r = run(
      'okta.api_token.not_super_admin',
      key,
      tokenOwners([token('t1', '00uro', daysAgo(5)), token('t2', '00usa', daysAgo(5))], admins),
    );
    expect(r.outcome).toBe('fail');
    expect(r.failing).toEqual([{ id: 't2', name: 'Token t2' }]);
  });

  it('okta.api_token.not_super_admin is unknown, naming okta.roles.read, when the admins could not be read', () => {
    const gap = {
      reason: 'the token may not read this: it needs the okta.roles.read scope',
      missing: 'the okta.roles.read scope',
    };
    const r = run(
      'okta.api_token.not_super_admin',
      'okta:api-tokens',
      tokenOwners([token('t1', '00usa', daysAgo(5))], gap),
    );
    expect(r).toMatchObject({ outcome: 'unknown', missing: 'the okta.roles.read scope' });
    // The token's other controls still judge it.
    const zone = run(
      'okta.api_token.zone',
      'okta:api-tokens',
      tokenOwners([token('t1', '00usa', daysAgo(5))], gap),
    );
    expect(zone.outcome).toBe('fail');
  });

  it('okta.api_token.age: 90 days passes, older is partial, none passes, no creation time is unknown', () => {
    const key = 'okta:api-tokens';
    expect(run('okta.api_token.age', key, [token('t1', 'u', daysAgo(90))]).outcome).toBe('pass');
    expect(
      run('okta.api_token.age', key, [token('t1', 'u', daysAgo(90)), token('t2', 'u', daysAgo(400))]),
    ).toMatchObject({
      outcome: 'partial',
      count: 1,
      total: 2,
    });
    expect(run('okta.api_token.age', key, []).outcome).toBe('pass');
    expect(run('okta.api_token.age', key, [apiToken({ id: 't3', name: 't3' })]).outcome).toBe('unknown');
  });
});

describe('Okta authenticator, recovery, session and API access controls', () => {
  const others = [authenticator('okta_email', 'ACTIVE'), authenticator('okta_verify', 'ACTIVE')];
  for (const [id, key] of [
    ['okta.authenticators.security_question', 'security_question'],
    ['okta.authenticators.phone', 'phone_number'],
  ] as const)
    it(`${id}: ${key} INACTIVE or absent passes, ACTIVE fails`, () => {
      expect(run(id, 'okta:authenticators', [...others, authenticator(key, 'INACTIVE')]).outcome).toBe(
        'pass',
      );
      expect(run(id, 'okta:authenticators', others).outcome).toBe('pass');
      expect(run(id, 'okta:authenticators', [...others, authenticator(key, 'ACTIVE')]).outcome).toBe('fail');
    });

  /** A PasswordPolicy with the recovery factors of Okta's `password` example. */
  const recovery = (id: string, sms: string, call: string, question: string) =>
    passwordPolicy({
      id,
      type: 'PASSWORD',
      name: `Policy ${id}`,
      status: 'ACTIVE',
      settings: {
        password: {},
        recovery: {
          factors: {
            recovery_question: { status: question, properties: { complexity: { minLength: 4 } } },
            okta_email: { status: 'ACTIVE', properties: { recoveryToken: { tokenLifetimeMinutes: 10080 } } },
            okta_sms: { status: sms },
            okta_call: { status: call },
          },
        },
      },
    });
  it('okta.pwd.recovery_factors: email only passes; SMS, voice or a security question fails; unsaid is unknown', () => {
    const key = 'okta:policies/password';
    expect(
      run('okta.pwd.recovery_factors', key, [recovery('a', 'INACTIVE', 'INACTIVE', 'INACTIVE')]).outcome,
    ).toBe('pass');
    for (const bad of [
      recovery('b', 'ACTIVE', 'INACTIVE', 'INACTIVE'),
      recovery('b', 'INACTIVE', 'ACTIVE', 'INACTIVE'),
      recovery('b', 'INACTIVE', 'INACTIVE', 'ACTIVE'),
    ])
      expect(run('okta.pwd.recovery_factors', key, [bad]).outcome).toBe('fail');
    const unsaid = passwordPolicy({
      id: 'c',
      type: 'PASSWORD',
      name: 'c',
      status: 'ACTIVE',
      settings: { password: {} },
    });
    expect(run('okta.pwd.recovery_factors', key, [unsaid]).outcome).toBe('unknown');
  });

  it("okta.admin_console.lifetime: Okta's default 720 minutes passes, a day fails", () => {
    const key = 'okta:admin-console/settings';
    expect(
      run('okta.admin_console.lifetime', key, [
        { sessionIdleTimeoutMinutes: 15, sessionMaxLifetimeMinutes: 720 },
      ]).outcome,
    ).toBe('pass');
    expect(
      run('okta.admin_console.lifetime', key, [
        { sessionIdleTimeoutMinutes: 15, sessionMaxLifetimeMinutes: 1440 },
      ]).outcome,
    ).toBe('fail');
  });

  /** TrustedOrigin as listTrustedOrigins returns it (TrustedOriginsResponse). */
  const origin = (id: string, url: string, status = 'ACTIVE') =>
    trustedOrigin({
      id,
      name: `Origin ${id}`,
      origin: url,
      status,
      scopes: [{ type: 'CORS' }, { type: 'REDIRECT' }],
    });
  it('okta.trusted_origins.https: https passes, http is partial, an inactive http origin is not judged', () => {
    const key = 'okta:trustedOrigins';
    expect(
      run('okta.trusted_origins.https', key, [
        origin('a', 'https://app.example.com'),
        origin('x', 'http://old.example.com', 'INACTIVE'),
      ]).outcome,
    ).toBe('pass');
    const r = run('okta.trusted_origins.https', key, [
      origin('a', 'https://app.example.com'),
      origin('b', 'http://example.com'),
    ]);
    expect(r).toMatchObject({ outcome: 'partial', count: 1, total: 2 });
    expect(r.failing).toEqual([{ id: 'b', name: 'Origin b' }]);
  });

  /** AuthorizationServer as listAuthorizationServers returns it (ListAuthServersResponse). */
  const server = (id: string, rotationMode: string) => ({
    id,
    name: `Server ${id}`,
    status: 'ACTIVE',
    issuerMode: 'ORG_URL',
    credentials: { signing: { rotationMode, kid: 'k' } },
  });
  it('okta.authz_servers.key_rotation: AUTO passes, MANUAL fails, no custom server passes', () => {
    const key = 'okta:authorizationServers';
    expect(run('okta.authz_servers.key_rotation', key, [server('default', 'AUTO')]).outcome).toBe('pass');
    expect(
      run('okta.authz_servers.key_rotation', key, [server('default', 'AUTO'), server('api', 'MANUAL')])
        .outcome,
    ).toBe('fail');
    expect(run('okta.authz_servers.key_rotation', key, []).outcome).toBe('pass');
  });
});
