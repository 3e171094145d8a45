import { describe, expect, it } from 'vitest';
import { BACKENDS, instance, runIn, seed, storeWith, workspace } from './helpers.js';
import type { Result } from '../../source/domain/schemas.js';

const STIG = 'disa-okta-idaas-stig-v1r2';

/** One Okta instance, counted, whose every control passes but the ones given. */
async function oktaStore(t: { store: string }, outcomes: Record<string, Result['outcome']> = {}) {
  const doc = storeWith([instance('okta-eu', { app: 'okta', recommendations: true })]);
  for (const r of doc.results['okta-eu']!.results) {
    r.outcome = outcomes[r.controlId] ?? 'pass';
    delete r.count;
    delete r.total;
  }
  await seed(t.store, doc);
}

describe.each(BACKENDS)('posture --framework on $name', ({ backend }) => {
  it('status prints each requirement with its status and the controls behind it', async () => {
    const t = await workspace(backend);
    await oktaStore(t, { 'okta.pwd.complexity': 'fail' });
    const r = await runIn(['status', '--framework', STIG, '--store', t.store], t);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^DISA Okta IDaaS STIG V1R2 \(Okta\)\n21 of 25 checkable requirements met/);
    expect(r.stdout).toMatch(/OKTA-APP-000680 +Fail +.*okta\.pwd\.complexity/);
    expect(r.stdout).toMatch(/OKTA-APP-000200 +Manual +.*okta\.manual\.dod_banner \(manual\)/);
    expect(r.stdout).toMatch(/OKTA-APP-000180 +Pass +.*okta\.dashboard\.phishing_resistant/);
    const json = JSON.parse(
      (await runIn(['status', '--framework', 'DISA Okta IDaaS STIG', '--json', '--store', t.store], t))
        .stdout,
    );
    expect(json).toMatchObject({
      met: 21,
      checkable: 25,
      percent: 84,
      coverage: { total: 29, covered: 25, manual: 4 },
    });
    expect(json.requirements.find((x: { id: string }) => x.id === 'OKTA-APP-000090')).toMatchObject({
      status: 'manual',
      manual: [{ id: 'okta.manual.inactive_accounts', steps: expect.arrayContaining([expect.any(String)]) }],
    });
  });

  it('check gates on the share of checkable requirements met, with --min-score', async () => {
    const t = await workspace(backend);
    await oktaStore(t, { 'okta.pwd.complexity': 'fail' });
    const ok = await runIn(['check', '--framework', STIG, '--min-score', '75', '--store', t.store], t);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(
      'DISA Okta IDaaS STIG V1R2: 21 of 25 checkable requirements met (84%) meets the minimum 75%\n',
    );
    const low = await runIn(
      ['check', '--framework', STIG, '--min-score', '90', '--json', '--store', t.store],
      t,
    );
    expect(low.code).toBe(1);
    expect(JSON.parse(low.stdout)).toMatchObject({ passed: false, percent: 84, minScore: 90 });
  });

  it('export writes the auditor report in Markdown, JSON or CSV, and refuses the findings formats', async () => {
    const t = await workspace(backend);
    await oktaStore(t, { 'okta.logstream': 'fail' });
    const md = await runIn(['export', '--framework', STIG, '--format', 'markdown', '--store', t.store], t);
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/^# DISA Okta IDaaS STIG V1R2: compliance report/);
    expect(md.stdout).toContain(
      '| OKTA-APP-001430 | Fail | Okta must off-load audit records onto a central log server. | okta.logstream |',
    );
    expect(md.stdout).toMatch(
      /## To check by hand\n\n### OKTA-APP-000090: Disable accounts after 35 days of inactivity\n/,
    );
    const json = JSON.parse(
      (await runIn(['export', '--framework', STIG, '--format', 'json', '--store', t.store], t)).stdout,
    );
    expect(json.schema).toBe('posture.framework/1');
    expect(json.requirements).toHaveLength(29);
    const csv = await runIn(['export', '--framework', STIG, '--format', 'csv', '--store', t.store], t);
    expect(csv.stdout.split('\r\n')[0]).toBe('framework,requirement,status,title,controls,manual');
    const sarif = await runIn(['export', '--framework', STIG, '--format', 'sarif', '--store', t.store], t);
    expect(sarif.code).toBe(2);
    expect(sarif.stderr).toBe('posture: --framework exports json, markdown or csv, not sarif\n');
  });

  it('names the known frameworks for an unknown one, and lists them with their coverage', async () => {
    const t = await workspace(backend);
    await oktaStore(t);
    const bad = await runIn(['status', '--framework', 'nist', '--store', t.store], t);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`unknown framework "nist" (one of ${STIG}`);
    const list = await runIn(['frameworks', '--store', t.store], t);
    expect(list.stdout).toMatch(new RegExp(`${STIG} +DISA Okta IDaaS STIG V1R2 +Okta +29 +25 +4 +0`));
  });
});
