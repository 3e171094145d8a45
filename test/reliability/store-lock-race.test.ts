import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../source/simulator/server.js';
import { FileStore } from '../../source/store/store.js';
import { DEAD_PID, plantLock } from '../helpers/lock.js';
import { BIN } from '../helpers/pty.js';
import { simulate } from '../helpers/sim.js';
import { docFor, envFor, oktaEu, sleep, tempDir, writeStore } from './helpers.js';

/**
 * `posture connect` and `posture poll --once` started at the same moment on a store whose lock was
 * left by a dead writer, with a random delay injected before and after every file operation on the
 * lock (fixtures/lock-delays.ts): both judge the lock stale and take it over. Whatever the order,
 * what either program acknowledged (exit 0) is in the store afterwards.
 */

const RUNS = 12;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(child: ChildProcess): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d;
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d;
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

/** Stale locks as a dead writer leaves them. */
const STALE: Record<string, (file: string) => void> = {
  'a lock file of an older posture, its pid dead': (file) =>
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: DEAD_PID, host: hostname() })),
  'a lock whose pid is dead': (file) => plantLock(file, { pid: DEAD_PID }),
  'a lock from another host, not refreshed for a minute': (file) =>
    plantLock(file, { pid: process.pid, host: 'elsewhere.example' }, 60_000),
};

describe('connect and poll started together on a store with a stale lock', () => {
  let sim: Simulator;
  let preload: string;
  beforeAll(async () => {
    // Latency makes the poll commit after the connect has.
    sim = await simulate([oktaEu], [{ kind: 'latency', ms: 20 }]);
    preload = join(tempDir(), 'lock-delays.mjs');
    await build({
      entryPoints: [join(import.meta.dirname, 'fixtures', 'lock-delays.ts')],
      outfile: preload,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'error',
    });
  });
  afterAll(() => sim?.close());

  it.each(Object.keys(STALE))(
    `never lose what either acknowledged (${RUNS} runs, delays at every lock step): %s`,
    async (kind) => {
      const tally = { connectWon: 0, pollWon: 0, bothAcknowledged: 0, lost: 0 };
      for (let n = 0; n < RUNS; n++) {
        const dir = tempDir();
        const file = join(dir, 'store.json');
        writeStore(file, docFor(sim, [oktaEu]));
        STALE[kind]!(file);
        const barrier = join(dir, 'barrier');
        const env: NodeJS.ProcessEnv = {
          ...process.env,
          ...envFor([oktaEu]),
          LOCK_BARRIER: barrier,
          LOCK_DELAY_MS: String(1 + (n % 4) * 5),
        };
        delete env.CI;
        const start = (args: string[]) =>
          spawn(process.execPath, ['--import', preload, BIN, ...args, '--store', file], {
            env,
            stdio: ['ignore', 'pipe', 'pipe'],
          });
        const poll = start(['poll', '--once', '--instance', oktaEu.id]);
        const connect = start([
          'connect',
          'okta',
          '--name',
          `Run ${n}`,
          '--url',
          `https://run${n}.okta.com`,
          '--token-env',
          oktaEu.variable,
          '--no-check',
        ]);
        const done = Promise.all([run(poll), run(connect)]);
        // Both at the barrier (or one already gone), then go.
        const at = () => readdirSync(dir).filter((f) => f.startsWith('barrier.')).length;
        for (let t = 0; t < 500 && at() < 2 && poll.exitCode === null && connect.exitCode === null; t++)
          await sleep(10);
        writeFileSync(`${barrier}.go`, '');
        const [polled, connected] = await done;

        for (const r of [polled, connected]) {
          expect([0, 2], r.stderr).toContain(r.code);
          // Refused: one line that names the lock file.
          if (r.code === 2)
            expect(r.stderr).toMatch(new RegExp(`^posture: .*read-only.*${file}\\.lock.*\\n$`));
        }
        const store = await FileStore.open(file, { readOnly: true });
        const added = store.doc.instances.some((i) => i.name === `Run ${n}`);
        const pollKept = store.doc.instances.find((i) => i.id === oktaEu.id)?.lastPoll?.outcome === 'ok';
        store.close();
        if (connected.code === 0 && polled.code === 0) tally.bothAcknowledged++;
        else if (connected.code === 0) tally.connectWon++;
        else if (polled.code === 0) tally.pollWon++;
        if ((connected.code === 0 && !added) || (polled.code === 0 && !pollKept)) tally.lost++;
        // The winner released its lock and left nothing behind.
        expect(existsSync(`${file}.lock`)).toBe(false);
        expect(readdirSync(dirname(file)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      }
      console.info(`${kind}: ${JSON.stringify(tally)}`);
      expect(tally.lost).toBe(0);
      // The programs did contend: in some runs one was refused while the other wrote.
      expect(tally.connectWon + tally.pollWon).toBeGreaterThan(0);
    },
    120_000,
  );
});
