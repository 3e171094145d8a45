import { describe, expect, it } from 'vitest';
import graph from '../fixtures/m365/graph-v1.0-types.json' with { type: 'json' };
import { loadCatalog } from '../../source/catalog/index.js';
import { m365 } from '../../source/connectors/m365/index.js';
import { m365Demo } from '../../source/simulator/m365.js';
import type { DemoTenant } from '../../source/simulator/types.js';
import { collect, simulate, tenantCopy } from '../helpers/sim.js';

/**
 * The Microsoft 365 connector against Microsoft's own description of Graph v1.0 (its CSDL
 * metadata, extracted in test/fixtures/m365): every request follows the metadata's entity sets,
 * singletons and navigation properties, every property a control reads is a property of its type,
 * and every value a control compares with is a member of the property's enum.
 */
interface TypeDef {
  base?: string;
  props: Record<string, string>;
}
const TYPES = graph.types as Record<string, TypeDef>;
const ENUMS = graph.enums as Record<string, string[]>;
const CONTAINERS = graph.containers as Record<string, string>;

/** A property of a type or of its base types, as `Type` or `Collection(Type)`. */
function prop(type: string, name: string): string | undefined {
  for (let t: TypeDef | undefined = TYPES[type]; t; t = t.base ? TYPES[t.base] : undefined)
    if (t.props[name]) return t.props[name];
  return undefined;
}
const element = (t: string) => t.replace(/^Collection\((.*)\)$/, '$1');

