import { spawn } from 'node:child_process';
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
import { instance as fixtureInstance } from '../helpers/fixtures.js';
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
