import { type ChildProcess, spawn as spawnChild } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type pty from '@lydell/node-pty';
import chalk from 'chalk';
import { render } from 'ink';
import pg from 'pg';
import type { Catalog } from '../source/catalog/index.js';
import { APPS } from '../source/domain/schemas.js';
import { buildActions } from '../source/domain/scoring.js';
import { demoInstance } from '../source/simulator/demo.js';
import type { DemoTenant } from '../source/simulator/types.js';
import { PgStore } from '../source/store/postgres/store.js';
import { App } from '../source/ui/app.js';
import { DEFAULT_KEYMAP } from '../source/ui/keys.js';
import { NO_COLOR_THEME } from '../source/ui/theme.js';
import { type Fleet, FLEET, type FleetOptions, generateFleet, writeFleet } from './fleet.js';
import { FakeStdin, FakeTty, type Measure, median, percentile } from './harness.js';
import { type PostgresServer as Server, startPostgres } from '../scripts/postgres-server.mjs';

/** What the suite lends this group: its launcher in a pseudo-terminal and its settings. */
export interface TeamBench {
  catalog: Catalog;
  work: string;
  smoke: boolean;
  bin: string;
  hello: string;
  /** The suite's bundle (`--serve-sim N LATENCY` serves a simulated fleet). */
  suite: string;
  launches: number;
  runs: number;
  env: (dir: string) => Record<string, string>;
  timeToFrame: (
    argv: string[],
    marker: string,
    after?: (p: pty.IPty) => Promise<number>,
  ) => Promise<{ ms: number; extra: number }>;
  fleetTenants: (n: number) => DemoTenant[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Issue 17's fleet and its "75,000 actions" (15 controls per app, as apps had then). */
const TEAM = 5000;
const ISSUE_CONTROLS = 15;
const LATENCY_MS = 20;
const WORKERS = 4;
/** `posture worker`'s default concurrency (spec.ts): 4 workers run 32 polls at once. */
const WORKER_CONCURRENCY = 8;

async function sql<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function newDatabase(server: Server, name: string): Promise<string> {
  await sql(server.url, `CREATE DATABASE ${name}`);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Write a fleet into a PostgreSQL store as `posture store copy` does: one commit. */
async function writePgFleet(url: string, fleet: Fleet, catalog: Catalog): Promise<number> {
  const store = await PgStore.open(url, { operator: 'bench', catalog: catalog.byId });
  const t0 = performance.now();
  await store.update((d, history) => {
    d.instances = fleet.doc.instances;
    d.results = fleet.doc.results;
    d.statuses = fleet.doc.statuses;
    d.daily = fleet.doc.daily;
    for (const poll of fleet.polls) history.push(poll);
  });
  const ms = performance.now() - t0;
  await store.close();
  return ms;
}

const actionCount = (f: Fleet) => Object.values(f.doc.results).reduce((n, r) => n + r.results.length, 0);

/** Key to the first byte of its frame, in process at 120x40, on Recommended actions (as the keys group). */
async function keyLatencies(store: PgStore, catalog: Catalog, smoke: boolean): Promise<number[]> {
  const stdout = new FakeTty(120, 40);
  chalk.level = 1;
  const stdin = new FakeStdin();
  const app = render(
    <App store={store} catalog={catalog} keymap={DEFAULT_KEYMAP} theme={NO_COLOR_THEME} user="bench" />,
    {
      stdout: stdout as unknown as NodeJS.WriteStream, // a fake terminal, as ink-testing-library uses
      stdin: stdin as unknown as NodeJS.ReadStream,
      exitOnCtrlC: false,
      patchConsole: false,
      incrementalRendering: true,
      maxFps: 30,
    },
  );
  await stdout.quiet(200);
  const press = async (key: string) => {
    const t0 = performance.now();
    const before = stdout.writes.length;
    stdin.send(key);
    for (let waited = 0; stdout.writes.length === before && waited < 20_000; waited += 2) await sleep(2);
    await stdout.quiet(50);
    const first = stdout.writes[before];
    return first ? first.at - t0 : Number.NaN;
  };
  await press('3');
  if (!stdout.tail.includes('Recommended actions'))
    throw new Error(`the console did not open Recommended actions:\n${stdout.tail.slice(-1500)}`);
  const latency: number[] = [];
  for (let i = 0; i < (smoke ? 5 : 40); i++) latency.push(await press(i % 4 === 3 ? '\u001b[6~' : 'j'));
  await press('/');
  for (const ch of 'password') latency.push(await press(ch));
  await press('\r');
  await press('\u001b');
  if (process.env.BENCH_DEBUG) console.log('latencies', latency.map((x) => x.toFixed(1)).join(' '));
  app.unmount();
  return latency;
}

/**
 * One operator's change on another's screen: console B (the built program in a pseudo-terminal,
 * on Recommended actions) and operator A (a PgStore in this process) renaming the instance of the
 * top action; from A's update until B's terminal shows the new name. The names start with `!`,
 * which sorts before every letter, so the instance stays first among its ties and on screen.
 */
async function liveChanges(b: TeamBench, url: string, changes: number): Promise<number[]> {
  const a = await PgStore.open(url, { operator: 'a', catalog: b.catalog.byId });
  const top = buildActions(a.doc, b.catalog.byId, new Date())[0]!;
  const id = top.instance.id;
  const seen: number[] = [];
  // BENCH_PROFILE=DIR: a CPU profile of the console that sees the changes, as of the workers.
  const profile = process.env.BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
    : [];
  await b.timeToFrame([...profile, b.bin, '--store', url], 'Enter open', async (p) => {
    let out = '';
    p.onData((d) => (out += d));
    p.write('3');
    for (let waited = 0; !out.includes('Recommended actions') && waited < 60_000; waited += 20)
      await sleep(20);
    await sleep(1000);
    for (let k = 0; k < changes; k++) {
      const name = `!Live ${String(k).padStart(3, '0')}`;
      out = '';
      const t0 = performance.now();
      void a.update((d) => {
        d.instances.find((i) => i.id === id)!.name = name;
      });
      for (let waited = 0; !out.includes(name) && waited < 20_000; waited += 2) await sleep(2);
      seen.push(out.includes(name) ? performance.now() - t0 : Number.NaN);
      await sleep(200);
    }
    return 0;
  });
  await a.close();
  return seen;
}

/** One poll of the whole fleet by WORKERS `posture worker` processes; wall time and requests. */
async function pollWithWorkers(
  b: TeamBench,
  server: Server,
  run: number,
  n: number,
  sim: { bases: Record<string, string>; count: () => Promise<number> },
): Promise<{ wall: number; requests: number; firstPollAt: number; polled: number }> {
  const url = await newDatabase(server, `poll_${run}`);
  if (process.env.BENCH_PG_STATEMENTS) await sql(url, 'CREATE EXTENSION pg_stat_statements');
  const tenants = b.fleetTenants(n);
  const store = await PgStore.open(url, { operator: 'bench' });
  await store.update((d) => {
    for (const t of tenants)
      d.instances.push({
        ...demoInstance(t, sim.bases[t.id]!, new Date().toISOString()),
        recommendations: true,
      });
  });
  await store.close();
  const env = b.env(b.work);
  for (const t of tenants) env[t.variable] = t.token;
  // BENCH_PROFILE=DIR: a CPU profile of each worker, written when it stops.
  const profile = process.env.BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
    : [];
  const requests0 = await sim.count();
  const t0 = performance.now();
  const workers: ChildProcess[] = [];
  for (let w = 0; w < WORKERS; w++)
    workers.push(
      spawnChild(
        process.execPath,
        [...profile, b.bin, 'worker', '--store', url, '--concurrency', String(WORKER_CONCURRENCY)],
        { env, stdio: ['ignore', 'ignore', process.env.BENCH_DEBUG ? 'inherit' : 'ignore'] },
      ),
    );
  let firstPollAt = Number.NaN;
  let done = 0;
  // One connection for the progress count: a new one every 100 ms (a server process started and
  // ended each time) was about 3,000 connections a run, counted in the database's CPU a poll.
  const progress = new pg.Client({ connectionString: url });
  progress.on('error', () => undefined);
  await progress.connect();
  try {
    for (;;) {
      await sleep(100);
      const rows = await progress
        .query<{ n: string }>('SELECT count(*)::text AS n FROM posture_jobs.polled')
        .then((r) => r.rows)
        .catch(() => [{ n: '0' }]);
      done = Number(rows[0]!.n);
      if (done > 0 && Number.isNaN(firstPollAt)) firstPollAt = performance.now() - t0;
      if (done >= n) break;
      if (workers.every((w) => w.exitCode !== null))
        throw new Error('every worker exited (BENCH_DEBUG=1 shows why)');
      // A run that has not finished in 5 minutes (BENCH_POLL_CUT_MS) is cut short: its wall time is extrapolated.
      if (performance.now() - t0 > Number(process.env.BENCH_POLL_CUT_MS ?? 300_000)) break;
    }
  } finally {
    await progress.end().catch(() => undefined);
    for (const w of workers) w.kill('SIGINT');
    await Promise.all(
      workers.map((w) => new Promise((r) => (w.exitCode === null ? w.once('exit', r) : r(0)))),
    );
  }
  const took = performance.now() - t0;
  const requests = (await sim.count()) - requests0;
  // BENCH_PG_STATEMENTS=FILE: the server's time by statement (pg_stat_statements), the costliest first.
  if (process.env.BENCH_PG_STATEMENTS) {
    const rows = await sql<Record<string, unknown>>(
      url,
      `SELECT calls, round(total_exec_time::numeric, 1) AS exec_ms, round(total_plan_time::numeric, 1) AS plan_ms,
              rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 200) AS query
         FROM pg_stat_statements ORDER BY total_exec_time + total_plan_time DESC LIMIT 40`,
    );
    writeFileSync(
      process.env.BENCH_PG_STATEMENTS,
      `polled ${done}\ncalls | exec ms | plan ms | rows | statement\n` +
        rows.map((r) => Object.values(r).join(' | ')).join('\n') +
        '\n',
    );
  }
  // Cut short: the wall time and requests of the whole fleet at the rate reached.
  const scale = done >= n ? 1 : n / Math.max(1, done);
  return { wall: took * scale, requests: requests * scale, firstPollAt, polled: done };
}

/** A simulated fleet in a process of its own, with LATENCY_MS on every request; counts what it served. */
async function serveSim(b: TeamBench, n: number) {
  // BENCH_PROFILE=DIR: a CPU profile of the simulator too, written when it stops.
  const profile = process.env.BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`, '--cpu-prof-name=simulator.cpuprofile']
    : [];
  const child = spawnChild(
    process.execPath,
    [...profile, b.suite, '--serve-sim', String(n), String(LATENCY_MS)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const next = () => new Promise<string>((resolve) => lines.once('line', resolve));
  const { bases } = JSON.parse(await next()) as { bases: Record<string, string> };
  return {
    bases,
    count: async () => {
      const line = next();
      child.stdin!.write('count\n');
      return Number(JSON.parse(await line).requests);
    },
    stop: () => child.stdin!.end(),
  };
}

/**
 * `--only team`: issue 17's budgets on a real PostgreSQL (scripts/postgres-server.mjs) holding a
 * 5,000-instance fleet, beside the file back end's start-up at 500 and 5,000 instances.
 */
export async function teamGroup(b: TeamBench): Promise<Measure[]> {
  const results: Measure[] = [];
  // Each measure is printed as it is made: a run cut short keeps what it measured.
  const push = results.push.bind(results);
  results.push = (...ms: Measure[]) => {
    for (const m of ms) console.log(`measured: ${m.name}: ${m.value.toFixed(2)} ${m.unit} (${m.note ?? ''})`);
    return push(...ms);
  };
  const n = b.smoke ? 40 : TEAM;
  const fleetOpts: FleetOptions = { ...FLEET, instances: n, ...(b.smoke ? { days: 3 } : {}) };
  // BENCH_TEAM_PARTS=frame,keys,live,poll: some of the measures (all by default).
  const parts = (process.env.BENCH_TEAM_PARTS ?? 'frame,keys,live,poll').split(',');
  const server = await startPostgres();
  if (process.env.BENCH_PG_STATEMENTS) {
    await sql(server.url, "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
    await sql(server.url, 'ALTER SYSTEM SET pg_stat_statements.track_planning = on');
    await server.restart();
  }
  try {
    if (parts.includes('poll') && parts.length === 1) return await pollGroup(b, server, n, results);
    const full = generateFleet(b.catalog, fleetOpts);
    const issue = generateFleet(b.catalog, { ...fleetOpts, controlsPerApp: ISSUE_CONTROLS });
    const fullUrl = await newDatabase(server, 'fleet_full');
    const issueUrl = await newDatabase(server, 'fleet_issue');
    const perApp = APPS.map((app) => `${app} ${b.catalog.forApp(app).length}`).join(', ');
    const fullActions = actionCount(full);
    const issueActions = actionCount(issue);
    const wroteFull = await writePgFleet(fullUrl, full, b.catalog);
    const wroteIssue = await writePgFleet(issueUrl, issue, b.catalog);
    console.log(
      `team fleet: ${n} instances; catalog ${perApp}: ${fullActions} actions (written in ${(wroteFull / 1000).toFixed(1)} s); ` +
        `${ISSUE_CONTROLS} controls per app: ${issueActions} actions (${(wroteIssue / 1000).toFixed(1)} s)`,
    );
    const small = b.smoke ? 20 : 500;
    const fileSmall = join(b.work, `team-file-${small}.json`);
    const fileBig = join(b.work, `team-file-${n}.json`);
    writeFleet(fileSmall, generateFleet(b.catalog, { ...fleetOpts, instances: small }));
    writeFleet(fileBig, full);

    // ---- first frame: PostgreSQL and the file at two sizes, interleaved with the hello-world ----
    const programs = {
      hello: [b.hello],
      [`file ${small}`]: [b.bin, '--store', fileSmall],
      [`file ${n}`]: [b.bin, '--store', fileBig],
      [`postgres ${n}`]: [b.bin, '--store', fullUrl],
      [`postgres ${n}, ${ISSUE_CONTROLS}/app`]: [b.bin, '--store', issueUrl],
    };
    const took = new Map<string, number[]>(Object.keys(programs).map((k) => [k, []]));
    await b.timeToFrame([b.bin, '--store', fileSmall], 'Enter open', () => sleep(1500).then(() => 0));
    for (let i = 0; i < b.launches; i++)
      for (const [name, argv] of Object.entries(programs))
        took
          .get(name)!
          .push((await b.timeToFrame(argv, name === 'hello' ? 'hello, world' : 'Enter open')).ms);
    const hello = median(took.get('hello')!);
    for (const [name, ms] of took) {
      if (name === 'hello') continue;
      results.push({
        name: `team: first frame, ${name} / hello`,
        value: median(ms) / hello,
        unit: 'x',
        ...(name.startsWith('postgres') ? { budget: 1.5 } : {}),
        runs: b.launches,
        note: `${median(ms).toFixed(0)} ms vs ${hello.toFixed(0)} ms`,
      });
    }

    // ---- key to frame on the PostgreSQL store, in process ----
    for (const [label, url, actions] of [
      [`${ISSUE_CONTROLS}/app`, issueUrl, issueActions],
      ['full catalog', fullUrl, fullActions],
    ] as const) {
      const store = await PgStore.open(url, { operator: 'bench', readOnly: true });
      const latency = await keyLatencies(store, b.catalog, b.smoke);
      await store.close();
      results.push({
        name: `team: key to frame p95, postgres ${n} (${label})`,
        value: percentile(latency.filter(Number.isFinite), 95),
        unit: 'ms',
        budget: 16,
        runs: latency.length,
        note: `${actions} actions; median ${median(latency).toFixed(1)} ms`,
      });
    }

    // ---- one operator's change on another's screen ----
    for (const [label, url] of [
      [`${ISSUE_CONTROLS}/app`, issueUrl],
      ['full catalog', fullUrl],
    ] as const) {
      const seen = await liveChanges(b, url, b.smoke ? 3 : 20);
      results.push({
        name: `team: change on another console p95 (${label})`,
        value: percentile(seen.filter(Number.isFinite), 95),
        unit: 'ms',
        budget: 1000,
        runs: seen.length,
        note: `median ${median(seen).toFixed(0)} ms, ${seen.filter((x) => !Number.isFinite(x)).length} not seen`,
      });
    }

    if (parts.includes('poll')) await pollGroup(b, server, n, results);
  } finally {
    await server.stop();
  }
  return results;
}

/** Polling: 4 workers, simulated tenants at 20 ms a request. */
async function pollGroup(b: TeamBench, server: Server, n: number, results: Measure[]): Promise<Measure[]> {
  {
    const sim = await serveSim(b, n);
    const runs = [];
    try {
      for (let i = 0; i < (b.smoke ? 1 : Number(process.env.BENCH_POLL_RUNS ?? 3)); i++)
        runs.push(await pollWithWorkers(b, server, i, n, sim));
    } finally {
      sim.stop();
    }
    if (runs.length === 0) return results; // BENCH_POLL_RUNS=0: the other measures only
    const slots = WORKERS * WORKER_CONCURRENCY;
    const ratios = runs.map((r) => r.wall / ((r.requests * LATENCY_MS) / slots));
    results.push({
      name: `team: poll wall / ideal, ${WORKERS} workers`,
      value: median(ratios),
      unit: 'x',
      budget: 1.25,
      runs: runs.length,
      note:
        `${n} instances, ${Math.round(runs[0]!.requests)} requests, ${(median(runs.map((r) => r.wall)) / 1000).toFixed(1)} s ` +
        `${runs.some((r) => r.polled < n) ? `(cut at 5 min, polled ${runs.map((r) => r.polled).join('/')}, extrapolated) ` : ''}` +
        `(ideal: requests x ${LATENCY_MS} ms / ${slots} slots; first poll done at ` +
        `${(median(runs.map((r) => r.firstPollAt)) / 1000).toFixed(1)} s; ratios ${ratios.map((x) => x.toFixed(2)).join(' ')})`,
    });
  }
  return results;
}
