import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../source/catalog/index.js';
import { openContext } from '../../source/commands/context.js';
import { type PollLoop, poll } from '../../source/commands/poll.js';
import type { AlertMessage } from '../../source/domain/alerts.js';
import { SEVERITIES, type Severity } from '../../source/domain/schemas.js';
import { demoInstance } from '../../source/simulator/demo.js';
import { DEMO_TENANTS } from '../../source/simulator/vendors.js';
import { CANARY, receiver } from '../helpers/receiver.js';
import {
  BACKENDS,
  type BackendName,
  cleanEnv,
  keptText,
  read,
  runIn,
  seed,
  Sink,
  stored,
  storeWith,
  workspace,
} from './helpers.js';

const HOOK = 'POSTURE_TEST_ALERT_HOOK';
const catalog = loadCatalog();

const tenant = DEMO_TENANTS.find((t) => t.id === 'okta-contoso-us')!;

/**
 * A workspace whose Okta Contoso US passed every control at its last poll: the demo tenant's
 * failures are then regressions on the next poll.
 */
async function passing(backend: BackendName) {
  const t = await workspace(backend);
  const i = demoInstance(tenant, 'http://127.0.0.1:9', new Date().toISOString());
  const passing = catalog.forApp('okta').map(() => ({ outcome: 'pass' as const, evidence: [] }));
  const doc = storeWith([i], { [i.id]: passing });
  for (const r of doc.results[i.id]!.results) {
    delete r.count;
    delete r.total;
  }
  await seed(t.store, doc);
  return t;
}

const pollOnce = (t: { dir: string; store: string }, env: Record<string, string> = {}) =>
  runIn(['poll', '--once', '--demo', '--instance', 'Okta Contoso US', '--store', t.store], { ...t, env });

const severityOf = (controlId: string) => catalog.byId.get(controlId)!.severity;

