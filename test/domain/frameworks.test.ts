import { describe, expect, it } from 'vitest';
import { loadCatalog, loadFrameworks } from '../../source/catalog/index.js';
import { evaluateFramework, requirementStatus } from '../../source/domain/frameworks.js';
import type { Control, ManualCheck } from '../../source/domain/schemas.js';
import { testFramework } from '../helpers/frameworks.js';

const framework = testFramework(7);
const base = loadCatalog().forApp('okta')[0]!;
const control = (id: string, cites: string[]): Control => ({
  ...base,
  id,
  benchmarks: cites.map((c) => ({ name: 'Test', id: c })),
});
const manual: ManualCheck = {
  id: 'okta.manual.banner',
  app: 'okta',
  title: 'banner',
  why: 'seen on the page',
  benchmarks: [{ name: 'Test', id: 'R5' }],
  steps: ['look'],
  links: [],
};
const catalog = {
  controls: [
    control('okta.a', ['R1']),
    control('okta.b', ['R2', 'R3']),
    control('okta.c', ['R4']),
    control('okta.d', ['R6']),
    { ...control('okta.other_benchmark', ['R7']), benchmarks: [{ name: 'Other', id: 'R7' }] },
  ],
  manual: [manual],
};

describe('a framework requirement', () => {
  it('passes, fails, is partial or unknown from the results of the controls behind it', () => {
    const report = evaluateFramework(framework, catalog, [
      { instanceId: 'eu', controlId: 'okta.a', outcome: 'pass' },
      { instanceId: 'us', controlId: 'okta.a', outcome: 'pass' },
      { instanceId: 'eu', controlId: 'okta.b', outcome: 'pass' },
      { instanceId: 'us', controlId: 'okta.b', outcome: 'fail' },
      { instanceId: 'eu', controlId: 'okta.c', outcome: 'unknown' },
    ]);
    const status = Object.fromEntries(report.rows.map((r) => [r.id, r.status]));
    expect(status).toEqual({
      R1: 'pass',
      R2: 'partial',
      R3: 'partial',
      R4: 'unknown',
      R5: 'manual',
      R6: 'not_evaluated',
      R7: 'not_evaluated',
    });
    // One control behind two requirements; a citation of another benchmark is not this one's.
    expect(report.rows[1]!.controls.map((c) => c.id)).toEqual(['okta.b']);
    expect(report.rows[6]!.reason).toBe('no control checks it yet');
    expect(report.rows[5]!.reason).toBe('no counted instance has results for it');
    expect(report.rows[4]!.manual).toEqual([manual]);
    // Met of judged: manual, unknown and not evaluated are not in the percentage.
    expect(report).toMatchObject({ met: 1, checkable: 3, percent: 33.33 });
  });

  it('weighs a known failure over an unknown, and an unknown over passes', () => {
    expect(requirementStatus(['fail', 'unknown'])).toBe('fail');
    expect(requirementStatus(['fail', 'fail'])).toBe('fail');
    expect(requirementStatus(['pass', 'unknown'])).toBe('unknown');
    expect(requirementStatus(['pass', 'error'])).toBe('unknown');
    expect(requirementStatus(['partial'])).toBe('partial');
    expect(requirementStatus(['pass', 'partial', 'unknown'])).toBe('partial');
    expect(requirementStatus([])).toBe('not_evaluated');
  });

  it('has no percentage when nothing could be judged', () => {
    expect(evaluateFramework(framework, catalog, []).percent).toBeNull();
  });
});

describe('the DISA Okta IDaaS STIG V1R2', () => {
  const stig = loadFrameworks().find((f) => f.id === 'disa-okta-idaas-stig-v1r2')!;
  const report = evaluateFramework(stig, loadCatalog(), []);

  it('lists its 29 requirements, and every one is checked by a control or by hand', () => {
    expect(stig.requirements).toHaveLength(29);
    const byStatus = (s: string) => report.rows.filter((r) => r.status === s).map((r) => r.id);
    expect(byStatus('manual')).toEqual([
      'OKTA-APP-000090',
      'OKTA-APP-000200',
      'OKTA-APP-001920',
      'OKTA-APP-003241',
    ]);
    // Every requirement is covered: the last six by the authentication policy and network zone controls.
    expect(report.rows.filter((r) => r.controls.length === 0 && r.manual.length === 0)).toEqual([]);
    const ids = (req: string) => report.rows.find((r) => r.id === req)!.controls.map((c) => c.id);
    expect(ids('OKTA-APP-000180')).toEqual(['okta.dashboard.phishing_resistant']);
    expect(ids('OKTA-APP-000190')).toEqual(['okta.admin_console.phishing_resistant']);
    expect(ids('OKTA-APP-000570')).toEqual(['okta.dashboard.mfa']);
    expect(ids('OKTA-APP-003242')).toEqual(['okta.session.network_zone']);
    expect(ids('OKTA-APP-003243')).toEqual(['okta.network.block_anonymizers']);
    expect(ids('OKTA-APP-003244')).toEqual(['okta.apps.network_zones']);
  });

  it('puts the Admin Console idle timeout under OKTA-APP-000025, not the inactive-accounts requirement', () => {
    const ids = (req: string) => report.rows.find((r) => r.id === req)!.controls.map((c) => c.id);
    expect(ids('OKTA-APP-000025')).toEqual(['okta.admin_console.idle']);
    expect(ids('OKTA-APP-000090')).toEqual([]);
  });
});

describe("ServiceNow's Instance Security Hardening (Australia)", () => {
  const guide = loadFrameworks().find((f) => f.id === 'servicenow-hardening-australia')!;
  const report = evaluateFramework(guide, loadCatalog(), []);
  const row = (req: string) => report.rows.find((r) => r.id === req)!;

  it('lists its 216 settings, and every one is checked by a control or by hand', () => {
    expect(guide.requirements).toHaveLength(216);
    expect(report.rows.filter((r) => r.controls.length === 0 && r.manual.length === 0)).toEqual([]);
    expect(report.rows.filter((r) => r.status === 'manual')).toHaveLength(9);
  });

  it('checks chat server debugging through glide.cs.debug; password lengths and the MID Server audit log are manual', () => {
    expect(row('sc-disable-chat-server-debugging').controls.map((c) => c.id)).toEqual([
      'snow.glide_cs_debug',
    ]);
    // Their columns are given by label only: checked by hand, never guessed.
    for (const [req, id] of [
      ['sc-set-minimal-password-length', 'servicenow.manual.password_policy_length'],
      ['mid.log.command_audit.enable', 'servicenow.manual.mid_command_audit_log'],
    ] as const) {
      expect(row(req).controls, req).toEqual([]);
      expect(
        row(req).manual.map((m) => m.id),
        req,
      ).toEqual([id]);
    }
  });
});
