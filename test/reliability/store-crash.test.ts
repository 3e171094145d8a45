import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { StoreDocSchema } from '../../source/domain/schemas.js';
import type { Simulator } from '../../source/simulator/server.js';
import { historyPath } from '../../source/store/history.js';
import { FileStore } from '../../source/store/store.js';
import { BIN } from '../helpers/pty.js';
import { simulate } from '../helpers/sim.js';
import {
  bundleCommitLoop,
  docFor,
  envFor,
  oktaCopy,
  oktaEu,
  oktaUs,
  sleep,
  tempDir,
  writeStore,
} from './helpers.js';

/**
 * SIGKILL at random moments, over and over: the store always opens and validates, and holds the
 * last committed state, whole (every result of an instance from one commit), never half.
 */

const RUNS = 30;
const random = (max: number) => Math.floor(Math.random() * (max + 1));

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

function leftovers(file: string): string[] {
  return readdirSync(dirname(file)).filter((f) => f.endsWith('.tmp'));
}

describe('a writer killed with SIGKILL', () => {
  let loopScript: string;
  beforeAll(async () => {
    loopScript = await bundleCommitLoop();
  });

  it(`loses no acknowledged commit and never leaves half a commit (${RUNS} kills)`, async () => {
    const file = join(tempDir(), 'store.json');
    let acknowledged = 0;
    let killedMidLoop = 0;
    for (let run = 0; run < RUNS; run++) {
      const child = spawn(process.execPath, [loopScript, file], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d;
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d;
      });
      // Kill at a random moment of the commit loop.
      const start = Date.now();
      while (!out.includes('ready') && child.exitCode === null && Date.now() - start < 5000) await sleep(2);
      await sleep(random(300));
      child.kill('SIGKILL');
      await exited(child);
      expect(err).toBe('');
      const acks = [...out.matchAll(/committed (\d+)/g)].map((m) => Number(m[1]));
      if (acks.length > 0) {
        killedMidLoop++;
        acknowledged = acks.at(-1)!;
      }

      // It opens and validates (as a writer: the dead writer's lock is taken over).
      const store = await FileStore.open(file);
      expect(store.readOnly).toBe(false);
      const loop = store.doc.results.loop;
      const n = Number(loop?.polledAt ?? 0);
      // Nothing acknowledged is lost; at most the one commit in flight got in.
      expect(n).toBeGreaterThanOrEqual(acknowledged);
      expect(n).toBeLessThanOrEqual(acknowledged + 1);
      acknowledged = n;
      // Whole: every result and the daily point are from the same commit.
      if (loop) {
        expect(loop.results).toHaveLength(40);
        for (const r of loop.results) expect(r.evidence[0]?.item).toBe(`commit ${n}`);
        expect(store.doc.daily).toEqual([{ day: '2026-11-01', achieved: n, possible: n }]);
      }
      // History: two polls for each commit up to n, none of the commit that was killed, in order.
      const history = store.history().map((p) => p.changes[0]!.controlId);
      expect(history).toEqual(Array.from({ length: 2 * n }, (_, k) => `commit ${Math.floor(k / 2) + 1}`));
      // The last good copy parses, and is one commit behind at most.
      if (existsSync(`${file}.bak`)) {
        const bak = StoreDocSchema.parse(JSON.parse(readFileSync(`${file}.bak`, 'utf8')));
        expect(Number(bak.results.loop?.polledAt ?? 0)).toBeLessThanOrEqual(n);
      }
      // A killed commit's temporary file is cleared by the next writer, and so are the lines it
      // appended to the history file: the file holds whole lines of landed commits only.
      expect(leftovers(file)).toEqual([]);
      const lines = existsSync(historyPath(file)) ? readFileSync(historyPath(file), 'utf8') : '';
      expect(lines === '' || lines.endsWith('\n')).toBe(true);
      expect(lines.split('\n').filter(Boolean)).toHaveLength(2 * n);
      await store.close();
    }
    expect(killedMidLoop).toBeGreaterThan(RUNS / 2);
    expect(acknowledged).toBeGreaterThan(RUNS);
  }, 60_000);
});

