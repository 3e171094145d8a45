import { type ChildProcess, spawn as spawnChild } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../source/catalog/index.js';
import { openStore } from '../../source/store/open.js';
import type { Store } from '../../source/store/api.js';
import { disposeWhenDone } from '../helpers/cleanup.js';
import { freshDatabase } from '../helpers/postgres.js';
import { BIN, spawn } from '../helpers/pty.js';
import { receiver } from '../helpers/receiver.js';
import { simulate } from '../helpers/sim.js';
import { docFor, envFor, oktaCopy, sleep, tempDir, writeStore } from '../reliability/helpers.js';

/**
 * A workspace of `n` simulated Okta tenants, every one due, in a fresh PostgreSQL database; with
 * `alertsTo`, each passed every control at its last poll and regressions go to that webhook.
 */
async function team(n: number, alertsTo?: string) {
  const tenants = Array.from({ length: n }, (_, i) => oktaCopy(`team-${i}`));
  const sim = await simulate(tenants);
  const file = join(tempDir(), 'seed.json');
  const doc = docFor(sim, tenants);
  for (const i of doc.instances) delete i.lastPoll; // never polled: due now
  if (alertsTo) {
    doc.settings.alerts = { webhookEnv: HOOK, minSeverity: 'low' };
    const okta = loadCatalog().forApp('okta');
    for (const i of doc.instances)
      doc.results[i.id] = {
        polledAt: '2026-11-01T00:00:00.000Z',
        results: okta.map((c) => ({ controlId: c.id, outcome: 'pass' as const, evidence: [] })),
      };
  }
  writeStore(file, doc);
  const url = await freshDatabase();
  const copy = spawnChild(process.execPath, [BIN, 'store', 'copy', file, url], { env: process.env });
  expect(await new Promise((r) => copy.on('exit', r))).toBe(0);
  const env: Record<string, string> = {
    NO_COLOR: '1',
    ...envFor(tenants),
    ...(alertsTo ? { [HOOK]: alertsTo } : {}),
  };
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && k !== 'POSTURE_STORE') env[k] ??= v;
  return { tenants, sim, url, env };
}

function worker(url: string, env: Record<string, string>): ChildProcess & { out: string[]; err: string[] } {
  const child = spawnChild(process.execPath, [BIN, '--store', url, 'worker', '--concurrency', '2'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (d: string) => out.push(...d.split('\n').filter(Boolean)));
  child.stderr.setEncoding('utf8').on('data', (d: string) => err.push(...d.split('\n').filter(Boolean)));
  disposeWhenDone(() => void child.kill('SIGKILL'));
  return Object.assign(child, { out, err });
}

const HOOK = 'POSTURE_TEST_ALERT_HOOK';

async function until(check: () => boolean, ms = 60_000, said?: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out${said ? `; ${said()}` : ''}`);
    await sleep(100);
  }
}

describe('posture worker, the built program, on a PostgreSQL store', () => {
  it('two workers poll every due instance once between them, each tenant read by one poll at a time', async () => {
    const { tenants, sim, url, env } = await team(8);
    const store: Store = await openStore(url, { readOnly: true, watch: true });
    disposeWhenDone(() => store.close());
    const [a, b] = [worker(url, env), worker(url, env)];
    // Every instance's results arrive in the store (told through the database's notifications).
    await until(
      () => store.doc.instances.every((i) => i.lastPoll?.outcome === 'ok'),
      60_000,
      () => `the workers said: ${[...a.out, ...a.err, ...b.out, ...b.err].join(' | ')}`,
    );
    for (const i of store.doc.instances) expect(store.doc.results[i.id]?.results.length).toBeGreaterThan(0);
    await sleep(1500); // a second round would start now if one were (wrongly) scheduled
    for (const w of [a, b]) w.kill('SIGTERM');
    const codes = await Promise.all([a, b].map((w) => new Promise((r) => w.on('exit', r))));
    expect(codes).toEqual([0, 0]);
    const polls = [...a.out, ...b.out].filter((l) => / ok {5}/.test(l));
    expect(polls).toHaveLength(tenants.length); // once each, between them
    // The tenants are copies of one: polled once each, each was asked the same requests.
    const asked = tenants.map((t) => sim.log.filter((r) => r.tenant === t.id).length);
    expect(asked[0]).toBeGreaterThan(0);
    expect(new Set(asked).size).toBe(1);
  }, 120_000);

  it("send each poll's regressions once, whichever worker polled, one worker sending at a time", async () => {
    const hook = await receiver();
    const { tenants, url, env } = await team(4, hook.url);
    const store: Store = await openStore(url, { readOnly: true, watch: true });
    disposeWhenDone(() => store.close());
    const [a, b] = [worker(url, env), worker(url, env)];
    await until(() => store.doc.instances.every((i) => i.lastPoll?.outcome === 'ok'));
    await until(() => store.doc.alertQueue.pending.length === 0);
    for (const w of [a, b]) w.kill('SIGTERM');
    await Promise.all([a, b].map((w) => new Promise((r) => w.on('exit', r))));
    const sent = hook.bodies.flatMap((m) => m.changes.map((c) => `${c.instance} ${c.control}`));
    // Every tenant regressed on the controls its demo copy fails, each change sent exactly once.
    expect(new Set(sent.map((s) => s.split(' ').slice(0, 2).join(' '))).size).toBe(tenants.length);
    expect(sent.length).toBeGreaterThan(tenants.length);
    expect(new Set(sent).size).toBe(sent.length);
  }, 120_000);

  it('a console on PostgreSQL leaves polling to the workers: it does not poll due instances on its own', async () => {
    const { sim, url, env } = await team(2);
    const p = spawn(['--store', url], { env });
    await p.waitFor('Enter open');
    await sleep(3000); // the file store's console polls due instances at once
    expect(sim.log).toHaveLength(0);
    p.kill();
  }, 60_000);
});
