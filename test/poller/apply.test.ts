import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { produce } from 'immer';
import { describe, expect, it } from 'vitest';
import type { Connector } from '../../source/connectors/types.js';
import type { App, Instance, PollChanges, Result } from '../../source/domain/schemas.js';
import { unseenItem } from '../../source/domain/rules.js';
import { applyPolls, type PollSummary, pollInstances } from '../../source/poller/poller.js';
import { FileStore } from '../../source/store/store.js';
import { fakeClock } from '../helpers/clock.js';
import { control, instance, world } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp.js';

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
    const history: PollChanges[] = [];
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
        history,
      ),
    );
    expect(next.results.x?.results.map((x) => x.outcome)).toEqual(['fail', 'pass']);
    expect(next.results.y).toBe(base.results.y); // earlier results stay, untouched
    expect(next.instances[1]?.lastPoll).toMatchObject({
      outcome: 'error',
      error: 'Okta 503: service unavailable',
    });
    expect(history).toEqual([
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
  });

  it('ignores a poll of an instance removed meanwhile', () => {
    const next = produce(base, (doc) =>
      applyPolls(doc, base, [{ results: [], summary: summary('gone', 'ok'), at: now }], catalog, now, []),
    );
    expect(next.instances).toEqual(base.instances);
  });
});

describe('poll order and commits', () => {
  const last = (ms: number) => ({ at: '2026-11-23T00:00:00.000Z', outcome: 'ok' as const, durationMs: ms });
  /** Poll `instances` one at a time; each app's poll takes `took[app]` ms on a fake clock. */
  async function pollOrder(instances: Instance[], took: Partial<Record<App, number>> = {}, deps = {}) {
    const store = await FileStore.open(join(tempDir(), 'store.json'));
    await store.update((d) => {
      d.instances.push(...instances);
    });
    const clock = fakeClock();
    const connector = (app: App): Connector => ({
      app,
      secretLabel: 'token',
      rights: {},
      options: [],
      collect: async (ctx) => {
        await ctx.clock.sleep(took[app] ?? 1);
        return { datasets: {}, requests: 1 };
      },
    });
    const started: string[] = [];
    const { catalog } = world([a], [], {});
    try {
      await pollInstances(
        instances.map((i) => i.id),
        {
          store,
          catalog,
          clock,
          connectors: {
            okta: connector('okta'),
            salesforce: connector('salesforce'),
            servicenow: connector('servicenow'),
            github: connector('github'),
            m365: connector('m365'),
          },
          env: { TOKEN: 't' },
          concurrency: 1,
          onEvent: (e) => {
            if (e.type === 'start') started.push(e.instanceId);
          },
          ...deps,
        },
      );
    } finally {
      store.close();
    }
    return started;
  }

  it('starts the instances whose last poll took longest first', async () => {
    const started = await pollOrder([
      instance('quick', { lastPoll: last(100) }),
      instance('slow', { lastPoll: last(9000) }),
      instance('medium', { lastPoll: last(2000) }),
    ]);
    expect(started).toEqual(['slow', 'medium', 'quick']);
  });

  it("expects a never-polled instance to take as long as its app's others, and an unknown app longest", async () => {
    const started = await pollOrder([
      instance('quick', { lastPoll: last(100) }),
      instance('slow', { lastPoll: last(9000) }),
      instance('new'), // okta: (100 + 9000 + 500) / 3 = 3,200 ms
      instance('medium', { lastPoll: last(500) }),
      instance('gh', { app: 'github' }), // no GitHub instance was ever polled
    ]);
    expect(started).toEqual(['gh', 'slow', 'new', 'medium', 'quick']);
  });

  it('learns during the first poll of a fleet which apps are slow, and starts theirs first', async () => {
    const app = (n: number): App => (n % 2 === 0 ? 'okta' : 'github');
    const fleet = Array.from({ length: 6 }, (_, n) => instance(`${app(n)}-${n}`, { app: app(n) }));
    const started = await pollOrder(fleet, { okta: 10, github: 1000 });
    // Nothing known: the first okta goes first; then GitHub is unknown (longest), then known slow.
    expect(started).toEqual(['okta-0', 'github-1', 'github-3', 'github-5', 'okta-2', 'okta-4']);
  });

  it('fails the poll when a commit fails, without stopping the polls in flight', async () => {
    const dir = tempDir();
    const store = await FileStore.open(join(dir, 'gone', 'store.json'));
    await store.update((d) => {
      d.instances.push(instance('x'), instance('y'), instance('z'));
    });
    rmSync(join(dir, 'gone'), { recursive: true }); // every commit from now on fails
    const done: string[] = [];
    const { catalog } = world([a], [], {});
    const connector: Connector = {
      app: 'okta',
      secretLabel: 'token',
      rights: {},
      options: [],
      collect: async () => ({ datasets: {}, requests: 1 }),
    };
    await expect(
      pollInstances(['x', 'y', 'z'], {
        store,
        catalog,
        connectors: {
          okta: connector,
          salesforce: connector,
          servicenow: connector,
          github: connector,
          m365: connector,
        },
        env: { TOKEN: 't' },
        concurrency: 1,
        commitEveryMs: 0, // a commit after every instance
        onEvent: (e) => {
          if (e.type === 'done') done.push(e.instanceId);
        },
      }),
    ).rejects.toThrow(/ENOENT/);
    store.close();
    expect(done).toEqual(['x', 'y', 'z']);
  });
});