describe('`posture poll --once` killed with SIGKILL', () => {
  const tenants = [oktaEu, oktaUs, ...['a', 'b', 'c', 'd'].map((x) => oktaCopy(`okta-crash-${x}`))];
  let sim: Simulator;
  beforeAll(async () => {
    // Latency on every request makes a poll span more than one commit (one every 500 ms).
    sim = await simulate(tenants, [{ kind: 'latency', ms: 6 }]);
  });

  /** Mark every policy name with the run number: evidence then tells which poll a result is from. */
  function mark(run: number) {
    for (const t of tenants) {
      const policies = sim.tenant(t.id)?.data.policies as { name: string }[];
      for (const p of policies) p.name = `${p.name.replace(/ #\d+$/, '')} #${run}`;
    }
  }
  /** The run each instance's results come from; throws when one instance's results mix runs. */
  function runsIn(doc: ReturnType<typeof StoreDocSchema.parse>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, r] of Object.entries(doc.results)) {
      const marks = new Set(
        r.results.flatMap((x) => x.evidence.map((e) => /\S #(\d+)/.exec(e.item)?.[1])).filter(Boolean),
      );
      expect(marks.size, `results of ${id} mix polls: ${[...marks]}`).toBe(1);
      out[id] = Number([...marks][0]);
      // The poll outcome and the results were committed together.
      expect(doc.instances.find((i) => i.id === id)?.lastPoll?.at).toBeDefined();
    }
    return out;
  }

  it(`always leaves a store that opens and holds whole polls (${RUNS} kills)`, async () => {
    const file = join(tempDir(), 'store.json');
    writeStore(file, docFor(sim, tenants));
    const env = { ...process.env, ...envFor(tenants) };
    delete env.CI;
    let before: Record<string, number> = {};
    const endings = { killedBeforeCommit: 0, killedBetweenCommits: 0, killedAfterLastCommit: 0, finished: 0 };
    let pollMs = 300;
    for (let run = 0; run <= RUNS; run++) {
      mark(run);
      const seen = sim.log.length;
      const child = spawn(process.execPath, [BIN, 'poll', '--once', '--concurrency', '1', '--store', file], {
        env,
        stdio: 'ignore',
      });
      const end = exited(child);
      // Wait until polling has begun (the program takes ~0.4 s to start)…
      const start = Date.now();
      while (sim.log.length === seen && child.exitCode === null && Date.now() - start < 5000) await sleep(2);
      const began = Date.now();
      // …then kill it at a random moment of the poll; run 0 is not killed, it measures the poll.
      if (run > 0) {
        await sleep(random(Math.round(pollMs * 1.1)));
        child.kill('SIGKILL');
      }
      const { signal } = await end;
      if (run === 0) pollMs = Date.now() - began;

      const store = await FileStore.open(file, { readOnly: true }); // parses and validates, or throws
      const after = runsIn(store.doc);
      for (const [id, r] of Object.entries(after)) expect([before[id], run]).toContain(r);
      for (const [id, r] of Object.entries(before)) expect(after[id]).toBeGreaterThanOrEqual(r);
      const committed = Object.values(after).filter((r) => r === run).length;
      if (signal !== 'SIGKILL') {
        if (run > 0) endings.finished++;
        expect(committed).toBe(tenants.length);
      } else if (committed === tenants.length) endings.killedAfterLastCommit++;
      else if (committed > 0) endings.killedBetweenCommits++;
      else endings.killedBeforeCommit++;
      before = after;
      store.close();
    }
    console.info(`poll --once (${pollMs} ms) under SIGKILL: ${JSON.stringify(endings)}`);
    expect(endings.killedBeforeCommit + endings.killedBetweenCommits).toBeGreaterThan(0);
    // The next writer takes over the dead one's lock and clears its temporary files.
    const last = await FileStore.open(file);
    expect(last.readOnly).toBe(false);
    expect(leftovers(file)).toEqual([]);
    last.close();
  }, 90_000);
});
