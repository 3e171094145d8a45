import { execFileSync, spawn as spawnChild } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pty from '@lydell/node-pty';
import chalk from 'chalk';
import { render } from 'ink';
import { loadCatalog } from '../source/catalog/index.js';
import { CONNECTORS } from '../source/connectors/registry.js';
import { emptyStore } from '../source/domain/schemas.js';
import { buildActions } from '../source/domain/scoring.js';
import { pollInstances } from '../source/poller/poller.js';
import { demoInstance } from '../source/simulator/demo.js';
import { startSimulator } from '../source/simulator/server.js';
import type { DemoTenant } from '../source/simulator/types.js';
import { DEMO_TENANTS, VENDOR_SIMS } from '../source/simulator/vendors.js';
import { historyPath } from '../source/store/history.js';
import { FileStore, writeAtomic } from '../source/store/store.js';
import { App } from '../source/ui/app.js';
import { DEFAULT_KEYMAP } from '../source/ui/keys.js';
import { NO_COLOR_THEME } from '../source/ui/theme.js';
import { FaultSet } from '../test/helpers/faults.js';
import { FLEET, type FleetOptions, fleetOf, generateFleet, writeFleet } from './fleet.js';
import { FakeStdin, FakeTty, type Measure, median, pass, percentile, table } from './harness.js';
import { teamGroup } from './team.js';

const args = process.argv.slice(2);
const SMOKE = args.includes('--smoke');
// `--only startup|store|keys|poll` runs one group (for profiling).
const ONLY = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const want = (group: string) => !ONLY || ONLY === group;
const DIST = join(import.meta.dirname);
const BIN = join(DIST, 'posture.mjs');
const HELLO = join(DIST, 'hello.mjs');
const RUNS = SMOKE ? 1 : 5;
// Launch times on a shared 2-core machine vary by 20 % and more: more runs for their medians.
const LAUNCHES = SMOKE ? 1 : 11;
/** The large fleet of the start-up and keystroke budgets. */
const BIG = SMOKE ? 48 : 2000;
const FLEET_OPTS: FleetOptions = SMOKE ? { ...FLEET, instances: 24, days: 3 } : FLEET;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Where this run keeps its files: one folder under the system's temporary folder, removed at exit. */
let scratch = tmpdir();

/** Demo tenants cloned into a fleet: `n` tenants, round-robin over the apps. */
function fleetTenants(n: number): DemoTenant[] {
  const byApp = new Map<string, DemoTenant>();
  for (const t of DEMO_TENANTS) if (!byApp.has(t.app)) byApp.set(t.app, t);
  const base = [...byApp.values()];
  return Array.from({ length: n }, (_, i) => {
    const t = base[i % base.length]!;
    return { ...t, id: `${t.id}-${i}`, name: `${t.name} ${i}` };
  });
}

// ---- child modes ----
if (args[0] === '--serve-sim') {
  const n = Number(args[1]);
  const latency = Number(args[2]);
  const sim = await startSimulator({
    tenants: fleetTenants(n),
    vendors: VENDOR_SIMS,
    intercept: latency > 0 ? new FaultSet([{ kind: 'latency', ms: latency }]) : undefined,
    // Each tenant a host of its own, as a vendor's fleet: one budget per tenant, not one for all.
    hostPerTenant: true,
    // Counted, not logged: nothing here reads the log (it was emptied every second).
    logLimit: 0,
  });
  const bases = Object.fromEntries(fleetTenants(n).map((t) => [t.id, sim.baseUrl(t.id)]));
  process.stdout.write(`${JSON.stringify({ origin: sim.origin, bases })}\n`);
  // `count`: the requests served so far (the team group's workers poll from other processes).
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line === 'count') process.stdout.write(`${JSON.stringify({ requests: sim.served })}\n`);
  });
  lines.on('close', () => process.exit(0));
} else if (args[0] === '--commits') {
  // One process: open (load), then commits as the console makes them; its peak RSS.
  const t0 = performance.now();
  // With the catalog, as the program opens it: each commit keeps the instances' score summaries.
  const s = await FileStore.open(args[1]!, { catalog: loadCatalog().byId });
  const load = performance.now() - t0;
  const commits: number[] = [];
  for (let i = 0; i < 7; i++) {
    const c0 = performance.now();
    await s.update((d) => {
      const inst = d.instances[i]!;
      inst.recommendations = !inst.recommendations;
    });
    commits.push(performance.now() - c0);
  }
  await s.close();
  process.stdout.write(`${JSON.stringify({ load, commit: median(commits), rss: peakRss(process.pid) })}\n`);
  process.exit(0);
} else if (args[0] === '--write-fleet') {
  // `--write-fleet <instances> <file>`: a fleet store to profile the program against.
  writeFleet(args[2]!, generateFleet(loadCatalog(), fleetOf(Number(args[1]))));
  process.exit(0);
} else if (args[0] === '--load') {
  const t0 = performance.now();
  const s = await FileStore.open(args[1]!, { readOnly: true });
  process.stdout.write(
    `${JSON.stringify({ ms: performance.now() - t0, instances: s.doc.instances.length })}\n`,
  );
  process.exit(0);
} else if (ONLY === 'team') {
  // Issue 17's group runs on its own: it starts a PostgreSQL server and polls 5,000 instances.
  await teamMain();
} else {
  await main();
}

