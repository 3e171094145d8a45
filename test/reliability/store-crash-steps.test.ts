import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMIT_STEPS, type CommitStep } from '../../source/store/crash-points.js';
import { historyPath } from '../../source/store/history.js';
import { FileStore } from '../../source/store/store.js';
import { bundleCommitLoop, tempDir } from './helpers.js';

/**
 * SIGKILL at each named step of a commit (source/store/crash-points.ts), not at a random moment:
 * whatever step a writer dies at, the store opens as a writer and validates, holds every
 * acknowledged commit, whole, and loses at most the one in flight; the history file holds whole
 * lines of landed commits only.
 */

let loopScript: string;
beforeAll(async () => {
  loopScript = await bundleCommitLoop();
});

/** Run the commit loop to its end or its death; what it acknowledged, and how it ended. */
function runLoop(file: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [loopScript, file, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (err += d));
  return new Promise<{ acks: number[]; signal: NodeJS.Signals | null; code: number | null; err: string }>(
    (resolve) =>
      child.once('close', (code, signal) =>
        resolve({ acks: [...out.matchAll(/committed (\d+)/g)].map((m) => Number(m[1])), signal, code, err }),
      ),
  );
}

/** The commit the store holds, after checking it opens as a writer and holds it whole. */
/** `bigFrom`: the first commit made with --big (none when undefined). */
async function landed(file: string, bigFrom = Infinity): Promise<number> {
  const store = await FileStore.open(file); // parses and validates, or throws
  try {
    expect(store.readOnly).toBe(false);
    const loop = store.doc.results.loop!;
    const n = Number(loop.polledAt);
    expect(loop.results).toHaveLength(40);
    for (const r of loop.results) expect(r.evidence[0]?.item).toBe(`commit ${n}`);
    expect(store.doc.daily).toEqual([{ day: '2026-11-01', achieved: n, possible: n }]);
    // Two polls per landed commit, in order, none of a commit that did not land.
    const polls = store.history();
    expect(polls.map((p) => p.changes[0]!.controlId)).toEqual(
      Array.from({ length: 2 * n }, (_, k) => `commit ${Math.floor(k / 2) + 1}`),
    );
    polls.forEach((p, k) => {
      const big = k % 2 === 0 && Math.floor(k / 2) + 1 >= bigFrom;
      expect(p.changes).toHaveLength(big ? 20_000 : 1);
    });
    // The next writer cleared what the dead one left: no temporary file, no line of its commit.
    expect(readdirSync(dirname(file)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const text = readFileSync(historyPath(file), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n').filter(Boolean)).toHaveLength(2 * n);
    return n;
  } finally {
    await store.close();
  }
}

// Before the state file's rename the commit in flight is lost; from the rename on it has landed.
const LANDS: Record<CommitStep, boolean> = {
  'history-appended': false,
  'state-written': false,
  'state-renamed': true,
  'compaction-written': true,
  'compaction-renamed': true,
};

describe('a writer killed at each step of a commit', () => {
  for (const step of COMMIT_STEPS)
    it(`leaves a store that opens and loses at most the commit in flight: ${step}`, async () => {
      const file = join(tempDir(), 'store.json');
      // Compaction comes once the history file has doubled and passed 1 MB: after two small
      // commits, a commit with 1.2 MB of history.
      const big = step.startsWith('compaction');
      const flags = big ? ['--big'] : [];
      const bigFrom = big ? 3 : undefined;
      const first = await runLoop(file, ['--stop-after', '2'], process.env);
      expect(first).toMatchObject({ code: 0, err: '', acks: [1, 2] });
      const before = statSync(historyPath(file)).size;

      const killed = await runLoop(file, [...flags, '--stop-after', '3'], {
        ...process.env,
        POSTURE_TEST_KILL_AT: step,
      });
      expect(killed.signal).toBe('SIGKILL');
      expect(killed.err).toBe('');
      // Killed within its first commit (compaction runs before the commit is acknowledged).
      expect(killed.acks).toEqual([]);
      expect(await landed(file, bigFrom)).toBe(LANDS[step] ? 3 : 2);
      if (big && step === 'compaction-renamed')
        expect(statSync(historyPath(file)).size).toBeGreaterThan(before);

      // And the store goes on: the next writer commits after it.
      const next = await runLoop(file, [...flags, '--stop-after', '1'], process.env);
      expect(next).toMatchObject({ code: 0, err: '' });
      expect(await landed(file, bigFrom)).toBe(LANDS[step] ? 4 : 3);
    }, 60_000);

  it('ignores the step asked for outside the test runner', async () => {
    const file = join(tempDir(), 'store.json');
    const env: NodeJS.ProcessEnv = { ...process.env, POSTURE_TEST_KILL_AT: 'state-written' };
    delete env.VITEST;
    const run = await runLoop(file, ['--stop-after', '2'], env);
    expect(run).toMatchObject({ code: 0, signal: null, acks: [1, 2] });
    expect(existsSync(file)).toBe(true);
  }, 30_000);
});
