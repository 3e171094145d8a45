import { spawn } from 'node:child_process';
import pg from 'pg';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadCatalog } from '../../source/catalog/index.js';
import { run } from '../../source/cli.js';
import type { IO } from '../../source/commands/context.js';
import {
  emptyStore,
  type Instance,
  type PollChanges,
  type Result,
  type StoreDoc,
} from '../../source/domain/schemas.js';
import { historyLine, historyPath } from '../../source/store/history.js';
import { isPostgresUrl, openStore } from '../../source/store/open.js';
import { instance as fixtureInstance } from '../helpers/fixtures.js';
import { freshDatabase } from '../helpers/postgres.js';
import { BIN } from '../helpers/pty.js';
import { tempDir } from '../helpers/temp.js';

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** A fresh directory for one test: its store, its XDG data dir and HOME. */
export function tmp(): { dir: string; store: string } {
  const dir = tempDir();
  return { dir, store: join(dir, 'store.json') };
}

/** An environment without CI (Ink renders differently there) and with data dirs inside `dir`. */
export function cleanEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  for (const k of ['CI', 'CONTINUOUS_INTEGRATION', 'NO_COLOR', 'POSTURE_STORE', 'POSTURE_KEYS'])
    delete env[k];
  return { ...env, XDG_DATA_HOME: join(dir, 'data'), HOME: dir, ...extra };
}

/** Run the built program as a child process (stdout is a pipe, not a terminal). */
export function cli(args: string[], o: { dir: string; env?: Record<string, string> }): Promise<Outcome> {
  if (!existsSync(BIN)) throw new Error('build first: node scripts/build.mjs');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: o.dir,
      env: cleanEnv(o.dir, o.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A stream that keeps what is written to it. */
export class Sink extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Run `run(argv, io)` in this process with fake streams. */
export async function runIn(
  args: string[],
  o: { dir: string; env?: Record<string, string> },
): Promise<Outcome & { env: NodeJS.ProcessEnv }> {
  const stdout = new Sink();
  const stderr = new Sink();
  const env: NodeJS.ProcessEnv = cleanEnv(o.dir, o.env);
  const io: IO = { stdout, stderr, env };
  const code = await run(args, io);
  return { code, stdout: stdout.text, stderr: stderr.text, env };
}

/** The store file's bytes, hashed, or 'absent': bad input must leave it exactly as it was. */
export function fingerprint(file: string): string {
  if (!existsSync(file)) return 'absent';
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export function readStore(file: string): StoreDoc {
  return JSON.parse(readFileSync(file, 'utf8')) as StoreDoc;
}

/** The poll history beside a store, as its file holds it (every line, oldest first). */
export function readPolls(file: string): PollChanges[] {
  const path = historyPath(file);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as PollChanges);
}

/** Write a store as posture keeps it; `polls` go to the history file beside it. */
export function writeStore(file: string, doc: StoreDoc, polls: readonly PollChanges[] = []): void {
  writeFileSync(file, JSON.stringify(doc), { mode: 0o600 });
  if (polls.length > 0)
    writeFileSync(historyPath(file), polls.map((p) => historyLine(p, 0)).join(''), { mode: 0o600 });
}

export function instance(id: string, patch: Partial<Instance> = {}): Instance {
  return fixtureInstance(id, { credential: { kind: 'env', variable: 'OKTA_TOKEN' }, ...patch });
}

/**
 * A store whose instances have results for the real catalog's controls of their app: the first
 * control fails, the second is partial, the rest pass (unless `outcomes` says otherwise).
 */
export function storeWith(
  instances: Instance[],
  outcomes: Record<string, Partial<Result>[]> = {},
  polledAt = new Date().toISOString(),
): StoreDoc {
  const catalog = loadCatalog();
  const doc = emptyStore();
  doc.instances = instances.map((i) => ({ ...i, lastPoll: i.lastPoll ?? { at: polledAt, outcome: 'ok' } }));
  for (const i of instances) {
    const given = outcomes[i.id];
    const results: Result[] = catalog.forApp(i.app).map((c, n) => {
      const base: Result =
        n === 0
          ? { controlId: c.id, outcome: 'fail', evidence: [{ item: 'policy', path: '/v', value: 'false' }] }
          : n === 1
            ? { controlId: c.id, outcome: 'partial', count: 1, total: 4, evidence: [] }
            : { controlId: c.id, outcome: 'pass', evidence: [] };
      return { ...base, ...(given?.[n] ?? {}) };
    });
    doc.results[i.id] = { polledAt, results };
  }
  return doc;
}

// ---- One workspace, either back end: the command tests run against both ----

/** The back ends the command tests run against, for describe.each. */
export const BACKENDS = [
  { backend: 'file', name: 'the JSON file' },
  { backend: 'postgres', name: 'PostgreSQL' },
] as const;
export type BackendName = (typeof BACKENDS)[number]['backend'];

/** A test's directory (its XDG data dir and HOME) and its store: a file in it, or a new empty database. */
export interface Workspace {
  dir: string;
  store: string;
  backend: BackendName;
}

export async function workspace(backend: BackendName): Promise<Workspace> {
  const t = tmp();
  return { ...t, backend, store: backend === 'file' ? t.store : await freshDatabase() };
}

/** Make the store hold `doc` (and `polls` in its history), through the Store as posture writes it. */
export async function seed(store: string, doc: StoreDoc, polls: readonly PollChanges[] = []): Promise<void> {
  const s = await openStore(store);
  try {
    await s.update((d, history) => {
      Object.assign(d, structuredClone(doc));
      for (const p of polls) history.push(p);
    });
  } finally {
    await s.close();
  }
}

/** What the store holds now, read as another posture would: the document and its poll history. */
export async function read(store: string): Promise<{ doc: StoreDoc; polls: PollChanges[] }> {
  const s = await openStore(store, { readOnly: true, create: false });
  try {
    return { doc: structuredClone(s.doc), polls: [...s.history()] };
  } finally {
    await s.close();
  }
}

export const stored = async (store: string): Promise<StoreDoc> => (await read(store)).doc;

/** A database's rows, every table (the derived score summaries left out when `withSummaries` is false). */
async function rowsOf(url: string, withSummaries: boolean): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    if (rows.length === 0) return undefined;
    const parts: string[] = [];
    for (const { name } of rows) {
      if (name === 'instance_scores' && !withSummaries) continue;
      const all = await client.query(`SELECT * FROM ${name} ORDER BY 1`);
      parts.push(`${name} ${JSON.stringify(all.rows)}`);
    }
    return parts.join('\n');
  } finally {
    await client.end();
  }
}