function env(dir: string): Record<string, string> {
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) e[k] = v;
  delete e.CI;
  delete e.NO_COLOR;
  // One code cache for all launches, as on a jump host: made by the first, taken by the others.
  return {
    ...e,
    TERM: 'xterm-256color',
    XDG_DATA_HOME: dir,
    HOME: dir,
    XDG_CACHE_HOME: join(scratch, 'cache'),
  };
}

/** Spawn in a pseudo-terminal; ms from spawn until `marker` appears in the output. */
async function timeToFrame(argv: string[], marker: string, after?: (p: pty.IPty) => Promise<number>) {
  const dir = mkdtempSync(join(scratch, 'run-'));
  const t0 = performance.now();
  const p = pty.spawn(process.execPath, argv, {
    name: 'xterm-256color',
    cols: 120,
    rows: 40,
    cwd: dir,
    env: env(dir),
  });
  let out = '';
  const ms = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no frame with "${marker}" after 20 s:\n${out.slice(-2000)}`)),
      20_000,
    );
    p.onData((d) => {
      out += d;
      if (out.includes(marker)) {
        clearTimeout(timer);
        resolve(performance.now() - t0);
      }
    });
  });
  const extra = after ? await after(p) : 0;
  p.kill();
  await sleep(50);
  rmSync(dir, { recursive: true, force: true });
  return { ms, extra };
}

/** The actions Recommended actions lists: the results of the instances whose recommendations count. */
function listedActions(doc: FileStore['doc']): number {
  return doc.instances
    .filter((i) => i.recommendations)
    .reduce((n, i) => n + (doc.results[i.id]?.results.length ?? 0), 0);
}

/** Peak resident memory of a process, from /proc (Linux). */
function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function teamMain() {
  const work = mkdtempSync(join(tmpdir(), 'posture-bench-'));
  scratch = work;
  process.on('exit', () => rmSync(work, { recursive: true, force: true }));
  const results = await teamGroup({
    catalog: loadCatalog(),
    work,
    smoke: SMOKE,
    bin: BIN,
    hello: HELLO,
    suite: join(DIST, 'bench.mjs'),
    launches: SMOKE ? 1 : 7,
    runs: RUNS,
    env,
    timeToFrame,
    fleetTenants,
  });
  report(results);
}

async function main() {
  const results: Measure[] = [];
  const catalog = loadCatalog();
  const work = mkdtempSync(join(tmpdir(), 'posture-bench-'));
  scratch = work;
  // Whatever happens, nothing is left behind (a failed run throws out of main).
  process.on('exit', () => rmSync(work, { recursive: true, force: true }));
  const fleetFile = join(work, 'fleet.json');
  const fleet = generateFleet(catalog, FLEET_OPTS);
  writeFleet(fleetFile, fleet);
  const note = `${FLEET_OPTS.instances} instances, ${FLEET_OPTS.days} days`;
  console.log(
    `fleet: ${note}, ${(statSync(fleetFile).size / 1e6).toFixed(1)} MB, ${fleet.polls.length} poll changes`,
  );

  // ---- start-up: first full frame, against an Ink hello-world bundled the same way ----
  const ours: number[] = [];
  const hello: number[] = [];
  const empty: number[] = [];
  const big: number[] = [];
  const firstKey: number[] = [];
  const rss: number[] = [];
  const emptyFile = join(work, 'empty.json');
  writeAtomic(emptyFile, JSON.stringify(emptyStore())); // as posture writes a new store
  const bigFile = join(work, 'fleet-2000.json');
  if (want('startup') || want('keys')) writeFleet(bigFile, generateFleet(catalog, fleetOf(BIG)));
  /** From the first frame to the frame of the first key (Help, `?`): keys wait for nothing. */
  const keyAfterFrame = async (p: pty.IPty) => {
    const t0 = performance.now();
    let seen = '';
    const got = new Promise<number>((resolve) => {
      const sub = p.onData((d) => {
        seen += d;
        if (seen.includes('Keys')) {
          sub.dispose();
          resolve(performance.now() - t0);
        }
      });
    });
    p.write('?');
    return got;
  };
  // The first launch makes the code cache (after its first frame); the measured ones take it.
  if (want('startup'))
    await timeToFrame([BIN, '--store', emptyFile], 'Enter open', () => sleep(1500).then(() => 0));
  for (let i = 0; i < (want('startup') ? LAUNCHES : 0); i++) {
    hello.push((await timeToFrame([HELLO], 'hello, world')).ms);
    empty.push((await timeToFrame([BIN, '--store', emptyFile], 'Enter open')).ms);
    const b = await timeToFrame([BIN, '--store', bigFile], 'Enter open', keyAfterFrame);
    big.push(b.ms);
    firstKey.push(b.extra);
    const r = await timeToFrame([BIN, '--store', fleetFile], 'Enter open', async (p) => {
      for (const k of ['3', 'j', 'j', '\u001b[6~', '\u001b[6~', '/', 'p', 'w', 'd']) {
        p.write(k);
        await sleep(40);
      }
      await sleep(300);
      return peakRss(p.pid);
    });
    ours.push(r.ms);
    rss.push(r.extra);
  }
  if (want('startup'))
    results.push({
      name: 'start-up / Ink hello-world',
      value: median(ours) / median(hello),
      unit: 'x',
      budget: 1.5,
      runs: LAUNCHES,
      note: `${median(ours).toFixed(0)} ms vs ${median(hello).toFixed(0)} ms`,
    });
  if (want('startup'))
    results.push(
      {
        name: 'start-up, empty store / hello-world',
        value: median(empty) / median(hello),
        unit: 'x',
        budget: 1.3,
        runs: LAUNCHES,
        note: `${median(empty).toFixed(0)} ms: what start-up costs before any data`,
      },
      {
        name: `start-up, ${BIG} instances / hello`,
        value: median(big) / median(hello),
        unit: 'x',
        budget: 2,
        runs: LAUNCHES,
        note: `${median(big).toFixed(0)} ms`,
      },
      {
        name: 'first frame to first key answered',
        value: median(firstKey),
        unit: 'ms',
        budget: 100,
        runs: LAUNCHES,
        note: `${BIG} instances: \`?\` pressed at the first frame, while the store is checked`,
      },
    );
  if (want('startup'))
    results.push({
      name: 'console peak RSS',
      value: median(rss),
      unit: 'MB',
      budget: 200,
      runs: LAUNCHES,
      note,
    });

  // ---- store: commit, size, load, at two fleet sizes; status --json and export at the larger ----
  if (want('store'))
    for (const size of SMOKE ? [FLEET_OPTS.instances, 48] : [FLEET.instances, 2000]) {
      const file = join(work, `fleet-${size}.json`);
      const opts = SMOKE ? { ...FLEET_OPTS, instances: size } : fleetOf(size);
      writeFleet(file, generateFleet(catalog, opts));
      const at = `${size} instances, ${opts.days} days`;
      const runs: { load: number; commit: number; rss: number }[] = [];
      for (let i = 0; i < RUNS; i++)
        runs.push(
          JSON.parse(
            execFileSync(process.execPath, [join(DIST, 'bench.mjs'), '--commits', file], {
              encoding: 'utf8',
            }),
          ),
        );
      const big = size > FLEET_OPTS.instances;
      results.push({
        name: `store commit (${size})`,
        value: median(runs.map((r) => r.commit)),
        unit: 'ms',
        budget: 100,
        runs: RUNS * 7,
        note: at,
      });
      results.push({
        name: `store file size (${size})`,
        value: statSync(file).size / 1e6,
        unit: 'MB',
        budget: 50,
        runs: 1,
        note: `history beside it: ${(statSync(historyPath(file)).size / 1e6).toFixed(1)} MB`,
      });
      results.push({
        name: `store load (${size})`,
        value: median(runs.map((r) => r.load)),
        unit: 'ms',
        budget: big ? 1000 : 300,
        runs: RUNS,
        note: at,
      });
      results.push({
        name: `store peak RSS (${size})`,
        value: Math.max(...runs.map((r) => r.rss)),
        unit: 'MB',
        budget: 300,
        runs: RUNS,
        note: 'open and 7 commits',
      });
      if (!big) continue;
      for (const [name, argv] of [
        ['status --json', ['status', '--json']],
        ['export --format json', ['export', '--format', 'json', '--output', join(work, 'export.json')]],
      ] as const) {
        const took: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const t0 = performance.now();
          execFileSync(process.execPath, [BIN, ...argv, '--store', file], {
            stdio: 'ignore',
            env: env(work),
          });
          took.push(performance.now() - t0);
        }
        results.push({
          name: `${name} (${size})`,
          value: median(took),
          unit: 'ms',
          budget: 1000,
          runs: RUNS,
          note: at,
        });
      }
    }

  const store = await FileStore.open(fleetFile);
  // ---- keystrokes and terminal bytes, in process at 120x40 ----
  if (want('keys')) {
    // On the large fleet (2,000 instances, 30,000 actions): the budget's.
    const keyStore = await FileStore.open(bigFile);
    const stdout = new FakeTty(120, 40);
    chalk.level = 1; // as on a terminal: the selection is drawn in inverse video
    const stdin = new FakeStdin();
    const app = render(
      <App store={keyStore} catalog={catalog} keymap={DEFAULT_KEYMAP} theme={NO_COLOR_THEME} user="bench" />,
      {
        stdout: stdout as unknown as NodeJS.WriteStream, // a fake terminal, as ink-testing-library uses
        stdin: stdin as unknown as NodeJS.ReadStream,
        exitOnCtrlC: false,
        patchConsole: false,
        incrementalRendering: true,
        maxFps: Number(process.env.BENCH_MAXFPS ?? 30),
      },
    );
    await stdout.quiet(200);
    const press = async (key: string) => {
      const t0 = performance.now();
      const before = stdout.writes.length;
      const bytes0 = stdout.bytes;
      stdin.send(key);
      // Wait for the frame this key causes (if any), then for the output to settle.
      for (let waited = 0; stdout.writes.length === before && waited < 500; waited += 2) await sleep(2);
      await stdout.quiet(50);
      const first = stdout.writes[before];
      return { ms: first ? first.at - t0 : Number.NaN, bytes: stdout.bytes - bytes0 };
    };
    await press('3');
    if (!stdout.tail.includes('Recommended actions'))
      throw new Error(`the console did not open Recommended actions:\n${stdout.tail.slice(-1500)}`);
    const latency: number[] = [];
    const navBytes: number[] = [];
    const keys = SMOKE ? 5 : 40;
    for (let i = 0; i < keys; i++) {
      const r = await press(i % 4 === 3 ? '\u001b[6~' : 'j');
      latency.push(r.ms);
      navBytes.push(r.bytes);
    }
    await press('/');
    for (const ch of 'password') latency.push((await press(ch)).ms);
    await press('\r');
    await press('\u001b');
    if (process.env.BENCH_DEBUG) console.log('latencies', latency.map((x) => x.toFixed(1)).join(' '));
    await sleep(100);
    results.push({
      name: 'key to frame (move, page, filter) p95',
      value: percentile(latency.filter(Number.isFinite), 95),
      unit: 'ms',
      budget: 16,
      runs: latency.length,
      note: `actions listed: ${listedActions(keyStore.doc)}`,
    });
    results.push({
      name: 'bytes per navigation key (120x40)',
      value: median(navBytes) / 1024,
      unit: 'KB',
      budget: 2,
      runs: navBytes.length,
      note: `max ${(Math.max(...navBytes) / 1024).toFixed(2)} KB`,
    });
    const idleMs = SMOKE ? 1000 : 10_000;
    const idle0 = stdout.bytes;
    await sleep(idleMs);
    results.push({
      name: `bytes while idle ${idleMs / 1000} s`,
      value: stdout.bytes - idle0,
      unit: 'B',
      budget: 0,
      runs: 1,
    });
    // A store update that changes one visible row: the status of the first action on screen.
    await press('g');
    const top = buildActions(keyStore.doc, catalog.byId, new Date())[0]!;
    const update0 = stdout.bytes;
    await keyStore.update((d) => {
      d.statuses.push({
        instanceId: top.instance.id,
        controlId: top.control.id,
        state: 'planned',
        reason: '',
        by: 'bench',
        at: new Date().toISOString(),
      });
    });
    await stdout.quiet(100);
    results.push({
      name: 'bytes for an update changing one row',
      value: (stdout.bytes - update0) / 1024,
      unit: 'KB',
      budget: 1,
      runs: 1,
      note: 'about one 120-column row',
    });
    app.unmount();
    await keyStore.close();
  }
  await store.close();

  // ---- polling: simulated instances, 20 ms per request, concurrency 32 ----
  if (want('poll')) {
    const n = SMOKE ? 16 : FLEET.instances;
    const sim = spawnChild(process.execPath, [join(DIST, 'bench.mjs'), '--serve-sim', String(n), '20'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    // Each tenant on its own host (`--serve-sim`), as the simulator's answers name it (Salesforce's
    // instance_url): an instance configured on a shared host would be refused.
    const { bases } = JSON.parse(
      await new Promise<string>((resolve) => createInterface({ input: sim.stdout! }).once('line', resolve)),
    ) as { bases: Record<string, string> };
    const tenants = fleetTenants(n);
    for (const t of tenants) process.env[t.variable] = t.token;
    // Each run polls a fresh store: the first poll of the whole fleet, nothing known of its tenants.
    const pollRun = async (run: number) => {
      const pollStore = await FileStore.open(join(work, `poll-${run}.json`));
      await pollStore.update((d) => {
        for (const t of tenants)
          d.instances.push({
            ...demoInstance(t, bases[t.id]!, new Date().toISOString()),
            recommendations: true,
          });
      });
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const summaries = await pollInstances(
        tenants.map((t) => t.id),
        { store: pollStore, catalog, connectors: CONNECTORS, concurrency: 32 },
      );
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      pollStore.close();
      const requests = summaries.reduce((a, s) => a + s.requests, 0);
      return {
        wall,
        requests,
        ratio: wall / ((requests * 20) / 32),
        cpuPerInstance: (cpu.user + cpu.system) / 1000 / n,
        failed: summaries.filter((s) => s.outcome === 'error'),
      };
    };
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await pollRun(i));
    sim.stdin!.end();
    const { requests, failed } = runs[0]!;
    const wall = median(runs.map((r) => r.wall));
    results.push({
      name: 'poll wall time / network-bound ideal',
      value: median(runs.map((r) => r.ratio)),
      unit: 'x',
      budget: 1.25,
      runs: RUNS,
      note: `${n} instances, ${requests} requests, ${(wall / 1000).toFixed(1)} s, ${failed.length} failed`,
    });
    results.push({
      name: 'poll CPU time per instance',
      value: median(runs.map((r) => r.cpuPerInstance)),
      unit: 'ms',
      runs: RUNS,
      note: 'poller, connectors, rules and commits',
    });
    if (failed.length > 0)
      console.log(
        `poll errors: ${failed
          .slice(0, 3)
          .map((f) => f.error)
          .join('; ')}`,
      );
  }

  report(results);
}

function report(results: Measure[]) {
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  console.log(`\n${machine}${SMOKE ? ' (smoke run: small fleet, one run each)' : ''}\n`);
  console.log(table(results));
  const outDir = join(process.cwd(), 'benchmarks', 'results');
  mkdirSync(outDir, { recursive: true });
  const json = {
    at: new Date().toISOString(),
    machine,
    smoke: SMOKE,
    results: results.map((m) => ({ ...m, pass: pass(m) })),
  };
  if (!ONLY)
    writeFileSync(join(outDir, SMOKE ? 'smoke.json' : 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  process.exit(results.every(pass) || SMOKE ? 0 : 1);
}