describe('an instance whose credential can read nothing', () => {
  const datasetsFor = (readable: boolean | 'unseen') => ({
    'okta:x':
      readable === 'unseen'
        ? {
            ok: true as const,
            items: [unseenItem({ v: true }, { reason: 'hidden', missing: 'the okta.x.read scope' })],
          }
        : readable
          ? { ok: true as const, items: [{ v: true }] }
          : { ok: false as const, reason: 'the token may not read this', missing: 'the okta.x.read scope' },
    'okta:y': { ok: false as const, reason: 'the token may not read this', missing: 'the okta.y.read scope' },
  });
  async function pollWith(readable: boolean | 'unseen') {
    const store = await FileStore.open(join(tempDir(), 'store.json'));
    await store.update((d) => {
      d.instances.push(instance('x'));
      d.results.x = { polledAt: '2026-11-01T00:00:00.000Z', results: [r(a.id, 'fail')] };
    });
    const connector: Connector = {
      app: 'okta',
      secretLabel: 'token',
      rights: {},
      options: [],
      collect: async () => ({ datasets: datasetsFor(readable), requests: 2 }),
    };
    const y = control('okta.y.y', {
      rule: { dataset: 'okta:y', assert: [{ path: '/v', op: 'eq', value: true }] },
    });
    const { catalog } = world([a, y], [], {});
    try {
      const [s] = await pollInstances(['x'], {
        store,
        catalog,
        connectors: {
          okta: connector,
          salesforce: connector,
          servicenow: connector,
          github: connector,
          m365: connector,
        },
        env: { TOKEN: 't' },
      });
      return { summary: s!, results: store.doc.results.x?.results };
    } finally {
      store.close();
    }
  }

  it('is an error of that instance naming what it needs, and keeps its earlier results', async () => {
    const { summary, results } = await pollWith(false);
    expect(summary.outcome).toBe('error');
    expect(summary.error).toBe(
      'this credential can read none of the settings posture checks: it needs the okta.x.read scope; the okta.y.read scope',
    );
    expect(results).toEqual([r(a.id, 'fail')]);
  });

  it('is an error too when a list was read but no item in it could be judged', async () => {
    const { summary, results } = await pollWith('unseen');
    expect(summary.outcome).toBe('error');
    expect(summary.error).toMatch(
      /can read none of the settings posture checks: it needs the okta\.x\.read scope/,
    );
    expect(results).toEqual([r(a.id, 'fail')]);
  });

  it('is scored when one dataset is readable, the others unknown with the missing right', async () => {
    const { summary, results } = await pollWith(true);
    expect(summary.outcome).toBe('ok');
    expect(results?.find((x) => x.controlId === 'okta.y.y')).toMatchObject({
      outcome: 'unknown',
      missing: 'the okta.y.read scope',
    });
    expect(results?.find((x) => x.controlId === a.id)?.outcome).toBe('pass');
  });
});
