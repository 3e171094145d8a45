import { existsSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { produce, setAutoFreeze } from 'immer';
import { type Adapter, Low } from 'lowdb';
import { emptyStore, STORE_VERSION, type StoreDoc, StoreDocSchema } from '../domain/schemas.js';
import { jsonSyntaxError } from '../text/json.js';
import { isTemporaryName, writeAtomic } from './atomic.js';
import { checkInSlices } from './check.js';
import { fsReason, isFsError, makeFolders, mustBeRegular, readRegularFile } from '../files.js';
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
    const bak = `${file}.bak`;
    // A store that is not there (a read-only folder, a parent that is a file) has nothing to leave.
    const untouched = existsSync(file)
      ? `; it was left untouched${existsSync(bak) ? ` (the last good copy is ${bak})` : ''}`
      : '';
    super(`store ${file}: ${reason}${untouched}`);
    this.name = 'StoreError';
  }
}

/** No store at the path, and the command reads one: it must not create one (a mistyped --store). */
export class NoStoreError extends StoreError {
  constructor(file: string) {
    super(file, 'does not exist');
    this.message = `no store at ${file}`;
    this.name = 'NoStoreError';
  }
}

/**
 * lowdb adapter for one JSON file: validated with zod on read; written atomically (temporary file,
 * fsync, rename) with mode 0600; the previous good file is kept beside it as `.bak`.
 */
export { writeAtomic };

export class JsonFileAdapter implements Adapter<StoreDoc> {
  constructor(readonly file: string) {}

  async read(): Promise<StoreDoc | null> {
    const raw = await this.readUnchecked();
    return raw === null ? null : this.check(raw);
  }

