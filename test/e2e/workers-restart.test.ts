import { spawn as spawnChild } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { startPostgres } from '../../scripts/postgres-server.mjs';
import type { Store } from '../../source/store/api.js';
import { openStore } from '../../source/store/open.js';
import { disposeWhenDone } from '../helpers/cleanup.js';
import { BIN, spawn } from '../helpers/pty.js';
import { instanceFor, simulate } from '../helpers/sim.js';
import { docFor, envFor, oktaCopy, tempDir, writeStore } from '../reliability/helpers.js';

const up = (url: string) =>
  vi.waitFor(
    async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.end();
    },
    { timeout: 20_000, interval: 100 },
  );

describe('the database restarted under a running worker and console', () => {
  it('both reconnect and carry on: an instance added after the restart is polled and shown', async () => {
    const server = await startPostgres();
    disposeWhenDone(() => server.stop());
    const tenants = ['restart-a', 'restart-b'].map((id) => oktaCopy(id));
    const sim = await simulate(tenants);
    const seed = join(tempDir(), 'seed.json');
    const doc = docFor(sim, tenants.slice(0, 1));
    for (const i of doc.instances) delete i.lastPoll;
    writeStore(seed, doc);
    const env: Record<string, string> = { NO_COLOR: '1', ...envFor(tenants) };
    for (const [k, v] of Object.entries(process.env))
      if (v !== undefined && k !== 'POSTURE_STORE') env[k] ??= v;
    const copy = spawnChild(process.execPath, [BIN, 'store', 'copy', seed, server.url], { env });
    expect(await new Promise((r) => copy.on('exit', r))).toBe(0);

    const worker = spawnChild(
      process.execPath,
      [BIN, '--store', server.url, 'worker', '--concurrency', '1'],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    disposeWhenDone(() => void worker.kill('SIGKILL'));
    const out: string[] = [];
    worker.stdout.setEncoding('utf8').on('data', (d: string) => out.push(d));
    worker.stderr.resume();
    const operatorConsole = spawn(['--store', server.url], { env, cols: 120, rows: 30 });
    await operatorConsole.waitFor('Enter open');
    await vi.waitFor(() => expect(out.join('')).toMatch(/ok {5}Okta restart-a/), { timeout: 30_000 });

    await server.restart(); // a fast shutdown: every session is cut off
    await up(server.url);

    // A second operator adds an instance: the worker, told by the database, polls it; the console shows it.
    const store: Store = await openStore(server.url, { operator: 'ops' });
    disposeWhenDone(() => store.close());
    await store.update((d) => {
      d.instances.push({ ...instanceFor(sim, tenants[1]!), lastPoll: undefined });
    });
    await vi.waitFor(() => expect(out.join('')).toMatch(/ok {5}Okta restart-b/), { timeout: 45_000 });
    await operatorConsole.waitFor(/Okta +2 \(2 on\)/, 20_000);
    worker.kill('SIGTERM');
    expect(await new Promise((r) => worker.on('exit', r))).toBe(0);
  }, 120_000);
});
