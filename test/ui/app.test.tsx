import { readFileSync } from 'node:fs';
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
    control('okta.pwd.length', { title: 'Okta password length' }),
    control('okta.mfa.admin', { title: 'Okta admin MFA', maxPoints: 6 }),
  ],
  github: [
    control('gh.org.twofa', {
      app: 'github',
      title: 'GitHub org 2FA',
      rule: {
        dataset: 'github:org',
        where: [],
        assert: [{ path: '/x', op: 'eq', value: 1 }],
        mode: 'all',
        onEmpty: 'unknown',
      },
    }),
  ],
});
const fail = (controlId: string): Result => ({ controlId, outcome: 'fail', evidence: [] });

async function setup() {
  const file = join(tempDir(), 'store.json');
  const store = await openStore(file);
  await store.update((d) => {
    d.instances.push(
      instance('eu', { name: 'Okta Contoso EU', recommendations: false }),
      instance('us', { name: 'Okta Contoso US' }),
      instance('gh', { app: 'github', name: 'GitHub Contoso', options: { org: 'contoso' } }),
    );
    const polled = { polledAt: new Date().toISOString() };
    d.results.eu = {
      ...polled,
      results: [
        fail('okta.pwd.length'),
        {
          controlId: 'okta.mfa.admin',
          outcome: 'unknown',
          reason: 'the token may not read this',
          missing: 'the okta.policies.read scope',
          evidence: [],
        },
      ],
    };
    d.results.us = {
      ...polled,
      results: [fail('okta.pwd.length'), { controlId: 'okta.mfa.admin', outcome: 'pass', evidence: [] }],
    };
    d.results.gh = { ...polled, results: [fail('gh.org.twofa')] };
  });
  return { ...renderConsole(store, catalog), file, store };
}

describe('console', () => {
  it('opens the Okta drawer and turns on Secure Score recommendations with Space, saving at once', async () => {
    const { stdin, lastFrame, file, store } = await setup();
    await vi.waitFor(() => expect(lastFrame()).toContain('Connected apps'));
    expect(lastFrame()).toMatch(/Okta\s+2 \(1 on\)/);
    await type(stdin, KEYS.enter);
    await vi.waitFor(() => expect(lastFrame()).toContain('Okta · instances'));
    expect(lastFrame()).toMatch(/Okta Contoso EU.*Off/);
    expect(lastFrame()).toContain('Secure Score recommendations: Off');
    // What the selected instance's credential can evaluate, with the right it lacks; then another's.
    expect(lastFrame()).toContain(
      'Credential: 1 of 2 controls evaluable · lacks the okta.policies.read scope',
    );
    await type(stdin, KEYS.down);
    await vi.waitFor(() => expect(lastFrame()).toContain('Credential: 2 of 2 controls evaluable'));
    await type(stdin, KEYS.up);
    await vi.waitFor(() => expect(lastFrame()).toContain('Credential: 1 of 2'));
    const before = lastFrame()!.match(/Secure Score (\d+\.\d)%/)?.[1];
    await type(stdin, ' ');
    await vi.waitFor(() => expect(lastFrame()).toMatch(/Okta Contoso EU.*On/));
    expect(store.doc.instances.find((i) => i.id === 'eu')?.recommendations).toBe(true);
    await store.flush(); // written after the frame that shows it
    expect(JSON.parse(readFileSync(file, 'utf8')).instances[0].recommendations).toBe(true);
    const after = lastFrame()!.match(/Secure Score (\d+\.\d)%/)?.[1];
    expect(after).not.toBe(before);
    // Esc goes back to the apps.
    await type(stdin, KEYS.escape);
    await vi.waitFor(() => expect(lastFrame()).toMatch(/Okta\s+2 \(2 on\)/));
  });

  it('filters Recommended actions by product and by instance', async () => {
    const { stdin, lastFrame } = await setup();
    await type(stdin, '3');
    await vi.waitFor(() => expect(lastFrame()).toContain('Recommended actions (3)'));
    expect(lastFrame()).toContain('GitHub org 2FA');
    await type(stdin, ':', ...'product okta', KEYS.enter);
    await vi.waitFor(() => expect(lastFrame()).toContain('product: Okta'));
    expect(lastFrame()).not.toContain('GitHub org 2FA');
    expect(lastFrame()).toContain('Okta password length');
    await type(stdin, 'P'); // cycles on to the next product
    await vi.waitFor(() => expect(lastFrame()).toContain('product: GitHub'));
    expect(lastFrame()).toContain('GitHub org 2FA');
    await type(stdin, ':', ...'instance "Okta Contoso US"', KEYS.enter);
    await vi.waitFor(() => expect(lastFrame()).toContain('instance: Okta Contoso US'));
    await type(stdin, ':', ...'clear', KEYS.enter);
    await vi.waitFor(() => expect(lastFrame()).toContain('Recommended actions (3)'));
  });

  it('opens an action on its Overview and switches to numbered Implementation steps with Tab', async () => {
    const { stdin, lastFrame } = await setup();
    await type(stdin, '3', KEYS.enter);
    await vi.waitFor(() => expect(lastFrame()).toContain('Description'));
    expect(lastFrame()).toContain('Evidence');
    await type(stdin, KEYS.tab);
    await vi.waitFor(() => expect(lastFrame()).toContain(' 1. do it'));
    // Help for where the console is: the action page's keys, and the command line's commands.
    await type(stdin, '?');
    await vi.waitFor(() => expect(lastFrame()).toContain('Help · Action'));
    expect(lastFrame()).toContain('set status');
    // Longer than the screen: it says so, and j scrolls it down to the command line's commands.
    expect(lastFrame()).toMatch(/\d+ more ↓ · ↓\/↑ scroll/);
    for (let n = 0; n < 40 && !lastFrame()?.includes(':mode single|multiple'); n++) await type(stdin, 'j');
    expect(lastFrame()).toContain(':mode single|multiple');
    await type(stdin, KEYS.escape);
    await vi.waitFor(() => expect(lastFrame()).toContain(' 1. do it'));
  });
});