describe.each(BACKENDS)('alerts of `posture poll` on $name', ({ backend }) => {
  it('sends the regressions at or above the minimum severity, not below, and nothing when nothing changed', async () => {
    const t = await passing(backend);
    const hook = await receiver();
    const env = { [HOOK]: hook.url };
    const set = await runIn(['alerts', '--webhook-env', HOOK, '--min-severity', 'high', '--store', t.store], {
      ...t,
      env,
    });
    expect(set.code).toBe(0);
    expect(set.stdout).toContain(`the URL in $${HOOK}`);

    const first = await pollOnce(t, env);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    const changes = (await read(t.store)).polls.flatMap((p) => p.changes);
    const above = (s: Severity) => SEVERITIES.indexOf(s) <= SEVERITIES.indexOf('high');
    const expected = changes.filter((c) => c.kind !== 'fixed' && above(severityOf(c.controlId)));
    // The demo tenant fails controls on both sides of the line, or this test proves nothing.
    expect(expected.length).toBeGreaterThan(0);
    expect(changes.some((c) => !above(severityOf(c.controlId)))).toBe(true);

    expect(hook.bodies).toHaveLength(1);
    const message = hook.bodies[0]!;
    expect(message.schema).toBe('posture.alert/1');
    expect(message.changes.map((c) => c.control).sort()).toEqual(expected.map((c) => c.controlId).sort());
    for (const c of message.changes) {
      expect(c).toMatchObject({ instance: 'Okta Contoso US', app: 'Okta', kind: 'regressed' });
      expect(c.severity).toBe(severityOf(c.control));
      expect(c.title).toBe(catalog.byId.get(c.control)!.title);
    }
    expect(message.text).toMatch(/^posture: \d+ regressed controls?\. \[(critical|high)\] regressed: /);
    expect((await stored(t.store)).alertQueue.pending).toEqual([]);

    // The same results again: no change, no message.
    const second = await pollOnce(t, env);
    expect(second.code).toBe(0);
    expect(hook.requests()).toBe(1);
  });

  it('retries a receiver that fails, and sends what it refused with the next poll', async () => {
    const t = await passing(backend);
    const hook = await receiver([500, 200]);
    const env = { [HOOK]: hook.url };
    await runIn(['alerts', '--webhook-env', HOOK, '--store', t.store], { ...t, env });
    // One 500, then a 200: the retry within the same poll gets it through.
    expect((await pollOnce(t, env)).stderr).toBe('');
    expect(hook.requests()).toBe(2);
    expect(hook.bodies).toHaveLength(1);

    // A receiver that keeps answering 500: the poll ends anyway, the change stays queued.
    const u = await passing(backend);
    hook.set([500]);
    await runIn(['alerts', '--webhook-env', HOOK, '--store', u.store], { ...u, env });
    const failing = await pollOnce(u, env);
    expect(failing.code).toBe(0);
    expect(failing.stderr).toMatch(
      /^posture: \d+ alerts? not delivered \(the webhook at 127\.0\.0\.1:\d+ answered HTTP 500\); kept for the next poll\n$/,
    );
    const queued = (await stored(u.store)).alertQueue.pending;
    expect(queued.length).toBe(hook.bodies[0]!.changes.length);

    // The next poll changes nothing, and sends what waited.
    hook.set([200]);
    const next = await pollOnce(u, env);
    expect(next.stderr).toBe('');
    expect(hook.bodies).toHaveLength(2);
    expect(hook.bodies[1]!.changes.map((c) => c.control)).toEqual(queued.map((q) => q.controlId));
    expect((await stored(u.store)).alertQueue.pending).toEqual([]);
  }, 30_000);

  it('a receiver that is down never stops poll --once, nor the continuous loop; the queue stays in the store', async () => {
    const t = await passing(backend);
    const hook = await receiver();
    await hook.close();
    const env = { [HOOK]: hook.url };
    await runIn(['alerts', '--webhook-env', HOOK, '--store', t.store], { ...t, env });
    const started = Date.now();
    const r = await pollOnce(t, env);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/polled 1: 1 ok, 0 failed/);
    expect(r.stderr).toMatch(/alerts? not delivered \(the webhook at 127\.0\.0\.1:\d+: connection refused\)/);
    const queued = (await stored(t.store)).alertQueue.pending.length;
    expect(queued).toBeGreaterThan(0);

    // The loop: two rounds of polls while the receiver is down; the queue is kept.
    const io = { stdout: new Sink(), stderr: new Sink(), env: cleanEnv(t.dir, env) as NodeJS.ProcessEnv };
    const ctx = await openContext({ store: t.store, demo: true, readOnly: false, color: false }, io);
    let now = Date.now() + 2 * 3_600_000;
    const stop = new AbortController();
    let sleeps = 0;
    const loop: PollLoop = {
      signal: stop.signal,
      now: () => now,
      sleep: async () => {
        now += 61 * 60_000;
        if (++sleeps === 2) stop.abort();
      },
    };
    try {
      await poll(ctx, { once: false, json: true, instance: 'Okta Contoso US', concurrency: 1 }, loop);
    } finally {
      await ctx.close();
    }
    expect(io.stdout.text.trimEnd().split('\n')).toHaveLength(2);
    expect((await stored(t.store)).alertQueue.pending.length).toBe(queued);
  }, 30_000);

  it('the command variant gets the same JSON on stdin', async () => {
    const t = await passing(backend);
    const out = join(t.dir, 'alert.json');
    const program = join(t.dir, 'notify.sh');
    writeFileSync(program, `#!/bin/sh\ncat > '${out}'\n`);
    chmodSync(program, 0o755);
    const set = await runIn(['alerts', '--command', program, '--store', t.store], t);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain(`command:      ${program}`);
    const r = await pollOnce(t);
    expect(r.stderr).toBe('');
    expect(existsSync(out)).toBe(true);
    const message = JSON.parse(readFileSync(out, 'utf8')) as AlertMessage;
    expect(message.schema).toBe('posture.alert/1');
    expect(message.changes.length).toBeGreaterThan(0);
    expect(message.changes.every((c) => c.kind === 'regressed')).toBe(true);
  });

  it('never writes the webhook URL to the store, stdout, stderr or an export', async () => {
    const t = await passing(backend);
    const hook = await receiver([500]);
    const env = { [HOOK]: hook.url };
    const outputs: string[] = [];
    const run = async (args: string[]) => {
      const r = await runIn([...args, '--store', t.store], { ...t, env });
      outputs.push(r.stdout, r.stderr);
      return r;
    };
    // The URL typed where the variable's name goes is refused without being quoted back.
    const typo = await run(['alerts', '--webhook-env', hook.url]);
    expect(typo.code).toBe(2);
    await run(['alerts', '--webhook-env', HOOK]);
    await run(['alerts']);
    await run(['alerts', '--json']);
    await run(['poll', '--once', '--demo', '--instance', 'Okta Contoso US']); // fails: 500
    hook.set([200]);
    await run(['poll', '--once', '--demo', '--instance', 'Okta Contoso US']); // sends
    expect(hook.bodies).toHaveLength(1);
    for (const format of ['json', 'csv', 'sarif', 'markdown', 'ocsf'])
      await run(['export', '--format', format]);
    await run(['status', '--json']);
    await run(['instances', '--json']);
    for (const text of outputs) expect(text).not.toContain(CANARY);
    const kept = await keptText(t.store);
    expect(kept).toContain(HOOK); // what is kept is read: the variable's name is there, not its URL
    expect(kept).not.toContain(CANARY);
    expect((await stored(t.store)).settings.alerts).toEqual({ webhookEnv: HOOK, minSeverity: 'high' });
  }, 30_000);

  it('alerts --test sends a message with no change to each target, leaves the queue alone, and fails in one line', async () => {
    const t = await passing(backend);
    const hook = await receiver();
    const env = { [HOOK]: hook.url };
    const off = await runIn(['alerts', '--test', '--store', t.store], { ...t, env });
    expect(off.code).toBe(2);
    expect(off.stderr).toMatch(/alerts are off/);
    await runIn(['alerts', '--webhook-env', HOOK, '--store', t.store], { ...t, env }); // 'not set' would queue
    await pollOnce(t); // no variable here: the alerts wait in the store
    const queued = (await stored(t.store)).alertQueue.pending.length;
    expect(queued).toBeGreaterThan(0);
    const ok = await runIn(['alerts', '--test', '--store', t.store], { ...t, env });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(`webhook (the URL in $${HOOK}): took the test message\n`);
    expect(hook.bodies).toEqual([
      expect.objectContaining({ schema: 'posture.alert/1', test: true, changes: [] }),
    ]);
    expect(hook.bodies[0]!.text).toMatch(/test alert/);
    expect((await stored(t.store)).alertQueue.pending).toHaveLength(queued); // a test sends nothing early
    hook.set([503]);
    const program = join(t.dir, 'no-such-program');
    await runIn(['alerts', '--command', program, '--store', t.store], { ...t, env });
    const failed = await runIn(['alerts', '--test', '--store', t.store], { ...t, env });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe('');
    expect(failed.stderr.trimEnd().split('\n')).toEqual([
      `posture: test alert not taken: the webhook at ${new URL(hook.url).host} answered HTTP 503; the alert command ${program} could not be run (ENOENT)`,
    ]);
    expect(failed.stderr).not.toContain(CANARY);
  });

  it('alerts --off stops them and drops what was queued; bad settings change nothing', async () => {
    const t = await passing(backend);
    const bad = await runIn(['alerts', '--min-severity', 'urgent', '--store', t.store], t);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--min-severity must be one of critical, high, medium, low/);
    await runIn(['alerts', '--webhook-env', HOOK, '--store', t.store], t); // not set: queued
    await pollOnce(t);
    expect((await stored(t.store)).alertQueue.pending.length).toBeGreaterThan(0);
    const off = await runIn(['alerts', '--off', '--store', t.store], t);
    expect(off.stdout).toMatch(/^alerts: off/);
    expect((await stored(t.store)).alertQueue).toEqual({ pending: [], dropped: 0 });
    expect((await stored(t.store)).settings.alerts).toEqual({ minSeverity: 'high' });
  });
});
