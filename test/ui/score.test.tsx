import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { validateCatalog } from '../../source/catalog/validate.js';
import type { Result } from '../../source/domain/schemas.js';
import { sparkline, trendLines } from '../../source/ui/views/panels.js';
import { renderConsole } from '../helpers/console.js';
import { control, instance } from '../helpers/fixtures.js';
import { openStore } from '../helpers/store.js';
import { tempDir } from '../helpers/temp.js';
import { type } from '../helpers/ink.js';

const catalog = validateCatalog({
  okta: [
    control('okta.pwd.length', { title: 'Okta password length', maxPoints: 8 }),
    control('okta.mfa.admin', { title: 'Okta admin MFA', maxPoints: 10 }),
    control('okta.session', { title: 'Okta session lifetime', maxPoints: 5 }),
  ],
  github: [control('gh.2fa', { app: 'github', title: 'GitHub 2FA', maxPoints: 10 })],
});
const r = (controlId: string, outcome: Result['outcome']): Result => ({ controlId, outcome, evidence: [] });

/**
 * EU fails 18 points, 10 of them Planned; US passes 5 and fails 8 accepted as a risk; GitHub fails 10.
 * current 5/41, planned 15/41, achievable 5/33.
 */
async function setup() {
  const file = join(tempDir(), 'store.json');
  const writer = await openStore(file);
  await writer.update((d) => {
    d.instances.push(
      instance('eu', { name: 'Okta Contoso EU' }),
      instance('us', { name: 'Okta Contoso US' }),
      instance('gh', { app: 'github', name: 'GitHub Contoso' }),
    );
    const at = new Date().toISOString();
    d.results.eu = { polledAt: at, results: [r('okta.pwd.length', 'fail'), r('okta.mfa.admin', 'fail')] };
    d.results.us = { polledAt: at, results: [r('okta.pwd.length', 'fail'), r('okta.session', 'pass')] };
    d.results.gh = { polledAt: at, results: [r('gh.2fa', 'fail')] };
    const by = 'analyst';
    d.statuses.push(
      { instanceId: 'eu', controlId: 'okta.mfa.admin', state: 'planned', reason: '', by, at },
      {
        instanceId: 'us',
        controlId: 'okta.pwd.length',
        state: 'risk_accepted',
        reason: 'IdP enforces it',
        by,
        at,
        expires: '2999-01-01',
      },
    );
    d.daily.push(
      { day: '2026-11-18', achieved: 412, possible: 1000 },
      { day: '2026-11-19', achieved: 0, possible: 0 },
      { day: '2026-11-20', achieved: 430, possible: 1000 },
      { day: '2026-11-29', achieved: 599, possible: 1000 },
    );
  });
  writer.close();
  const store = await openStore(file);
  const app = renderConsole(store, catalog, 'analyst');
  await vi.waitFor(() => expect(app.lastFrame()).toContain('Connected apps'));
  await type(app.stdin, '2');
  await vi.waitFor(() => expect(app.lastFrame()).toContain('Current score'));
  return app;
}

/** The percentage and points on the line that starts with `name`. */
const rowOf = (frame: string, name: string) =>
  frame
    .split('\n')
    .find((l) => l.trimStart().startsWith(name))
    ?.replace(/\s+/g, ' ')
    .trim();

