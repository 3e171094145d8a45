import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../source/simulator/vendors.js';
import type { DemoTenant } from '../../source/simulator/types.js';
import { instanceFor, simulate, tenantCopy } from '../helpers/sim.js';
import { BACKENDS, exists, keptText, runIn, seed, snapshot, stored, workspace } from './helpers.js';
import { emptyStore } from '../../source/domain/schemas.js';

const tenant = (id: string): DemoTenant => {
  const t = DEMO_TENANTS.find((x) => x.id === id);
  if (!t) throw new Error(`no demo tenant ${id}`);
  return t;
};
const oktaEu = tenant('okta-contoso-eu');
const labs = tenant('github-contoso-labs');
// A token that every Okta endpoint refuses: sign-in works, nothing can be read.
const blind = tenantCopy(oktaEu, { id: 'okta-blind', forbidden: ['/api/v1'] });

const connectArgs = (url: string, variable: string, store: string, ...extra: string[]) => [
  'connect',
  'okta',
  '--name',
  'Okta Contoso EU',
  '--url',
  url,
  '--token-env',
  variable,
  '--store',
  store,
  ...extra,
];

describe.each(BACKENDS)('posture connect reads the tenant before adding it, on $name', ({ backend }) => {
  it('adds a readable tenant and lists, per control, what the credential can evaluate', async () => {
    const sim = await simulate([oktaEu]);
    const t = await workspace(backend);
    const r = await runIn(connectArgs(sim.baseUrl(oktaEu.id), 'OKTA_EU', t.store), {
      ...t,
      env: { OKTA_EU: oktaEu.token },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('What this credential can evaluate:');
    expect(r.stdout).toMatch(/\d+ of 35 controls can be evaluated with this credential/);
    expect(r.stdout).toMatch(/okta\.pwd\.min_length\s+yes/);
    expect((await stored(t.store)).instances).toHaveLength(1);
    // The check reads; it does not store results.
    expect((await stored(t.store)).results).toEqual({});
  });

  it('adds a Microsoft 365 tenant through Graph as it adds the others, naming what its app registration lacks', async () => {
    const m365 = tenant('m365-contoso');
    const sim = await simulate([m365]);
    const t = await workspace(backend);
    const opts = Object.entries(m365.options ?? {}).flatMap(([k, v]) => ['--option', `${k}=${v}`]);
    const args = ['connect', 'm365', '--name', 'Contoso 365', '--url', sim.baseUrl(m365.id)];
    const r = await runIn([...args, '--token-env', 'M365_SECRET', ...opts, '--store', t.store], {
      ...t,
      env: { M365_SECRET: m365.token },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/(\d+) of (\d+) controls can be evaluated with this credential/);
    expect(r.stdout).toContain('AuditLog.Read.All'); // the demo's app registration lacks it
    expect((await stored(t.store)).instances).toEqual([
      expect.objectContaining({
        app: 'm365',
        name: 'Contoso 365',
        credential: { kind: 'env', variable: 'M365_SECRET' },
      }),
    ]);
    const wrong = await runIn(
      [...args, '--token-env', 'M365_SECRET', ...opts, '--store', (await workspace(backend)).store],
      {
        ...t,
        env: { M365_SECRET: 'not-the-secret' },
      },
    );
    expect(wrong.code).toBe(2);
    expect(wrong.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(wrong.stderr).not.toContain('not-the-secret');
  });

  it('refuses a tenant it cannot sign in to, in one line, and leaves the store as it was', async () => {
    const sim = await simulate([oktaEu]);
    const t = await workspace(backend);
    await seed(t.store, emptyStore());
    const before = await snapshot(t.store);
    const r = await runIn(connectArgs(sim.baseUrl(oktaEu.id), 'OKTA_EU', t.store), {
      ...t,
      env: { OKTA_EU: 'not-the-token' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^posture: "Okta Contoso EU" was not added: Okta 401: .*--no-check\)$/m);
    expect(await snapshot(t.store)).toBe(before);
  });

  it('refuses a credential that can read nothing, naming what it needs; --no-check adds it anyway', async () => {
    const sim = await simulate([blind]);
    const t = await workspace(backend);
    const args = connectArgs(sim.baseUrl(blind.id), 'OKTA_EU', t.store);
    const r = await runIn(args, { ...t, env: { OKTA_EU: blind.token } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "this credential can read none of the settings posture checks: it needs the Read-Only Administrator role (or a role that reads this) for the token's admin",
    );
    const forced = await runIn([...args, '--no-check'], { ...t, env: { OKTA_EU: blind.token } });
    expect(forced.code).toBe(0);
    expect(forced.stdout).not.toContain('What this credential can evaluate');
    expect((await stored(t.store)).instances).toHaveLength(1);
  });
});

describe.each(BACKENDS)('posture doctor, on $name', ({ backend }) => {
  async function storeOf(tenants: DemoTenant[]) {
    const sim = await simulate(tenants);
    const t = await workspace(backend);
    const doc = emptyStore();
    doc.instances = tenants.map((x) => instanceFor(sim, x));
    await seed(t.store, doc);
    const env = Object.fromEntries(tenants.map((x) => [x.variable, x.token]));
    return { t, env };
  }

  it('names the right a least-privilege token lacks per control, and exits 1', async () => {
    const { t, env } = await storeOf([labs]);
    const before = await snapshot(t.store);
    const r = await runIn(['doctor', '--store', t.store], { ...t, env });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`GitHub · ${labs.name} (${labs.id})`);
    expect(r.stdout).toMatch(/grant it: .*admin:org/);
    expect(r.stdout).toMatch(/gh\.org\.actions_token\s+no\s+needs the admin:org scope/);
    // Reading is all it does.
    expect(await snapshot(t.store)).toBe(before);
  });

  it('prints one report per instance with --json, and says when an instance cannot be read', async () => {
    const { t, env } = await storeOf([oktaEu, blind]);
    const r = await runIn(['doctor', '--json', '--store', t.store], { ...t, env });
    expect(r.code).toBe(1);
    const reports = JSON.parse(r.stdout) as {
      instanceId: string;
      outcome: string;
      error?: string;
      evaluable: number;
      total: number;
      controls: { controlId: string; evaluable: boolean; missing?: string }[];
    }[];
    const eu = reports.find((x) => x.instanceId === oktaEu.id);
    expect(eu?.outcome).toBe('ok');
    expect(eu?.total).toBe(35);
    expect(eu?.controls).toHaveLength(35);
    const b = reports.find((x) => x.instanceId === blind.id);
    expect(b?.outcome).toBe('error');
    expect(b?.evaluable).toBe(0);
    expect(b?.error).toMatch(/can read none of the settings/);
    expect(b?.controls.every((c) => !c.evaluable && c.missing)).toBe(true);
  });

  it('checks one instance with --instance, and refuses an unknown one in one line', async () => {
    const { t, env } = await storeOf([oktaEu, labs]);
    const one = await runIn(['doctor', '--instance', labs.name, '--json', '--store', t.store], { ...t, env });
    expect((JSON.parse(one.stdout) as unknown[]).length).toBe(1);
    const bad = await runIn(['doctor', '--instance', 'nope', '--store', t.store], { ...t, env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('posture: unknown instance "nope" (see posture instances)\n');
  });
});

describe.each(BACKENDS)('posture connect with a token file and a CA file, on $name', ({ backend }) => {
  it('reads the token from a 0600 file, checks the tenant with it, and stores the path only', async () => {
    const sim = await simulate([oktaEu]);
    const t = await workspace(backend);
    const file = join(t.dir, 'okta.token');
    writeFileSync(file, `${oktaEu.token}\n`, { mode: 0o600 });
    const args = [
      'connect',
      'okta',
      '--name',
      'Okta File',
      '--url',
      sim.baseUrl(oktaEu.id),
      '--token-file',
      file,
    ];
    const r = await runIn([...args, '--store', t.store], t);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/35 of 35 controls can be evaluated/);
    const saved = (await stored(t.store)).instances[0];
    expect(saved?.credential).toEqual({ kind: 'file', path: file });
    expect(await keptText(t.store)).not.toContain(oktaEu.token);
  });

  it('refuses a token file others can read, and a CA file that does not exist, in one line each', async () => {
    const t = await workspace(backend);
    const file = join(t.dir, 'open.token');
    writeFileSync(file, 'x', { mode: 0o644 });
    chmodSync(file, 0o644);
    const base = ['connect', 'okta', '--name', 'O', '--url', 'https://o.example', '--store', t.store];
    const open = await runIn([...base, '--token-file', file], t);
    expect(open.code).toBe(2);
    expect(open.stderr).toBe(`posture: --token-file: ${file} must be mode 0600 or stricter (it is 0644)\n`);
    const ca = await runIn([...base, '--token-env', 'T', '--ca-file', join(t.dir, 'nope.pem')], t);
    expect(ca.code).toBe(2);
    expect(ca.stderr).toBe(`posture: --ca-file: ${join(t.dir, 'nope.pem')} does not exist\n`);
    expect(await exists(t.store)).toBe(false);
  });
});
