import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keys, spawn } from '../helpers/pty.js';

describe('the built program in a pseudo-terminal', () => {
  it('walks Connected apps -> Okta -> drawer -> toggle -> Recommended actions filtered to Okta', async () => {
    const s = spawn(['--demo']);
    await s.waitFor('Connected apps');
    await s.waitFor(/Okta\s+2 \(1 on\)\s+ok/); // the demo tenants were polled
    const store = join(s.dir, 'posture', 'demo.json');

    // Locate Okta with the filter, then open its instance drawer.
    await keys(s, '/', 'o', 'k', 't', 'a', '\r');
    await s.waitFor('/okta');
    await keys(s, '\r');
    await s.waitFor('Okta · instances');
    await s.waitFor(/Okta Contoso EU .* Off/);
    expect(s.screen()).toContain('Secure Score recommendations: Off');

    // Space turns on Secure Score recommendations for Okta Contoso EU, saved at once.
    await keys(s, ' ');
    await s.waitFor(/Okta Contoso EU .* On/);
    const saved = JSON.parse(readFileSync(store, 'utf8'));
    expect(saved.instances.find((i: { id: string }) => i.id === 'okta-contoso-eu').recommendations).toBe(
      true,
    );

    // Recommended actions, filtered by product to Okta: EU's actions are now listed.
    await keys(s, '3', ':', ...'product okta', '\r');
    await s.waitFor('product: Okta');
    await s.waitFor('Okta Contoso EU');
    expect(s.screen()).not.toMatch(/Salesforce Contoso|GitHub Contoso/);

    await keys(s, 'q');
    expect(await s.exit).toBe(0);
    // The lock is released on exit.
    expect(() => readFileSync(`${store}.lock`)).toThrow();
  });
});
