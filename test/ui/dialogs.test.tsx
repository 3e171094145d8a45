import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { validateCatalog } from '../../source/catalog/validate.js';
import type { Result } from '../../source/domain/schemas.js';
import { renderConsole } from '../helpers/console.js';
import { control, instance } from '../helpers/fixtures.js';
import { openStore } from '../helpers/store.js';
import { tempDir } from '../helpers/temp.js';
import { KEYS, type } from '../helpers/ink.js';

const catalog = validateCatalog({
  okta: [
    control('okta.pwd.length', { title: 'Okta password length', maxPoints: 8 }),
    control('okta.mfa.admin', {
      title: 'Okta admin MFA',
      maxPoints: 10,
      steps: ['Open the policy', 'Require two factors'],
    }),
  ],
});
const fail = (controlId: string): Result => ({ controlId, outcome: 'fail', evidence: [] });

async function setup(opts: { readOnly?: boolean } = {}) {
  const file = join(tempDir(), 'store.json');
  const writer = await openStore(file);
  await writer.update((d, h) => {
    d.instances.push(
      instance('eu', { name: 'Okta Contoso EU' }),
      instance('us', { name: 'Okta Contoso US' }),
    );
    const at = new Date().toISOString();
    d.results.eu = { polledAt: at, results: [fail('okta.pwd.length'), fail('okta.mfa.admin')] };
    d.results.us = { polledAt: at, results: [fail('okta.pwd.length')] };
    h.push({
      at,
      instanceId: 'eu',
      changes: [{ instanceId: 'eu', controlId: 'okta.mfa.admin', kind: 'regressed' }],
    });
    d.daily.push(
      { day: '2026-11-20', achieved: 4, possible: 26 },
      { day: '2026-11-21', achieved: 8, possible: 26 },
    );
  });
  await writer.close();
  const store = await openStore(file, { readOnly: opts.readOnly ?? false });
  const app = renderConsole(store, catalog, 'analyst');
  await vi.waitFor(() => expect(app.lastFrame()).toContain('Connected apps'));
  return { ...app, store };
}

