import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { validateCatalog } from '../../source/catalog/validate.js';
import type { Result } from '../../source/domain/schemas.js';
import { renderConsole } from '../helpers/console.js';
import { control, instance } from '../helpers/fixtures.js';
import { type } from '../helpers/ink.js';
import { openStore } from '../helpers/store.js';
import { tempDir } from '../helpers/temp.js';

const catalog = validateCatalog({
  okta: [
    control('okta.long', {
      title: 'Okta requires phishing-resistant factors for every administrator',
      maxPoints: 8,
    }),
    control('okta.mfa', { title: 'Okta MFA', maxPoints: 10 }),
  ],
  github: [],
});
const r = (controlId: string, outcome: Result['outcome']): Result => ({ controlId, outcome, evidence: [] });

describe('the Recommended actions columns while a filter is typed', () => {
  it('keep the widths of all the actions: a filtered list does not move its columns', async () => {
    const file = join(tempDir(), 'store.json');
    const writer = await openStore(file);
    await writer.update((d) => {
      d.instances.push(
        instance('eu', { name: 'Okta Contoso Europe production tenant' }),
        instance('us', { name: 'US' }),
      );
      const at = new Date().toISOString();
      d.results.eu = { polledAt: at, results: [r('okta.long', 'fail')] };
      d.results.us = { polledAt: at, results: [r('okta.mfa', 'fail')] };
    });
    writer.close();
    const app = renderConsole(await openStore(file), catalog);
    await vi.waitFor(() => expect(app.lastFrame()).toContain('Connected apps'));
    await type(app.stdin, '3');
    await vi.waitFor(() => expect(app.lastFrame()).toContain('Recommended actions (2)'));
    const header = (frame = app.lastFrame() ?? '') =>
      frame.split('\n').find((l) => /Title.*Instance/.test(l));
    const before = header();
    expect(before).toBeDefined();
    await type(app.stdin, '/', 'M', 'F', 'A', '\r');
    await vi.waitFor(() => expect(app.lastFrame()).toContain('Recommended actions (1)'));
    expect(app.lastFrame()).not.toContain('phishing');
    expect(header()).toBe(before);
  });
});