describe('the Secure Score view', () => {
  it('switches the breakdown by product and by instance with the headline, so that the parts add up', async () => {
    const { stdin, lastFrame } = await setup();
    expect(lastFrame()).toContain('Current score: 12.2%  (5 / 41 points)');
    expect(rowOf(lastFrame()!, 'Okta Contoso EU')).toBe('Okta Contoso EU 0.0% 0 / 18');

    await type(stdin, 'v');
    await vi.waitFor(() => expect(lastFrame()).toContain('Planned score: 36.6%  (15 / 41 points)'));
    const planned = lastFrame()!;
    expect(planned).toContain('By product (planned)');
    expect(rowOf(planned, 'Okta ')).toBe('Okta 48.4% 15 / 31');
    expect(rowOf(planned, 'GitHub ')).toBe('GitHub 0.0% 0 / 10');
    expect(rowOf(planned, 'Okta Contoso EU')).toBe('Okta Contoso EU 55.6% 10 / 18');
    expect(rowOf(planned, 'Okta Contoso US')).toBe('Okta Contoso US 38.5% 5 / 13');

    await type(stdin, 'v');
    await vi.waitFor(() => expect(lastFrame()).toContain('Achievable score: 15.2%  (5 / 33 points)'));
    const achievable = lastFrame()!;
    // The accepted risk's 8 points leave US's possible points, and Okta's with them.
    expect(rowOf(achievable, 'Okta ')).toBe('Okta 21.7% 5 / 23');
    expect(rowOf(achievable, 'Okta Contoso US')).toBe('Okta Contoso US 100.0% 5 / 5');
    expect(rowOf(achievable, 'Okta Contoso EU')).toBe('Okta Contoso EU 0.0% 0 / 18');
  });

  it('labels the trend with its days, dates and range, and says when it is the current score in another view', async () => {
    const { stdin, lastFrame } = await setup();
    // The day on which nothing counted has no score: three days, not four.
    expect(lastFrame()).toContain('Trend 3 days (2026-11-18 … 2026-11-29): 41.2% … 59.9%');
    expect(lastFrame()).toContain('  ▁▂█');
    await type(stdin, 'v');
    await vi.waitFor(() => expect(lastFrame()).toContain('Planned score'));
    expect(lastFrame()).toContain('Trend of the current score, 3 days (2026-11-18 … 2026-11-29)');
    expect(lastFrame()).toContain('days keep the current score only: there is no planned trend');
  });
});

describe('the trend sparkline', () => {
  it('is scaled to its own range: the lowest value is the lowest bar, the highest the highest', () => {
    expect(sparkline([41.2, 43, 59.9])).toBe('▁▂█');
    expect(sparkline([50, 50])).toBe('▄▄');
    expect(sparkline([])).toBe('');
  });

  it('shows only the days that fit, and dates the ones it shows', () => {
    const daily = Array.from({ length: 30 }, (_, i) => ({
      day: `2026-11-${String(i + 1).padStart(2, '0')}`,
      achieved: i,
      possible: 100,
    }));
    const [label, bars] = trendLines(daily, 'current', 12);
    expect(label).toBe('Trend 10 days (2026-11-21 … 2026-11-30): 20.0% … 29.0%');
    expect(bars).toBe('  ▁▂▃▃▄▅▆▆▇█');
  });
});

describe('the Secure Score view as a list', () => {
  /** Twelve Okta instances, each failing the password control: more than the view can show at 100x24. */
  async function fleet() {
    const file = join(tempDir(), 'store.json');
    const writer = await openStore(file);
    await writer.update((d) => {
      const at = new Date().toISOString();
      for (let n = 1; n <= 12; n++) {
        const id = `i${String(n).padStart(2, '0')}`;
        d.instances.push(instance(id, { name: `Okta tenant ${n}` }));
        d.results[id] = { polledAt: at, results: [r('okta.pwd.length', 'fail')] };
      }
    });
    writer.close();
    const app = renderConsole(await openStore(file), catalog, 'analyst');
    await vi.waitFor(() => expect(app.lastFrame()).toContain('Connected apps'));
    await type(app.stdin, '2');
    await vi.waitFor(() => expect(app.lastFrame()).toContain('Current score'));
    return app;
  }

  it('says how many instances are below, scrolls to them, and opens the selected one’s actions', async () => {
    const { stdin, lastFrame } = await fleet();
    // 24 rows: the headline, trend and the product leave 10 rows to the instances.
    expect(lastFrame()).toContain('By instance (current)  1–10 of 12 · 2 more ↓');
    expect(lastFrame()).not.toContain('Okta tenant 12');

    await type(stdin, 'G');
    await vi.waitFor(() => expect(lastFrame()).toContain('Okta tenant 12'));
    expect(lastFrame()).toContain('3–12 of 12 ↑');

    await type(stdin, '\r');
    await vi.waitFor(() => expect(lastFrame()).toContain('instance: Okta tenant 12'));
    expect(lastFrame()).toContain('Recommended actions (1)');

    // Esc comes back to the score, the cursor where it was.
    await type(stdin, '\u001b');
    await vi.waitFor(() => expect(lastFrame()).toContain('3–12 of 12 ↑'));
  });

  it('opens a product’s actions with Enter on it', async () => {
    const { stdin, lastFrame } = await setup();
    await type(stdin, 'j', '\r');
    await vi.waitFor(() => expect(lastFrame()).toContain('product: GitHub'));
    expect(lastFrame()).toContain('GitHub 2FA');
    expect(lastFrame()).not.toContain('Okta admin MFA');
  });
});
