import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { openContext } from '../../source/commands/context.js';
import { type PollLoop, poll } from '../../source/commands/poll.js';
import { DEMO_TENANTS } from '../../source/simulator/vendors.js';
import { BIN } from '../helpers/pty.js';
import {
  BACKENDS,
  cleanEnv,
  instance,
  runIn,
  seed,
  Sink,
  snapshot,
  stored,
  storeWith,
  workspace,
} from './helpers.js';

const broken = instance('broken', {
  name: 'Okta Broken',
  credential: { kind: 'env', variable: 'POSTURE_TEST_UNSET_TOKEN' },
  baseUrl: 'https://127.0.0.1:9',
});

describe.each(BACKENDS)('posture poll --once on $name', ({ backend }) => {
  it('polls every instance, prints one line each and a summary, and exits 0', async () => {
    const t = await workspace(backend);
    const r = await runIn(['poll', '--once', '--demo', '--store', t.store], t);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const n = DEMO_TENANTS.length;
    expect(lines).toHaveLength(n + 1);
    for (const l of lines.slice(0, n)) expect(l).toMatch(/^ok {5}.+ \(\d+ requests, \d+\.\d s\)$/);
    expect(lines[n]).toBe(`polled ${n}: ${n} ok, 0 failed`);
    expect((await stored(t.store)).instances.every((i) => i.lastPoll?.outcome === 'ok')).toBe(true);
  });

  it('exits 1 when a poll fails, naming the instance and the error', async () => {
    const t = await workspace(backend);
    await seed(t.store, storeWith([broken]));
    const r = await runIn(['poll', '--once', '--demo', '--store', t.store], t);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'error  Okta Broken: environment variable POSTURE_TEST_UNSET_TOKEN is not set',
    );
    expect(r.stdout).toContain(`polled ${DEMO_TENANTS.length + 1}: ${DEMO_TENANTS.length} ok, 1 failed`);
    const saved = (await stored(t.store)).instances.find((i) => i.id === 'broken');
    expect(saved?.lastPoll).toMatchObject({ outcome: 'error' });
  });

  it('polls one instance with --instance, and prints JSON with --json', async () => {
    const t = await workspace(backend);
    const r = await runIn(
      ['poll', '--once', '--json', '--instance', 'okta contoso us', '--demo', '--store', t.store],
      t,
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toEqual([
      expect.objectContaining({ instanceId: 'okta-contoso-us', name: 'Okta Contoso US', outcome: 'ok' }),
    ]);
  });

  it('refuses a read-only store and an empty one', async () => {
    const t = await workspace(backend);
    await seed(t.store, storeWith([instance('a')]));
    const before = await snapshot(t.store);
    const ro = await runIn(['poll', '--once', '--read-only', '--store', t.store], t);
    expect(ro.code).toBe(2);
    expect(ro.stderr).toMatch(/poll needs to write the store/);
    expect(await snapshot(t.store)).toBe(before);
    const empty = await workspace(backend);
    const none = await runIn(['poll', '--once', '--store', empty.store], empty);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no instances to poll: add one with `posture connect`/);
  });
});

describe.each(BACKENDS)('posture poll (continuous) on $name', ({ backend }) => {
  it('polls each instance again when its interval has passed, one line per poll, until stopped', async () => {
    const t = await workspace(backend);
    const io = { stdout: new Sink(), stderr: new Sink(), env: cleanEnv(t.dir) as NodeJS.ProcessEnv };
    const ctx = await openContext({ store: t.store, demo: true, readOnly: false, color: false }, io);
    let now = Date.now();
    const stop = new AbortController();
    let sleeps = 0;
    const loop: PollLoop = {
      signal: stop.signal,
      now: () => now,
      sleep: async () => {
        now += 25 * 60_000; // the demo instances poll hourly: due again on the third wait
        if (++sleeps === 4) stop.abort();
      },
    };
    try {
      const code = await poll(
        ctx,
        { once: false, json: true, instance: 'Okta Contoso US', concurrency: 2 },
        loop,
      );
      expect(code).toBe(0);
    } finally {
      await ctx.close();
    }
    const lines = io.stdout.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatchObject({ instanceId: 'okta-contoso-us', outcome: 'ok' });
    expect(Date.parse(lines[1].at) - Date.parse(lines[0].at)).toBe(75 * 60_000);
    expect(io.stderr.text).toMatch(/polling 1 instance, each on its interval/);
  });

  it('the built program logs a line per poll and stops cleanly on SIGINT', async () => {
    const t = await workspace(backend);
    const child = spawn(process.execPath, [BIN, 'poll', '--demo', '--store', t.store], {
      env: cleanEnv(t.dir),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no polls in time: ${stdout} ${stderr}`)), 15_000);
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (stdout.split('\n').filter(Boolean).length >= DEMO_TENANTS.length) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGINT');
    expect(await exit).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(DEMO_TENANTS.length);
    for (const l of lines) expect(l).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z ok {5}.+ \(\d+ requests/);
    expect(stderr).toContain('stopping after the polls in progress');
    expect((await stored(t.store)).instances.filter((i) => i.lastPoll)).toHaveLength(DEMO_TENANTS.length);
    const { existsSync } = await import('node:fs');
    if (backend === 'file') expect(existsSync(`${t.store}.lock`)).toBe(false); // a database has no lock file
  });
});