/** The type a Graph v1.0 request path reaches, walking the metadata; throws where it leaves it. */
function resolve(path: string): string {
  const [first, ...rest] = path.replace(/^\/v1\.0\//, '').split('/');
  const set = /^(\w+)(\(.*\))?$/.exec(first ?? '');
  let type = CONTAINERS[set?.[1] ?? ''];
  if (!type) throw new Error(`${path}: no entity set or singleton ${first}`);
  for (const seg of rest) {
    const next = prop(type, seg);
    if (!next) throw new Error(`${path}: ${type} has no navigation property ${seg}`);
    type = element(next);
  }
  return type;
}

const DATASET_TYPES: Record<string, string> = {
  'm365:conditionalAccess/policies': 'conditionalAccessPolicy',
  'm365:conditionalAccess/policies/p2': 'conditionalAccessPolicy',
  'm365:authorizationPolicy': 'authorizationPolicy',
  'm365:adminConsentRequestPolicy': 'adminConsentRequestPolicy',
  'm365:appManagementPolicy': 'tenantAppManagementPolicy',
  'm365:authenticationMethodsPolicy': 'authenticationMethodsPolicy',
  'm365:authenticationMethods': 'authenticationMethodConfiguration',
  'm365:domains': 'domain',
  'm365:users/registration': 'userRegistrationDetails',
  'm365:sharepoint/settings': 'sharepointSettings',
  'm365:roles/privilegedUsers': 'user',
  'm365:pim/rolePolicies': 'unifiedRoleManagementPolicyAssignment',
  'm365:pim/assignments': 'unifiedRoleAssignmentScheduleInstance',
};

/** The type at a JSON pointer below `type`, or undefined where the metadata has no such property. */
function typeAt(type: string, pointer: string): string | undefined {
  let t: string | undefined = type;
  for (const key of pointer.slice(1).split('/')) t = t && prop(element(t), key);
  return t;
}

describe('Microsoft 365 connector against the Graph v1.0 metadata', () => {
  it('asks only for paths the metadata describes', async () => {
    const [contoso] = m365Demo as [DemoTenant];
    // Every permission and Entra ID P2, so that every request is made (PIM among them).
    const copy = structuredClone(contoso.data) as Record<string, unknown> & {
      subscribedSkus: { servicePlans: unknown[] }[];
    };
    copy.subscribedSkus[0]!.servicePlans.push({
      servicePlanName: 'AAD_PREMIUM_P2',
      provisioningStatus: 'Success',
    });
    const full = tenantCopy(contoso, {
      data: { ...copy, permissions: [...(contoso.data.permissions as string[]), 'AuditLog.Read.All'] },
    });
    const sim = await simulate([full]);
    await collect(m365, sim, full);
    const paths = [...new Set(sim.log.filter((l) => l.path.startsWith('/v1.0/')).map((l) => l.path))];
    expect(paths.length).toBeGreaterThan(8);
    const reached = Object.fromEntries(paths.map((p) => [p, resolve(decodeURIComponent(p))]));
    expect(reached['/v1.0/identity/conditionalAccess/policies']).toBe('conditionalAccessPolicy');
    expect(reached['/v1.0/admin/sharepoint/settings']).toBe('sharepointSettings');
    expect(reached['/v1.0/reports/authenticationMethods/userRegistrationDetails']).toBe(
      'userRegistrationDetails',
    );
    expect(reached['/v1.0/policies/roleManagementPolicyAssignments']).toBe(
      'unifiedRoleManagementPolicyAssignment',
    );
    expect(reached['/v1.0/roleManagement/directory/roleAssignmentScheduleInstances']).toBe(
      'unifiedRoleAssignmentScheduleInstance',
    );
    // $expand=policy($expand=rules) follows navigation properties.
    expect(prop('unifiedRoleManagementPolicyAssignment', 'policy')).toBe('unifiedRoleManagementPolicy');
    expect(prop('unifiedRoleManagementPolicy', 'rules')).toBe('Collection(unifiedRoleManagementPolicyRule)');
    // $select on directory role members names properties of user.
    for (const l of sim.log.filter((x) => x.path.endsWith('/members')))
      for (const f of new URLSearchParams(l.query).get('$select')?.split(',') ?? [])
        expect(prop('user', f), f).toBeDefined();
  });

  it('reads, in every control, only properties the metadata gives the type, and compares with enum members', () => {
    for (const c of loadCatalog().forApp('m365')) {
      const type = DATASET_TYPES[c.rule.dataset];
      if (!type) continue;
      for (const cond of [...c.rule.where, ...c.rule.assert]) {
        if (cond.path.startsWith('/_') || cond.path === '/id') continue;
        // Authentication method configurations are typed per method: their own fields are on the subtype.
        const t =
          typeAt(type, cond.path) ??
          typeAt('microsoftAuthenticatorAuthenticationMethodConfiguration', cond.path);
        expect(t, `${c.id} ${cond.path}`).toBeDefined();
        const values = Array.isArray(cond.value) ? cond.value : [cond.value];
        const members = ENUMS[element(t!)];
        if (members) for (const v of values) expect(members, `${c.id} ${cond.path}`).toContain(v);
      }
    }
  });

  it('derives its judgements from properties and enum members the metadata has', () => {
    expect(ENUMS.conditionalAccessClientApp).toEqual(expect.arrayContaining(['exchangeActiveSync', 'other']));
    expect(ENUMS.conditionalAccessGrantControl).toEqual(
      expect.arrayContaining(['block', 'mfa', 'compliantDevice', 'domainJoinedDevice']),
    );
    expect(ENUMS.conditionalAccessTransferMethods).toContain('deviceCodeFlow');
    expect(ENUMS.conditionalAccessPolicyState).toContain('enabled');
    expect(ENUMS.appCredentialRestrictionType).toEqual(
      expect.arrayContaining(['passwordAddition', 'passwordLifetime']),
    );
    expect(ENUMS.appKeyCredentialRestrictionType).toContain('asymmetricKeyLifetime');
    expect(ENUMS.appManagementRestrictionState).toContain('enabled');
    expect(ENUMS.advancedConfigState).toContain('enabled');
    expect(prop('conditionalAccessGrantControls', 'authenticationStrength')).toBe(
      'authenticationStrengthPolicy',
    );
    expect(prop('authenticationStrengthPolicy', 'allowedCombinations')).toBe(
      'Collection(authenticationMethodModes)',
    );
    expect(prop('user', 'onPremisesSyncEnabled')).toBe('Boolean');
    expect(prop('domain', 'passwordValidityPeriodInDays')).toBe('Int32');
    expect(prop('defaultUserRolePermissions', 'permissionGrantPoliciesAssigned')).toBe('Collection(String)');
    // PIM: what fields.ts reads from a role's policy rules and from an assignment instance.
    expect(prop('unifiedRoleManagementPolicyAssignment', 'roleDefinitionId')).toBe('String');
    expect(prop('unifiedRoleManagementPolicyApprovalRule', 'setting')).toBe('approvalSettings');
    expect(prop('approvalSettings', 'isApprovalRequired')).toBe('Boolean');
    expect(prop('unifiedRoleManagementPolicyNotificationRule', 'notificationRecipients')).toBe(
      'Collection(String)',
    );
    expect(prop('unifiedRoleManagementPolicyNotificationRule', 'id')).toBe('String');
    for (const f of ['startDateTime', 'endDateTime'])
      expect(prop('unifiedRoleAssignmentScheduleInstance', f), f).toBe('DateTimeOffset');
    expect(prop('unifiedRoleAssignmentScheduleInstance', 'roleDefinitionId')).toBe('String');
    expect(prop('unifiedRoleAssignmentScheduleInstance', 'principalId')).toBe('String');
  });
});