describe('dialogs and views', () => {
  it('requires a reason for third-party resolution, records who set it, and grants full points unverified', async () => {
    const { stdin, lastFrame, store } = await setup();
    await type(stdin, '3');
    await vi.waitFor(() => expect(lastFrame()).toContain('Okta admin MFA'));
    await type(stdin, 's', 'j', 'j', 'j', KEYS.enter);
    await vi.waitFor(() => expect(lastFrame()).toContain('Reason:'));
    await type(stdin, KEYS.enter);
    await vi.waitFor(() => expect(lastFrame()).toContain('a reason is required'));
    await type(stdin, ...'Managed by our IdP vendor', KEYS.enter);
    await vi.waitFor(() => expect(lastFrame()).toMatch(/Resolved thr.*\s+(critical|high|medium|low)/));
    expect(store.doc.statuses.at(-1)).toMatchObject({
      state: 'third_party',
      by: 'analyst',
      reason: 'Managed by our IdP vendor',
    });
    expect(lastFrame()).toMatch(/10\/10/);
  });

  it('edits an instance from the options menu, keeping its id and recommendations', async () => {
    const { stdin, lastFrame, store } = await setup();
    await type(stdin, KEYS.enter, '.');
    await vi.waitFor(() => expect(lastFrame()).toContain('Edit'));
    await type(stdin, 'j', 'j', KEYS.enter);
    // The name field (its cursor is now an inverse cell after the name, not a bar character).
    await vi.waitFor(() => expect(lastFrame()).toContain('Okta Contoso EU'));
    for (let i = 0; i < 2; i++) await type(stdin, KEYS.backspace);
    // Enter moves on to the last field, then saves.
    await type(stdin, ...'Europe', ...Array<string>(6).fill(KEYS.enter));
    await vi.waitFor(() => expect(lastFrame()).toContain('saved Okta Contoso Europe'));
    const edited = store.doc.instances.find((i) => i.id === 'eu');
    expect(edited).toMatchObject({ name: 'Okta Contoso Europe', recommendations: true });
  });

  it('refuses a duplicate name in the add form with the field named', async () => {
    const { stdin, lastFrame, store } = await setup();
    await type(stdin, KEYS.enter, 'a', ...'Okta Contoso US', KEYS.enter, ...'https://x.okta.com', KEYS.enter);
    await type(stdin, ...'TOKEN', ...Array<string>(4).fill(KEYS.enter));
    await vi.waitFor(() =>
      expect(lastFrame()).toContain('Name: Okta already has an instance named "Okta Contoso US"'),
    );
    expect(store.doc.instances).toHaveLength(2);
  });

  it('adds an instance whose token is in a file only its owner can read, and its CA file', async () => {
    const { stdin, lastFrame, store } = await setup();
    const dir = tempDir();
    const token = join(dir, 'okta.token');
    const ca = join(dir, 'ca.pem');
    writeFileSync(token, 'secret-token\n', { mode: 0o644 });
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n');
    await type(stdin, KEYS.enter, 'a');
    await vi.waitFor(() => expect(lastFrame()).toContain('CA file (optional)'));
    await type(stdin, ...'Okta Contoso APAC', KEYS.enter, ...'https://apac.okta.com', KEYS.enter, KEYS.enter);
    await type(stdin, ...token, KEYS.enter, ...ca, KEYS.enter, KEYS.enter);
    await vi.waitFor(() =>
      expect(lastFrame()).toContain(`! Token file: ${token} must be mode 0600 or stricter (it is 0644)`),
    );
    chmodSync(token, 0o600);
    await type(stdin, KEYS.enter);
    await vi.waitFor(() => expect(lastFrame()).toContain('Add it? (y/n)'));
    await type(stdin, 'y');
    await vi.waitFor(() => expect(store.doc.instances).toHaveLength(3));
    expect(store.doc.instances.at(-1)).toMatchObject({
      name: 'Okta Contoso APAC',
      credential: { kind: 'file', path: token },
      caFile: ca,
    });
  });

  it('in read-only mode offers no change and makes none', async () => {
    const { stdin, lastFrame, store } = await setup({ readOnly: true });
    expect(lastFrame()).not.toContain('Space on/off');
    await type(stdin, KEYS.enter, ' ');
    await vi.waitFor(() => expect(lastFrame()).toContain('read-only: changes are disabled'));
    await type(stdin, '.', 'a');
    expect(lastFrame()).not.toContain('Add an instance');
    expect(store.doc.instances.every((i) => i.recommendations)).toBe(true);
  });

  it('shows the score views, the breakdown and the trend, and the changes per poll', async () => {
    const { stdin, lastFrame } = await setup();
    await type(stdin, '2');
    await vi.waitFor(() => expect(lastFrame()).toContain('Current score: 0.0%'));
    expect(lastFrame()).toContain('Trend 2 days (2026-11-20 … 2026-11-21): 15.4% … 30.8%');
    expect(lastFrame()).toContain('By instance');
    await type(stdin, 'v');
    await vi.waitFor(() => expect(lastFrame()).toContain('Planned score'));
    await type(stdin, '4');
    await vi.waitFor(() => expect(lastFrame()).toContain('1 regressed'));
    expect(lastFrame()).toContain('2026-11-21');
  });

  it('switches to single-instance mode from the command line', async () => {
    const { stdin, lastFrame, store } = await setup();
    await type(stdin, ':', ...'mode single', KEYS.enter);
    await vi.waitFor(() => expect(store.doc.settings.instanceMode).toBe('single'));
    // Only each app's Secure Score instance counts now: the switch chose Okta's (the first one on),
    // rather than leave the score empty until someone finds the menu.
    expect(store.doc.settings.secureScoreInstance.okta).toBe('eu');
    await vi.waitFor(() => expect(lastFrame()).toMatch(/Secure Score 0(\.0)?% \(0\/18\)/));
    expect(lastFrame()).toContain('Secure Score instances chosen: Okta: Okta Contoso EU');
  });
});