describe('live updates', () => {
  it('keep the selection on the same action when a poll re-ranks the list', async () => {
    const { stdin, lastFrame, store } = await setup();
    await type(stdin, '3', 'j');
    await vi.waitFor(() => expect(lastFrame()).toContain('Recommended actions (3)'));
    // Open and close the second row to learn which action is selected.
    await type(stdin, KEYS.enter);
    await vi.waitFor(() => expect(lastFrame()).toContain('Description'));
    const title = /^(.+) — /m.exec(lastFrame()!.split('\n')[1] ?? '')?.[1];
    await type(stdin, KEYS.escape);
    // A poll fixes the first-ranked action, so the selected one moves up a row.
    const first = /^\s+1 (Okta password length|Okta admin MFA|GitHub org 2FA)/m.exec(lastFrame()!)?.[1];
    expect(first).toBeTruthy();
    expect(first).not.toBe(title);
    await store.update((d) => {
      for (const r of Object.values(d.results))
        for (const res of r.results)
          if (catalog.byId.get(res.controlId)?.title === first) res.outcome = 'pass';
    });
    await type(stdin, KEYS.enter);
    await vi.waitFor(() => expect(lastFrame()).toContain('Description'));
    expect(lastFrame()!.split('\n')[1]).toContain(`${title} — `);
  });
});

describe('keys that arrive together', () => {
  it('Enter then G in one read reach the end of the page Enter opened (G used the list frame’s page length)', async () => {
    const file = join(tempDir(), 'store.json');
    const store = await openStore(file);
    const failing = Array.from({ length: 40 }, (_, n) => ({ id: String(n), name: `user-${n}` }));
    await store.update((d) => {
      d.instances.push(instance('us', { name: 'Okta Contoso US' }));
      d.results.us = {
        polledAt: new Date().toISOString(),
        results: [{ controlId: 'okta.pwd.length', outcome: 'fail', evidence: [], failing }],
      };
    });
    const { stdin, lastFrame } = renderConsole(store, catalog);
    await type(stdin, '3');
    await vi.waitFor(() => expect(lastFrame()).toContain('Okta password length'));
    stdin.write('\rG'); // as a fast typist, or SSH, delivers them: one read, no frame between
    await vi.waitFor(() => expect(lastFrame()).toMatch(/of \d+ [↑↓]/));
    expect(lastFrame()).toMatch(/\d+–\d+ of \d+ ↑/); // at the end: nothing more below
    expect(lastFrame()).not.toContain('more ↓');
  });
});
