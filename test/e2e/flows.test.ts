import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keys, spawn } from '../helpers/pty.js';

// The operator's flows, end to end: the built program in a real pseudo-terminal on the demo.

const score = (screen: string, view = 'Secure Score') => new RegExp(`${view} ([\\d.]+)%`).exec(screen)?.[1];

async function demo(opts: Parameters<typeof spawn>[1] = {}) {
  const s = spawn(['--demo'], opts);
  await s.waitFor(/GitHub\s+2 \(1 on\)\s+ok/);
  return s;
}

describe('console flows', () => {
  it('(a) turning on Okta Contoso EU lists its actions and changes the score', async () => {
    const s = await demo();
    const before = score(s.screen());
    await keys(s, '/', ...'okta', '\r', '\r');
    await s.waitFor(/Okta Contoso EU .* Off/);
    await keys(s, ' ');
    await s.waitFor(/Okta Contoso EU .* On/);
    await s.waitFor((() => new RegExp(`Secure Score (?!${before}%)[\\d.]+%`))());
    await keys(s, '3', ':', ...'instance "Okta Contoso EU"', '\r');
    await s.waitFor('instance: Okta Contoso EU');
    expect(s.screen()).toMatch(/Okta Contoso EU/);
  });

  it('(b) filters Recommended actions by product, then by instance', async () => {
    const s = await demo();
    await keys(s, '3');
    await s.waitFor(/Recommended actions \((\d+)\)/);
    const all = Number(/Recommended actions \((\d+)\)/.exec(s.screen())?.[1]);
    await keys(s, 'P');
    await s.waitFor('product: Okta');
    const okta = Number(/Recommended actions \((\d+)\)/.exec(s.screen())?.[1]);
    expect(okta).toBeLessThan(all);
    expect(s.screen()).not.toMatch(/GitHub Contoso|Salesforce Contoso|ServiceNow Contoso/);
    await keys(s, 'I');
    // The title's filter is cut at 80 columns when the counts before it are long: the rows say which instance.
    await s.waitFor(/instance: Ok/);
    const rows = s
      .lines()
      .slice(3, -2)
      .filter((l) => /^\s+\d+ /.test(l));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((l) => l.includes('Okta Contoso US'))).toBe(true);
    await keys(s, ':', ...'product github', '\r');
    await s.waitFor('product: GitHub');
    expect(s.screen()).toContain('GitHub Contoso');
  });

  it('(c) opens an action and reads its numbered Implementation steps', async () => {
    const s = await demo();
    await keys(s, '3', '\r');
    await s.waitFor('Overview');
    await s.waitFor('Description');
    await keys(s, '\t');
    await s.waitFor(/ 1\. \S/);
    await s.waitFor(/ 2\. \S/);
    await keys(s, '\t');
    await s.waitFor('Status history');
    await keys(s, '\u001b');
    await s.waitFor(/Recommended actions \(\d+\)/);
  });

  it('(d) sets Risk accepted with a reason and an expiry: the action is hidden and the achievable score changes', async () => {
    const s = await demo();
    await keys(s, '2');
    await s.waitFor(/achievable [\d.]+%/);
    const achievable = /achievable ([\d.]+)%/.exec(s.screen())?.[1];
    await keys(s, '3');
    await s.waitFor(/Recommended actions \((\d+)\)/);
    const count = Number(/Recommended actions \((\d+)\)/.exec(s.screen())?.[1]);
    const title = /^\s+1 (.+?)\s{2,}/m.exec(s.lines().slice(3).join('\n'))?.[1];
    await keys(s, 's');
    await s.waitFor('Set status');
    await keys(s, 'j', 'j', '\r'); // To address, Planned, Risk accepted
    await s.waitFor('Reason:');
    await keys(s, '\r');
    await s.waitFor('a reason is required');
    await keys(s, ...'Compensated by the IdP', '\r');
    await s.waitFor('Expires (YYYY-MM-DD)');
    await keys(s, ...'2020-01-01', '\r');
    await s.waitFor('must be in the future');
    const next = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    for (let i = 0; i < 10; i++) await keys(s, '\u007f');
    await keys(s, ...next, '\r');
    await s.waitFor(`Recommended actions (${count - 1})`);
    if (title) expect(s.screen()).not.toContain(title.slice(0, 20));
    await keys(s, '2');
    await s.waitFor((() => new RegExp(`achievable (?!${achievable}%)[\\d.]+%`))());
    // The change is in the history with the OS user name.
    const store = JSON.parse(readFileSync(join(s.dir, 'posture', 'demo.json'), 'utf8'));
    expect(store.statuses.at(-1)).toMatchObject({ state: 'risk_accepted', reason: 'Compensated by the IdP' });
    expect(store.statuses.at(-1).by).toBeTruthy();
  });

  it('(e) adding an instance in multiple mode asks to confirm that it is permanent', async () => {
    const s = await demo();
    await keys(s, '\r');
    await s.waitFor('Okta · instances');
    await keys(s, 'a');
    await s.waitFor('Add an instance');
    await keys(
      s,
      ...'Okta Contoso APAC',
      '\r',
      ...'https://contoso-apac.okta.com',
      '\r',
      ...'OKTA_APAC_TOKEN',
      '\r', // on to the token file, the CA file and the options: left empty
      '\r',
      '\r',
      '\r',
    );
    await s.waitFor('permanent: it can be turned off later but never deleted');
    await keys(s, 'y');
    await s.waitFor('Credential of Okta Contoso APAC');
    await keys(s, '\u001b');
    await s.waitFor(/Okta Contoso APAC .* Off/);
    const store = JSON.parse(readFileSync(join(s.dir, 'posture', 'demo.json'), 'utf8'));
    const added = store.instances.find((i: { name: string }) => i.name === 'Okta Contoso APAC');
    expect(added.credential).toEqual({ kind: 'env', variable: 'OKTA_APAC_TOKEN' });
  });

  it('(h) an instance added in the console is read at once, and the drawer says what its credential can evaluate', async () => {
    const s = await demo({ rows: 32 });
    const store = JSON.parse(readFileSync(join(s.dir, 'posture', 'demo.json'), 'utf8'));
    const eu = store.instances.find((i: { id: string }) => i.id === 'okta-contoso-eu');
    await keys(s, '\r');
    await s.waitFor('Okta · instances');
    await keys(s, 'a');
    await s.waitFor('Add an instance');
    // The demo EU tenant again, under another name, with the demo's own token variable.
    await keys(
      s,
      ...'Okta Contoso EU 2',
      '\r',
      ...eu.baseUrl,
      '\r',
      ...'POSTURE_DEMO_OKTA_EU_TOKEN',
      '\r', // on to the token file, the CA file and the options: left empty
      '\r',
      '\r',
      '\r',
    );
    await s.waitFor('permanent: it can be turned off later but never deleted');
    await keys(s, 'y');
    // Read at once: what its credential can evaluate, control by control.
    await s.waitFor('Credential of Okta Contoso EU 2');
    await s.waitFor('35 of 35 controls evaluable at the last poll');
    await s.waitFor(/yes {2}Require .*\((pass|fail|partial)\)/);
    await keys(s, '\u001b');
    await s.waitFor(/Okta Contoso EU 2 .* Off/);
    await keys(s, 'G');
    await s.waitFor(/Credential: 35 of 35 controls evaluable/);
    // The demo's US tenant holds a scoped OAuth token: the drawer names the scopes it lacks.
    await keys(s, 'g', 'j');
    await s.waitFor(/Credential: 29 of 35 controls evaluable · lacks the okta\.logStreams\.read scope/);
  });

  it('(f) works at 80x24, says so below it, and lays out again on resize', async () => {
    const s = await demo({ cols: 80, rows: 24 });
    const fits = () => s.lines().every((l) => l.length <= 80);
    // Short tab names, and the score's percentage whole (its points are on the Secure Score view).
    expect(s.lines()[0]).toMatch(
      /^ 1 Apps {2}2 Score {2}3 Actions {2}4 History {2}5 Frameworks {3}Secure Score \d+\.\d%$/,
    );
    expect(fits()).toBe(true);
    await keys(s, '3');
    await s.waitFor(/Recommended actions \(\d+\)/);
    expect(fits()).toBe(true);
    s.resize(60, 20);
    await s.waitFor('needs at least 80x24; this terminal is 60x20');
    s.resize(120, 40);
    await s.waitFor(/Recommended actions \(\d+\)/);
    expect(s.lines()[0]).toMatch(/^ 1 Connected apps/);
    // In between, the tab names shorten rather than cut the score off.
    s.resize(100, 30);
    await s.waitFor(/^ 1 Apps/);
    expect(s.lines()[0]).toMatch(/Secure Score [\d.]+% \([\d.]+\/[\d.]+\)$/);
    await keys(s, 'q');
    expect(await s.exit).toBe(0);
  });

  it('(g) NO_COLOR and --no-color write no colour codes; selection stays visible by inverse video', async () => {
    const colour = /\u001b\[(?:\d+;)*(?:3\d|4\d|9\d|10\d)(?:;\d+)*m/;
    for (const opts of [{ env: { NO_COLOR: '1' } }, {}]) {
      const s = spawn(opts.env ? ['--demo'] : ['--demo', '--no-color'], opts);
      await s.waitFor(/GitHub\s+2 \(1 on\)\s+ok/);
      await keys(s, '3', 'j');
      await s.waitFor(/Recommended actions/);
      expect(s.raw()).not.toMatch(colour);
      expect(s.raw()).toMatch(/\u001b\[7m/);
      s.kill();
    }
  });
});