  /** The document as it is on disk, parsed and migrated but not yet checked against the schema. */
  async readUnchecked(): Promise<{ version: number } | null> {
    let text: string;
    try {
      // A FIFO or a device is refused before it is read: reading one blocks forever, or never ends.
      text = await readRegularFile(this.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new StoreError(this.file, `cannot be read: ${fsReason(error)}`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      // V8's message quotes the text, and a store is no place to quote from: where, and what.
      throw new StoreError(this.file, `is not valid JSON (${jsonSyntaxError(text)})`);
    }
    const version = (raw as { version?: unknown } | null)?.version;
    if (typeof version !== 'number') throw new StoreError(this.file, 'has no schema version');
    if (version > STORE_VERSION)
      throw new StoreError(
        this.file,
        `has schema version ${version}, newer than this posture (${STORE_VERSION})`,
      );
    try {
      return migrate(raw as { version: number });
    } catch (error) {
      throw new StoreError(this.file, (error as Error).message);
    }
  }

  /** The document checked against the schema (defaults filled in), or a StoreError. */
  check(raw: unknown): StoreDoc {
    const parsed = StoreDocSchema.safeParse(raw);
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
    try {
      writeAtomic(this.file, JSON.stringify(doc), { backup: true });
    } catch (error) {
      // A full disk or a folder gone: the file keeps its last commit (the write is atomic).
      throw new StoreError(this.file, `cannot be written: ${fsReason(error)}`);
    }
  }
}

/** Temporary files left by a writer that was killed mid-commit; only the lock holder removes them. */
function removeLeftovers(file: string): void {
  const name = basename(file);
  const dir = dirname(file);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries) {
    if (e === `${name}.bak.tmp` || isTemporaryName(name, e))
      try {
        unlinkSync(join(dir, e));
      } catch {}
  }
}

export interface OpenOptions {
  readOnly?: boolean;
  /**
   * Create the store (and its folders) when there is none; the default. A command that only
   * reads passes false: a mistyped path is then a NoStoreError, and nothing is created.
   */
  create?: boolean;
  /**
   * Check the document against the schema later, with `check()`, instead of before `open`
   * returns: the console draws its first frame meanwhile. Nothing is written, and no change is
   * made, before the check has passed.
   */
  checkLater?: boolean;
}

/**
 * Before the lock: the path holds a regular file, or nothing and we may create it (its folders
 * then made). Nothing is created beside a FIFO or a device, nor for a command that only reads.
 */
function prepare(file: string, options: OpenOptions): void {
  try {
    mustBeRegular(statSync(file));
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (options.create === false) throw new NoStoreError(file);
  if (options.readOnly) return; // an empty document in memory; nothing is written
  const dir = dirname(file);
  try {
    makeFolders(dir);
  } catch (error) {
    throw new StoreError(file, `cannot create its folder ${dir}: ${fsReason(error)}`);
  }
}

/** The store: a lowdb document plus whether this process may write it. */
export class Store {
  private readonly listeners = new Set<() => void>();

  private constructor(
    readonly file: string,
    private readonly db: Low<StoreDoc>,
    private readonly adapter: JsonFileAdapter,
    /** Read but not yet checked against the schema (`checkLater`). */
    private unchecked: boolean,
    readonly readOnly: boolean,
    /** Why we are read-only when the user did not ask for it (another posture holds the lock). */
    readonly notice: string | undefined,
    private readonly lock: Lock | undefined,
  ) {}

  /**
   * Open the store at `file`. What the file system refuses (a read-only folder, a parent that is
   * a file, a FIFO or a device in its place, no permission) is a StoreError naming the file and
   * why, with the store untouched.
   */
  static async open(file: string, options: OpenOptions = {}): Promise<Store> {
    try {
      return await Store.openFile(file, options);
    } catch (error) {
      if (error instanceof StoreError || !isFsError(error)) throw error;
      throw new StoreError(file, `cannot be opened: ${fsReason(error)}`);
    }
  }

  private static async openFile(file: string, options: OpenOptions): Promise<Store> {
    prepare(file, options);
    // The lock first, then the file: read before, it could be overwritten by a writer that
    // commits and exits in between, and our first commit would undo that writer's last one.
    let lock: Lock | undefined;
    let notice: string | undefined;
    if (!options.readOnly) {
      const got = acquireLock(file);
      if (got.ok) {
        lock = got.lock;
        removeLeftovers(file);
      } else notice = `read-only: ${got.holder}`;
    }
    const adapter = new JsonFileAdapter(file);
    const db = new Low<StoreDoc>(adapter, emptyStore());
    let unchecked = false;
    try {
      if (options.checkLater) {
        // Throws StoreError on a file that does not parse or is from a newer posture.
        const raw = await adapter.readUnchecked();
        unchecked = raw !== null;
        db.data = (raw as StoreDoc | null) ?? emptyStore();
      } else await db.read(); // throws StoreError on a bad file: nothing is written
    } catch (error) {
      lock?.release();
      throw error;
    }
    return new Store(
      file,
      db,
      adapter,
      unchecked,
      options.readOnly === true || lock === undefined,
      notice,
      lock,
    );
  }

  get doc(): StoreDoc {
    return this.db.data;
  }

  /**
   * Check a document opened with `checkLater` against the schema; throws StoreError when it does
   * not match. Listeners are told: the checked document has the schema's defaults filled in.
   */
  check(): void {
    if (!this.unchecked) return;
    this.db.data = this.adapter.check(this.db.data);
    this.unchecked = false;
    for (const l of this.listeners) l();
  }

  /**
   * `check()` in slices (check.ts): keys are answered meanwhile. A change committed in between
   * has run the whole check itself (`update` never writes what was not checked).
   */
  async checkInBackground(): Promise<void> {
    if (!this.unchecked) return;
    const raw = this.db.data;
    const doc = await checkInSlices(raw);
    if (!this.unchecked || this.db.data !== raw) return;
    // On a failure the whole check runs once more, for the StoreError it has always given.
    this.db.data = doc ?? this.adapter.check(raw);
    this.unchecked = false;
    for (const l of this.listeners) l();
  }

  /** Apply a change and commit it atomically. Throws in read-only mode; nothing half-done is kept. */
  async update(change: (doc: StoreDoc) => void): Promise<void> {
    if (this.readOnly) throw new Error('the store is open read-only');
    this.check(); // never write what was not checked
    // Taken over while we were stopped (ctrl-z) or stalled past the heartbeat, or removed: another
    // posture may write this store now, and our document may be older than its last commit. (With
    // the whole folder gone, the write fails by itself, and says so.)
    if (this.lock && !this.lock.refresh() && existsSync(dirname(this.file)))
      throw new StoreError(
        this.file,
        `is no longer ours to write: its lock ${this.lock.path} was taken over by another posture, or removed`,
      );
    // Copy-on-write: only what the change touches is copied, and a change that throws leaves
    // nothing behind. A fleet-size document is never cloned whole.
    const before = this.db.data;
    this.db.data = produce(before, change);
    try {
      await this.db.write();
    } catch (error) {
      // Not on disk (disk full, directory gone…): not in memory either, so what is shown is what is kept.
      this.db.data = before;
      throw error;
    }
    for (const l of this.listeners) l();
  }

  /** Change the document in memory only (read-only sessions, e.g. the demo's simulator address). */
  patchInMemory(change: (doc: StoreDoc) => void): void {
    this.check();
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
