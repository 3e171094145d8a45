import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { storeCopy } from '../../source/commands/store-copy.js';
import { UsageError } from '../../source/commands/context.js';
import type { PollChanges, StoreDoc } from '../../source/domain/schemas.js';
import { openStore } from '../../source/store/open.js';
import { instance } from '../helpers/fixtures.js';
import { freshDatabase } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp.js';

function io() {
  let out = '';
  return {
    io: {
      stdout: { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream,
      stderr: process.stderr,
      env: {},
    },
    out: () => out,
  };
}

const poll = (id: string, at: string): PollChanges => ({
  at,
  instanceId: id,
  changes: [{ instanceId: id, controlId: 'okta.c1', kind: 'regressed' }],
});

/** A workspace with something in every part of the document, and poll history. */
async function seed(file: string): Promise<void> {
  const s = await openStore(file);
  const now = new Date().toISOString();
  await s.update((d, history) => {
    d.instances.push(instance('a'), instance('b', { name: 'Okta Contoso EU', recommendations: false }));
    d.results.a = Object.freeze({
      polledAt: now,
      results: [{ controlId: 'okta.c1', outcome: 'fail' as const, evidence: [], reason: 'why' }],
    });
    for (const state of ['planned', 'risk_accepted'] as const)
      d.statuses.push({ instanceId: 'a', controlId: 'okta.c1', state, reason: state, by: 'alice', at: now });
    d.daily.push(
      { day: '2025-01-01', achieved: 3, possible: 10 },
      { day: '2025-01-02', achieved: 4, possible: 10 },
    );
    d.settings.instanceMode = 'single';
    d.settings.secureScoreInstance.okta = 'a';
    d.settings.alerts = { webhookEnv: 'HOOK', minSeverity: 'medium' };
    d.alertQueue = {
      pending: [
        { at: now, instanceId: 'a', controlId: 'okta.c1', kind: 'new', severity: 'high', to: ['webhook'] },
      ],
      dropped: 2,
    };
    history.push(poll('a', now), poll('b', now));
  });
  await s.close();
}

async function read(location: string): Promise<{ doc: StoreDoc; history: readonly PollChanges[] }> {
  const s = await openStore(location, { readOnly: true, create: false });
  try {
    return { doc: s.doc, history: [...s.history()] };
  } finally {
    await s.close();
  }
}

describe('posture store copy', () => {
  it('moves a workspace from the file to PostgreSQL and back, losing nothing', async () => {
    const dir = tempDir();
    const file = join(dir, 'store.json');
    await seed(file);
    const url = await freshDatabase();
    const there = io();
    expect(await storeCopy({ from: file, to: url, operator: 'ops' }, there.io)).toBe(0);
    expect(there.out()).toMatch(/copied 2 instances, 1 results, 2 statuses, 2 daily points, 2 polls/);
    const back = join(dir, 'back.json');
    expect(await storeCopy({ from: url, to: back, operator: 'ops' }, io().io)).toBe(0);
    const [original, inPg, returned] = await Promise.all([read(file), read(url), read(back)]);
    expect(inPg).toEqual(original);
    expect(returned).toEqual(original);
  });

  it('refuses a target that already holds a workspace, with one line, and leaves it', async () => {
    const dir = tempDir();
    const file = join(dir, 'store.json');
    await seed(file);
    const url = await freshDatabase();
    await storeCopy({ from: file, to: url, operator: 'ops' }, io().io);
    const before = await read(url);
    for (const [from, to] of [
      [file, url],
      [url, file],
    ] as const) {
      const err = await storeCopy({ from, to, operator: 'ops' }, io().io).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(/already holds a workspace/);
      expect((err as Error).message).not.toContain('\n');
    }
    expect(await read(url)).toEqual(before);
    // A source that is not there is an error too, and nothing is created for it.
    const missing = join(dir, 'missing.json');
    await expect(
      storeCopy({ from: missing, to: join(dir, 'x.json'), operator: 'o' }, io().io),
    ).rejects.toThrow(/no store at/);
    expect(existsSync(missing)).toBe(false);
  });

  it('copies a fleet-sized poll history both ways (200,000 polls: no spread of them overflows the stack)', async () => {
    const dir = tempDir();
    const file = join(dir, 'store.json');
    const polls = Array.from({ length: 200_000 }, (_, n) =>
      poll(`i${n % 50}`, new Date(Date.now() - 200_000 + n).toISOString()),
    );
    const s = await openStore(file);
    await s.update((d, history) => {
      d.instances.push(instance('a'));
      for (const p of polls) history.push(p);
    });
    await s.close();
    const url = await freshDatabase();
    const there = io();
    expect(await storeCopy({ from: file, to: url, operator: 'ops' }, there.io)).toBe(0);
    expect(there.out()).toMatch(/200000 polls/);
    const back = join(dir, 'back.json');
    expect(await storeCopy({ from: url, to: back, operator: 'ops' }, io().io)).toBe(0);
    expect((await read(back)).history).toHaveLength(200_000);
  }, 120_000);
});