/**
 * The store as kept, hashed, or 'absent': bad input must leave it exactly as it was. A file's
 * bytes; a database's rows (not the score summaries: a cache any writer that opens it may refresh).
 */
export async function snapshot(store: string): Promise<string> {
  if (!isPostgresUrl(store)) return fingerprint(store);
  const rows = await rowsOf(store, false);
  return rows === undefined ? 'absent' : createHash('sha256').update(rows).digest('hex');
}

/**
 * Whether the store holds a workspace: the file exists, or the database has a commit. (Opening a
 * database to write makes posture's empty tables in it, as opening a file makes its folder.)
 */
export async function exists(store: string): Promise<boolean> {
  if (!isPostgresUrl(store)) return existsSync(store);
  const client = new pg.Client({ connectionString: store });
  await client.connect();
  try {
    const { rows } = await client.query<{ made: boolean }>(
      "SELECT to_regclass('changes') IS NOT NULL AS made",
    );
    if (!rows[0]?.made) return false;
    return (await client.query('SELECT 1 FROM changes LIMIT 1')).rowCount === 1;
  } finally {
    await client.end();
  }
}

/** Everything the store keeps, as text (a secret must be nowhere in it): the file and its history, or every row. */
export async function keptText(store: string): Promise<string> {
  if (isPostgresUrl(store)) return (await rowsOf(store, true)) ?? '';
  return [store, `${store}.bak`, historyPath(store)]
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
}
