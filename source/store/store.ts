import { closeSync, fsyncSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { produce, setAutoFreeze } from 'immer';
import { type Adapter, Low } from 'lowdb';
import { emptyStore, STORE_VERSION, type StoreDoc, StoreDocSchema } from '../domain/schemas.js';
import { acquireLock, type Lock } from './lock.js';
import { migrate } from './migrations.js';

/** A store file we must not touch: it does not parse, does not validate, or is from a newer posture. */
// The document is ours to keep mutable outside `update` (lowdb reads it as plain data).
setAutoFreeze(false);

export class StoreError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`store ${file}: ${reason}; it was left untouched`);
    this.name = 'StoreError';
  }
}

/**
 * lowdb adapter for one JSON file: validated with zod on read; written atomically (temporary file,
 * fsync, rename) with mode 0600; the previous good file is kept beside it as `.bak`.
 */
export class JsonFileAdapter implements Adapter<StoreDoc> {
  constructor(readonly file: string) {}

  async read(): Promise<StoreDoc | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new StoreError(this.file, `cannot be read (${(error as Error).message})`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new StoreError(this.file, `is not valid JSON (${(error as Error).message})`);
    }
    const version = (raw as { version?: unknown } | null)?.version;
    if (typeof version !== 'number') throw new StoreError(this.file, 'has no schema version');
    if (version > STORE_VERSION)
      throw new StoreError(
        this.file,
        `has schema version ${version}, newer than this posture (${STORE_VERSION})`,
      );
    const parsed = StoreDocSchema.safeParse(migrate(raw as { version: number }));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new StoreError(
        this.file,
        `does not match the schema at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
      );
    }
    return parsed.data;
  }

  async write(doc: StoreDoc): Promise<void> {
    writeAtomic(this.file, JSON.stringify(doc));
  }
}

let tmpCounter = 0;
/** Write a whole file or nothing: a reader (or a crash) sees the old file or the new one, never half. */
export function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${tmpCounter++}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    // Keep the last good file beside the new one, by hard link: no copy, no window without a file.
    const bak = `${file}.bak`;
    try {
      unlinkSync(`${bak}.tmp`);
    } catch {}
    linkSync(file, `${bak}.tmp`);
    renameSync(`${bak}.tmp`, bak);
  } catch {
    // No previous file yet.
  }
  renameSync(tmp, file);
}

export interface OpenOptions {
  readOnly?: boolean;
}

/** The store: a lowdb document plus whether this process may write it. */
export class Store {
  private readonly listeners = new Set<() => void>();

  private constructor(
    readonly file: string,
    private readonly db: Low<StoreDoc>,
    readonly readOnly: boolean,
    /** Why we are read-only when the user did not ask for it (another posture holds the lock). */
    readonly notice: string | undefined,
    private readonly lock: Lock | undefined,
  ) {}

  static async open(file: string, options: OpenOptions = {}): Promise<Store> {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const db = new Low<StoreDoc>(new JsonFileAdapter(file), emptyStore());
    await db.read(); // throws StoreError on a bad file: nothing is written
    let lock: Lock | undefined;
    let notice: string | undefined;
    if (!options.readOnly) {
      const got = acquireLock(file);
      if (got.ok) lock = got.lock;
      else notice = `read-only: ${got.holder}`;
    }
    return new Store(file, db, options.readOnly === true || lock === undefined, notice, lock);
  }

  get doc(): StoreDoc {
    return this.db.data;
  }

  /** Apply a change and commit it atomically. Throws in read-only mode; nothing half-done is kept. */
  async update(change: (doc: StoreDoc) => void): Promise<void> {
    if (this.readOnly) throw new Error('the store is open read-only');
    // Copy-on-write: only what the change touches is copied, and a change that throws leaves
    // nothing behind. A fleet-size document is never cloned whole.
    this.db.data = produce(this.db.data, change);
    await this.db.write();
    for (const l of this.listeners) l();
  }

  /** Change the document in memory only (read-only sessions, e.g. the demo's simulator address). */
  patchInMemory(change: (doc: StoreDoc) => void): void {
    this.db.data = produce(this.db.data, change);
    for (const l of this.listeners) l();
  }

  /** Be told after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.lock?.release();
  }
}
