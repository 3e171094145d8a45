import { produce } from 'immer';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../source/domain/schemas.js';
import { applyPolls, type PollSummary } from '../../source/poller/poller.js';
import { control, instance, world } from '../helpers/fixtures.js';

const a = control('okta.a.a', { maxPoints: 10 });
const b = control('okta.b.b', { maxPoints: 6 });
const r = (controlId: string, outcome: Result['outcome']): Result => ({ controlId, outcome, evidence: [] });
const summary = (id: string, outcome: 'ok' | 'error', error?: string): PollSummary => ({
  instanceId: id,
  name: id,
  outcome,
  requests: 3,
  durationMs: 10,
  ...(error ? { error } : {}),
});

describe('applying a batch of polls', () => {
  const { doc: base, catalog } = world([a, b], [instance('x'), instance('y')], {
    x: [r(a.id, 'pass'), r(b.id, 'fail')],
    y: [r(a.id, 'fail'), r(b.id, 'fail')],
  });
  const now = new Date('2026-11-23T10:00:00Z');

  it("replaces results on success, keeps them on error, records changes and today's score", () => {
    const next = produce(base, (doc) =>
      applyPolls(
        doc,
        base,
        [
          { results: [r(a.id, 'fail'), r(b.id, 'pass')], summary: summary('x', 'ok'), at: now },
          { summary: summary('y', 'error', 'Okta 503: service unavailable'), at: now },
        ],
        catalog,
        now,
      ),
    );
    expect(next.results.x?.results.map((x) => x.outcome)).toEqual(['fail', 'pass']);
    expect(next.results.y).toBe(base.results.y); // earlier results stay, untouched
    expect(next.instances[1]?.lastPoll).toMatchObject({
      outcome: 'error',
      error: 'Okta 503: service unavailable',
    });
    expect(next.polls).toEqual([
      {
        at: now.toISOString(),
        instanceId: 'x',
        changes: [
          { instanceId: 'x', controlId: a.id, kind: 'regressed' },
          { instanceId: 'x', controlId: b.id, kind: 'fixed' },
        ],
      },
    ]);
    // x now earns 6 of 16, y still 0 of 16.
    expect(next.daily).toEqual([{ day: '2026-11-23', achieved: 6, possible: 32 }]);
    expect(base.polls).toEqual([]); // the base document is never changed
  });

  it('ignores a poll of an instance removed meanwhile', () => {
    const next = produce(base, (doc) =>
      applyPolls(doc, base, [{ results: [], summary: summary('gone', 'ok'), at: now }], catalog, now),
    );
    expect(next.instances).toEqual(base.instances);
  });
});

describe('poll order', () => {
  it('starts the instances whose last poll took longest first, never-polled ones before all', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { Store } = await import('../../source/store/store.js');
    const { pollInstances } = await import('../../source/poller/poller.js');
    const store = await Store.open(join(mkdtempSync(join(tmpdir(), 'order-')), 'store.json'));
    const last = (ms: number) => ({ at: '2026-11-23T00:00:00.000Z', outcome: 'ok' as const, durationMs: ms });
    await store.update((d) => {
      d.instances.push(
        instance('quick', { lastPoll: last(100) }),
        instance('slow', { lastPoll: last(9000) }),
        instance('new'),
        instance('medium', { lastPoll: last(2000) }),
      );
    });
    const started: string[] = [];
    const { catalog } = world([a], [], {});
    const connector = {
      app: 'okta' as const,
      secretLabel: 'token',
      options: [],
      collect: async () => ({ datasets: {}, requests: 0 }),
    };
    await pollInstances(['quick', 'slow', 'new', 'medium'], {
      store,
      catalog,
      connectors: { okta: connector, salesforce: connector, servicenow: connector, github: connector },
      env: { TOKEN: 't' },
      concurrency: 1,
      onEvent: (e) => {
        if (e.type === 'start') started.push(e.instanceId);
      },
    });
    store.close();
    expect(started).toEqual(['new', 'slow', 'medium', 'quick']);
  });
});
