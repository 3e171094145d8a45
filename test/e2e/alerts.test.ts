import { describe, expect, it, vi } from 'vitest';
import { loadCatalog } from '../../source/catalog/index.js';
import { demoInstance } from '../../source/simulator/demo.js';
import { DEMO_TENANTS } from '../../source/simulator/vendors.js';
import { readStore, storeWith, tmp, writeStore } from '../commands/helpers.js';
import { keys, spawn } from '../helpers/pty.js';
import { CANARY, receiver } from '../helpers/receiver.js';

const HOOK = 'POSTURE_TEST_ALERT_HOOK';
const catalog = loadCatalog();

/** A store whose Okta Contoso US passed every control at its last poll, alerts on to $HOOK. */
function workspace() {
  const t = tmp();
  const tenant = DEMO_TENANTS.find((x) => x.id === 'okta-contoso-us')!;
  const i = demoInstance(tenant, 'http://127.0.0.1:9', new Date().toISOString());
  const passing = catalog.forApp('okta').map(() => ({ outcome: 'pass' as const, evidence: [] }));
  const doc = storeWith([i], { [i.id]: passing });
  doc.settings.alerts = { webhookEnv: HOOK, minSeverity: 'high' };
  writeStore(t.store, doc);
  return t;
}

describe('alerts of the console', () => {
  it('sends what its own polls found, as `posture poll` does, and says so when the receiver refuses', async () => {
    const t = workspace();
    const hook = await receiver([503]);
    // The demo's console polls every instance at start: the tenant's failures are regressions.
    const s = spawn(['--demo', '--store', t.store], { env: { [HOOK]: hook.url } });
    await s.waitFor(
      /alerts: \d+ alerts? not sent \(the webhook at 127\.0\.0\.1:\d+ answered HTTP 503\); kept/,
      20_000,
    );
    expect(hook.bodies).toEqual([]);
    expect(readStore(t.store).alertQueue.pending.length).toBeGreaterThan(0);
    hook.set([200]);
    await keys(s, 'r'); // the next poll finds nothing new, but the queue goes with it
    await vi.waitFor(
      () => {
        expect(hook.bodies).toHaveLength(1);
        expect(s.screen()).not.toContain('alerts:'); // the line went once it stopped being true
      },
      { timeout: 20_000, interval: 100 },
    );
    const sent = hook.bodies[0]!;
    expect(sent.changes.length).toBeGreaterThan(0);
    // Okta Contoso US passed before: its failures are regressions (the other demo tenants' are new).
    expect(sent.changes).toContainEqual(
      expect.objectContaining({ instance: 'Okta Contoso US', kind: 'regressed' }),
    );
    await keys(s, 'q');
    expect(await s.exit).toBe(0);
    expect(readStore(t.store).alertQueue.pending).toEqual([]);
    expect(s.raw()).not.toContain(CANARY);
  }, 60_000);
});
