import { describe, expect, it } from 'vitest';
import { alertMessage, markDelivered, MAX_QUEUED, queueAlerts } from '../../source/domain/alerts.js';
import type { Result } from '../../source/domain/schemas.js';
import { control, instance, world } from '../helpers/fixtures.js';

const controls = [
  control('okta.a.crit', {
    severity: 'critical',
    rule: { dataset: 'okta:x', assert: [{ path: '/v', op: 'eq', value: true }], noun: 'rules' },
  }),
  control('okta.a.low', { severity: 'low' }),
];
const hostile = '<!channel> \u001b]52;c;ZWNobyBoaQ==\u0007evil\u202e & co';
const failing: Result = {
  controlId: 'okta.a.crit',
  outcome: 'fail',
  count: 0,
  total: 1,
  failing: [{ id: '1', name: hostile }],
  evidence: [],
};

function setUp() {
  const { doc, catalog } = world(controls, [instance('i1', { name: 'Okta <b>' })], {});
  doc.settings.alerts = { webhookEnv: 'HOOK', command: '/bin/true', minSeverity: 'high' };
  return { doc, catalog };
}

const changes = (at: string) => ({
  at,
  instanceId: 'i1',
  changes: [
    { instanceId: 'i1', controlId: 'okta.a.crit', kind: 'new' as const },
    { instanceId: 'i1', controlId: 'okta.a.low', kind: 'regressed' as const },
    { instanceId: 'i1', controlId: 'okta.a.crit', kind: 'fixed' as const },
  ],
});

describe('alerts', () => {
  it('queues new failures and regressions at or above the severity, for every target', () => {
    const { doc, catalog } = setUp();
    queueAlerts(doc, changes('2026-11-01T00:00:00.000Z'), [failing], catalog.byId);
    expect(doc.alertQueue.pending).toEqual([
      expect.objectContaining({ controlId: 'okta.a.crit', kind: 'new', to: ['webhook', 'command'] }),
    ]);
    // Nothing is queued when no target is set up.
    doc.settings.alerts = { minSeverity: 'low' };
    queueAlerts(doc, changes('2026-11-02T00:00:00.000Z'), [failing], catalog.byId);
    expect(doc.alertQueue.pending).toHaveLength(1);
  });

  it('keeps a change until every target took it', () => {
    const { doc, catalog } = setUp();
    queueAlerts(doc, changes('2026-11-01T00:00:00.000Z'), [failing], catalog.byId);
    const sent = [...doc.alertQueue.pending];
    markDelivered(doc, 'webhook', sent);
    expect(doc.alertQueue.pending[0]!.to).toEqual(['command']);
    markDelivered(doc, 'command', sent);
    expect(doc.alertQueue.pending).toEqual([]);
  });

  it('drops the oldest past the queue size, and says how many', () => {
    const { doc, catalog } = setUp();
    for (let n = 0; n < MAX_QUEUED + 5; n++)
      queueAlerts(
        doc,
        changes(new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString()),
        [failing],
        catalog.byId,
      );
    expect(doc.alertQueue.pending).toHaveLength(MAX_QUEUED);
    expect(doc.alertQueue.dropped).toBe(5);
    const message = alertMessage(doc, doc.alertQueue.pending.slice(0, 1), catalog.byId, new Date());
    expect(message.dropped).toBe(5);
    expect(message.text).toContain('5 earlier changes were dropped');
  });

  it('sanitizes what a tenant named, and Slack sees no markup in it', () => {
    const { doc, catalog } = setUp();
    queueAlerts(doc, changes('2026-11-01T00:00:00.000Z'), [failing], catalog.byId);
    const m = alertMessage(doc, doc.alertQueue.pending, catalog.byId, new Date('2026-11-01T00:00:01Z'));
    const json = JSON.stringify(m);
    for (const ch of ['\u001b', '\u0007', '\u202e']) expect(json).not.toContain(ch);
    expect(m.changes[0]!.failing).toBe('1 of 1 rules failed: <!channel> evil & co');
    expect(m.text).not.toContain('<');
    expect(m.text).toContain('&lt;!channel&gt; evil &amp; co');
    expect(m.text).toContain('on Okta &lt;b&gt;');
  });
});
