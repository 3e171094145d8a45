import { existsSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { produce, setAutoFreeze } from 'immer';
import { z } from 'zod';
import {
  type Control,
  emptyStore,
  type PollChanges,
  PollChangesSchema,
  STORE_VERSION,
  type StoreDoc,
  StoreDocSchema,
} from '../domain/schemas.js';
import { type ScoreSummary, scoresFromSummaries } from '../domain/score-summary.js';
import type { DocScores } from '../domain/scoring.js';
import { jsonSyntaxError } from '../text/json.js';
import { isTemporaryName, writeAtomic, writeAtomicAsync } from './atomic.js';
import { type Batch, newBatch } from './batch.js';
import { checkInSlices } from './check.js';
import { FileScores } from './file-scores.js';
import { parseResultLine, parseResultLines, splitState, summariesIn } from './format.js';
import { reached } from './crash-points.js';
import { fsReason, isFsError, makeFolders, mustBeRegular, readRegularFile } from '../files.js';
import { HistoryWriter, historyCutoff, historyPath, readHistory } from './history.js';
import { acquireLock, type Lock } from './lock.js';
import { migrate } from './migrations.js';
import { serializeStateParts } from './serialize.js';
import { watchFolder } from './watch.js';
import type { Change, Store } from './api.js';

/** A store file we must not touch: it does not parse, does not validate, or is from a newer posture. */
// The document is ours to keep mutable outside `update` (it is read as plain data).
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

export { writeAtomic };
export type { Change, Store } from './api.js';

/** A state file as read: migrated, not yet checked; `polls` when it is from before history had its own file. */
interface Loaded {
  raw: { version: number };
  /** The schema version the file was written with: an older one is rewritten by the first writer. */
  version: number;
  /** The number of its last commit (0 before commits were numbered). */
  commit: number;
  polls?: PollChanges[];
  /** Each instance's part of the scores, as written with the file (version 3). */
  scores: Map<string, ScoreSummary>;
  /** Read `lazy`: the result lines not parsed yet (the raw document's results are empty till then). */
  rest?: Rest;
}

/** Result lines left for after the first frame, and the file's text for the message if one is broken. */
interface Rest {
  lines: string[];
  text: string;
}

/** The whole file parsed as the one JSON document it is, or its StoreError. */
function parseWhole(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // V8's message quotes the text, and a store is no place to quote from: where, and what.
    throw new StoreError(file, `is not valid JSON (${jsonSyntaxError(text)})`);
  }
}

/**
 * Read the state file: parsed and migrated, not checked against the schema. Null when there is
 * none. `lazy`: a file laid out a part a line (format.ts) has its result lines left unparsed.
 * `withScores`: each instance's part of the scores is read too (a store opened with the catalog
 * keeps them; without it they are neither used nor written).
 */
async function load(file: string, lazy = false, withScores = true): Promise<Loaded | null> {
  let text: string;
  try {
    // A FIFO or a device is refused before it is read: reading one blocks forever, or never ends.
    text = await readRegularFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StoreError(file, `cannot be read: ${fsReason(error)}`);
  }
  // Read whole, the file is one JSON document: one parse is quicker than a parse a line.
  const split = lazy ? splitState(text) : undefined;
  let raw: unknown = split ? split.head : parseWhole(file, text);
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version !== 'number') throw new StoreError(file, 'has no schema version');
  if (version > STORE_VERSION)
    throw new StoreError(file, `has schema version ${version}, newer than this posture (${STORE_VERSION})`);
  let rest: Rest | undefined;
  if (split) {
    rest = { lines: split.lines, text };
    raw = { ...split.head, results: {} };
  }
  const { commit, polls, scores, ...fields } = raw as {
    version: number;
    commit?: unknown;
    polls?: unknown;
    scores?: unknown;
  };
  let legacy: PollChanges[] | undefined;
  if (version < 2) {
    // History kept inside the file: checked here, as it was, and moved out by the first writer.
    const parsed = z.array(PollChangesSchema).default([]).safeParse(polls);
    if (!parsed.success) throw schemaError(file, parsed.error, ['polls']);
    legacy = parsed.data;
  }
  try {
    return {
      raw: migrate(fields as { version: number }),
      version,
      commit: typeof commit === 'number' && Number.isSafeInteger(commit) && commit >= 0 ? commit : 0,
      scores: withScores ? summariesIn(scores) : new Map(),
      ...(legacy ? { polls: legacy } : {}),
      ...(rest ? { rest } : {}),
    };
  } catch (error) {
    throw new StoreError(file, (error as Error).message);
  }
}

/**
 * The first frame's scores from the summaries read with the file, when every counted instance has
 * one that holds. The first line is not checked yet: one that does not have the document's shape
 * gives none (everything is read, and the check says what is wrong).
 */
function earlyFrom(loaded: Loaded, scores: FileScores): DocScores | undefined {
  try {
    return scoresFromSummaries(loaded.raw as StoreDoc, loaded.scores, scores.catalog.key, new Date());
  } catch {
    return undefined;
  }
}

/** A results line that does not parse: the whole file says where it is broken (or is whole after all). */
function brokenLine(file: string, rest: Rest): Record<string, unknown> {
  const whole = parseWhole(file, rest.text) as { results?: unknown };
  return typeof whole.results === 'object' && whole.results !== null
    ? (whole.results as Record<string, unknown>)
    : {};
}

function schemaError(file: string, error: z.ZodError, prefix: PropertyKey[] = []): StoreError {
  const issue = error.issues[0];
  const path = [...prefix, ...(issue?.path ?? [])].join('.');
  return new StoreError(file, `does not match the schema at ${path || '(root)'}: ${issue?.message}`);
}

/** The document checked against the schema (defaults filled in), or a StoreError. */
export function checkDoc(file: string, raw: unknown): StoreDoc {
  const parsed = StoreDocSchema.safeParse(raw);
  if (!parsed.success) throw schemaError(file, parsed.error);
  return frozenResults(parsed.data);
}

// An instance's results are replaced whole, never changed in place (the poller freezes new ones):
// frozen, a commit keeps their text instead of stringifying them again (serialize.ts).
function frozenResults(doc: StoreDoc): StoreDoc {
  for (const r of Object.values(doc.results)) Object.freeze(r);
  return doc;
}

/** What says the state file was replaced: a commit renames a new file into place. */
function identity(file: string): string {
  try {
    const s = statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return '';
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
  /**
   * Told once a database has been sent the first read (the console's code is then made ready while
   * the server answers, not while the connection is being set up: that would hold the query back).
   */
  onFirstRead?: () => void;
  /**
   * Follow other processes' commits: the document is read again soon after another posture
   * replaces the file, and subscribers are told (the console; a read-only one above all).
   */
  watch?: boolean;
  /** Who makes the changes, recorded with each commit where the back end keeps a record (PostgreSQL). */
  operator?: string;
  /**
   * The catalog, by control id: PostgreSQL keeps each instance's part of the scores with it, and a
   * console's first frame is drawn from those (`earlyScores`) before every result is read.
   */
  catalog?: ReadonlyMap<string, Control>;
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

/**
 * The store: the state document in a JSON file, and poll history in an append-only file beside
 * it (store/history.ts), under one lock. A change applies to the document in memory at once;
 * its write follows, in order, off the caller's path (`update` resolves once it is on disk).
 */
export class FileStore implements Store {
  readonly backend = 'file';
  private readonly listeners = new Set<() => void>();
  /** What is on disk: the document after the last commit written (or read). */
  private durable: StoreDoc;
  /** Polls changed in memory and not yet written. */
  private unwritten: PollChanges[] = [];
  /** History still inside a state file from before version 2: moved out by the first write. */
  private legacy: PollChanges[] | undefined;
  /** Poll history as shown, once read (`history()`). */
  private historyCache: PollChanges[] | undefined;
  /** Changes waiting for the next write, and the chain of writes. */
  private batch: Batch | undefined;
  private writes: Promise<void> = Promise.resolve();
  private writing = 0;
  /** A failed commit may have left history lines of its own: cut off before the next one. */
  private historyToRepair = false;
  private seen: string;
  private unwatch: (() => void) | undefined;
  private closed = false;
  /** Each instance's part of the scores, written with every commit (with the catalog only). */
  private scores: FileScores | undefined;
  /** The summaries read with the file: taken as made once its results are read and checked. */
  private readScores = new Map<string, ScoreSummary>();
  /** The file is from an older schema version: the first writer rewrites it in this one. */
  private upgrade = false;
  /** The first frame's scores while the result lines are not parsed (`pending`). */
  private early: DocScores | undefined;
  /** Result lines left for after the first frame. */
  private pending: Rest | undefined;

  private constructor(
    readonly file: string,
    private data: StoreDoc,
    /** The number of the last commit on disk. */
    private commit: number,
    legacy: PollChanges[] | undefined,
    /** Read but not yet checked against the schema (`checkLater`). */
    private unchecked: boolean,
    readonly readOnly: boolean,
    /** Why we are read-only when the user did not ask for it (another posture holds the lock). */
    readonly notice: string | undefined,
    private readonly lock: Lock | undefined,
    private readonly historyFile: HistoryWriter | undefined,
  ) {
    this.durable = data;
    this.legacy = legacy;
    this.seen = identity(file);
  }

  /**
   * Open the store at `file`. What the file system refuses (a read-only folder, a parent that is
   * a file, a FIFO or a device in its place, no permission) is a StoreError naming the file and
   * why, with the store untouched.
   */
  static async open(file: string, options: OpenOptions = {}): Promise<FileStore> {
    try {
      return await FileStore.openFile(file, options);
    } catch (error) {
      if (error instanceof StoreError || !isFsError(error)) throw error;
      throw new StoreError(file, `cannot be opened: ${fsReason(error)}`);
    }
  }

  private static async openFile(file: string, options: OpenOptions): Promise<FileStore> {
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
        removeLeftovers(historyPath(file));
      } else notice = `read-only: ${got.holder}`;
    }
    let store: FileStore;
    try {
      // Throws StoreError on a file that does not parse, is from a newer posture, or (checked now)
      // does not match the schema: nothing is written.
      // The console, with the catalog, draws its first frame from the first line's score summaries.
      const lazy = options.checkLater === true && options.catalog !== undefined;
      const loaded = await load(file, lazy, options.catalog !== undefined);
      const unchecked = options.checkLater === true && loaded !== null;
      const scores = options.catalog && new FileScores(options.catalog);
      let early: DocScores | undefined;
      if (loaded?.rest && scores) early = earlyFrom(loaded, scores);
      if (loaded?.rest && !early) {
        // Summaries missing or stale (written without the catalog, or an expiry passed): read it all now.
        const results: Record<string, unknown> = {};
        const all = parseResultLines(loaded.rest.lines, results) ? results : brokenLine(file, loaded.rest);
        loaded.raw = { ...loaded.raw, results: all } as typeof loaded.raw;
        delete loaded.rest;
      }
      const doc =
        loaded === null ? emptyStore() : unchecked ? (loaded.raw as StoreDoc) : checkDoc(file, loaded.raw);
      const history = lock ? new HistoryWriter(historyPath(file)) : undefined;
      // What a writer killed mid-commit appended for a commit that never landed.
      if (history && !loaded?.polls) history.repair(loaded?.commit ?? 0);
      store = new FileStore(
        file,
        doc,
        loaded?.commit ?? 0,
        loaded?.polls,
        unchecked,
        options.readOnly === true || lock === undefined,
        notice,
        lock,
        history,
      );
      store.scores = scores;
      store.early = early;
      store.pending = early ? loaded?.rest : undefined;
      store.readScores = loaded?.scores ?? new Map();
      store.upgrade = loaded !== null && loaded.version < STORE_VERSION;
    } catch (error) {
      lock?.release();
      throw error;
    }
    if (!store.unchecked) store.accepted();
    if (options.watch) store.unwatch = watchFolder(file, () => void store.reloadIfChanged());
    return store;
  }

  get doc(): StoreDoc {
    return this.data;
  }

  /**
   * Poll history, oldest first (the file keeps 90 days: older polls go when it is compacted). Read
   * from its file on first use (the History view), then kept up to date with each change.
   */
  history(): readonly PollChanges[] {
    if (!this.historyCache) {
      this.historyCache = this.legacy ? [...this.legacy] : readHistory(historyPath(this.file), this.commit);
      for (const poll of this.unwritten) this.historyCache.push(poll); // no spread: a copy brings 200,000
    }
    return this.historyCache;
  }

  /**
   * Check a document opened with `checkLater` against the schema; throws StoreError when it does
   * not match. Listeners are told: the checked document has the schema's defaults filled in.
   */
  check(): void {
    if (!this.unchecked) return;
    this.readRest();
    this.accept(checkDoc(this.file, this.data));
  }

  /** The first frame's scores while the results are not parsed yet (the console's first frame). */
  earlyScores(): DocScores | undefined {
    return this.early;
  }

  /** The result lines left for after the first frame, parsed now. */
  private readRest(): void {
    const rest = this.pending;
    if (!rest) return;
    const results: Record<string, unknown> = {};
    const all = parseResultLines(rest.lines, results) ? results : brokenLine(this.file, rest);
    this.pending = undefined;
    this.data = { ...this.data, results: all as StoreDoc['results'] };
  }

  /** `readRest` a slice at a time (~5 ms), yielding to keys in between. */
  private async readRestInSlices(sliceMs = 5): Promise<void> {
    const rest = this.pending;
    if (!rest) return;
    const results: Record<string, unknown> = {};
    let since = performance.now();
    for (const line of rest.lines) {
      if (!parseResultLine(line, results)) return this.readRest(); // for its StoreError
      if (performance.now() - since < sliceMs) continue;
      await new Promise((resolve) => setImmediate(resolve));
      since = performance.now();
      if (this.pending !== rest) return; // read whole meanwhile (a change was made)
    }
    this.pending = undefined;
    this.data = { ...this.data, results: results as StoreDoc['results'] };
  }

  private accept(checked: StoreDoc): void {
    this.data = this.durable = checked;
    this.unchecked = false;
    this.accepted();
    for (const l of this.listeners) l();
  }

  /** The document is whole and checked: its summaries are taken as made, an older file rewritten. */
  private accepted(): void {
    this.early = undefined;
    this.scores?.adopt(this.data, this.readScores, Date.now());
    this.readScores = new Map();
    this.moveHistoryOut();
  }

  private stateBytes(doc: StoreDoc, commit: number): Buffer[] {
    return serializeStateParts(doc, commit, this.scores?.of(doc, new Date()));
  }

  /**
   * `check()` in slices (check.ts): keys are answered meanwhile. A change made in between has run
   * the whole check itself (`update` never writes what was not checked).
   */
  async checkInBackground(): Promise<void> {
    if (!this.unchecked) return;
    await this.readRestInSlices();
    if (!this.unchecked) return;
    const raw = this.data;
    const doc = await checkInSlices(raw);
    if (!this.unchecked || this.data !== raw) return;
    // On a failure the whole check runs once more, for the StoreError it has always given.
    if (!doc) return this.check();
    this.accept(frozenResults(doc));
  }

  /**
   * A writer that opened a store from an older version rewrites it in this one at once; from before
   * version 2 it moves the history to the history file first, so a crash in between leaves the old
   * file whole (and the move is made again). When it cannot be written now, the first commit does it.
   */
  private moveHistoryOut(): void {
    if (!(this.legacy || this.upgrade) || this.readOnly || !this.historyFile) return;
    try {
      if (this.legacy) this.historyFile.replace(this.legacy, this.commit);
      writeAtomic(this.file, this.stateBytes(this.data, this.commit), { backup: true });
      this.legacy = undefined;
      this.upgrade = false;
      this.seen = identity(this.file);
    } catch {}
  }

  /**
   * Apply a change: the document in memory changes at once (subscribers are told), and the
   * change is committed atomically after, in order; the promise resolves once it is on disk.
   * Throws in read-only mode. When the write fails, the promise rejects with a StoreError and the
   * document goes back to what is on disk (this change and those made after it are undone).
   */
  update(change: Change): Promise<void> {
    if (this.readOnly) return Promise.reject(new Error('the store is open read-only'));
    try {
      this.check(); // never write what was not checked
    } catch (error) {
      return Promise.reject(error as Error);
    }
    // Taken over while we were stopped (ctrl-z) or stalled past the heartbeat, or removed: another
    // posture may write this store now, and our document may be older than its last commit. (With
    // the whole folder gone, the write fails by itself, and says so.)
    if (this.lock && !this.lock.refresh() && existsSync(dirname(this.file)))
      return Promise.reject(
        new StoreError(
          this.file,
          `is no longer ours to write: its lock ${this.lock.path} was taken over by another posture, or removed`,
        ),
      );
    // Copy-on-write: only what the change touches is copied, and a change that throws leaves
    // nothing behind. A fleet-size document is never cloned whole.
    const polls: PollChanges[] = [];
    try {
      this.data = produce(this.data, (d) => change(d, polls));
    } catch (error) {
      return Promise.reject(error as Error);
    }
    for (const poll of polls) this.unwritten.push(poll);
    if (this.historyCache && polls.length > 0) this.historyCache = [...this.historyCache, ...polls];
    for (const l of this.listeners) l();
    return this.queueWrite();
  }

  /** The next write: changes made before it starts are written together, in the order made. */
  private queueWrite(): Promise<void> {
    if (this.batch) return this.batch.promise;
    const batch = newBatch();
    this.batch = batch;
    this.writing++;
    // After the frame the change is drawn in: setImmediate runs once pending I/O and renders have.
    this.writes = this.writes
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => this.write(batch));
    return batch.promise;
  }

  /** Write a batch; `writing` counts down before its promise settles (a `close` right after sees it done). */
  private async write(batch: Batch): Promise<void> {
    if (this.batch === batch) this.batch = undefined; // changes from now on go to the next write
    if (batch.settled) {
      this.writing--; // undone by an earlier write's failure
      return;
    }
    const doc = this.data;
    const polls = this.unwritten;
    this.unwritten = [];
    const commit = this.commit + 1;
    const history = this.historyFile!;
    try {
      if (this.historyToRepair) {
        history.repair(this.commit);
        this.historyToRepair = false;
      }
      // History first, then the state that counts it in: a crash between leaves lines numbered
      // past the state's commit, which nobody reads and the next writer cuts off.
      if (this.legacy) history.replace([...this.legacy, ...polls], commit);
      else {
        this.historyToRepair = polls.length > 0;
        history.append(polls, commit);
      }
      reached('history-appended');
      await writeAtomicAsync(this.file, this.stateBytes(doc, commit), {
        backup: true,
        steps: { written: 'state-written', renamed: 'state-renamed' },
      });
    } catch (error) {
      // A full disk or a folder gone: the file keeps its last commit (the write is atomic). Not on
      // disk, so not in memory either: what is shown is what is kept. Changes made since were made
      // on top of this one, and go with it.
      const failed = new StoreError(this.file, `cannot be written: ${fsReason(error)}`);
      this.writing--;
      this.data = this.durable;
      this.unwritten = [];
      this.historyCache = undefined;
      batch.reject(failed);
      const later = this.batch;
      this.batch = undefined;
      later?.reject(failed);
      for (const l of this.listeners) l();
      return;
    }
    this.historyToRepair = false;
    this.commit = commit;
    this.durable = doc;
    this.legacy = undefined;
    this.upgrade = false;
    this.seen = identity(this.file);
    this.writing--;
    batch.resolve();
    try {
      history.compactIfGrown(commit, historyCutoff(Date.now()));
    } catch {
      // Compacting is tidying: the longer file is as good, and the next commit tries again.
    }
  }

  /** Every change made so far is on disk (or has failed). */
  async flush(): Promise<void> {
    while (this.writing > 0) await this.writes;
  }

  /**
   * Another process committed (the file was replaced): read it again, check it, and tell the
   * subscribers. Our own writes are known by the file's identity and are not read back.
   */
  private async reloadIfChanged(): Promise<void> {
    if (this.closed || this.unchecked || this.writing > 0 || identity(this.file) === this.seen) return;
    const now = identity(this.file);
    let loaded: Loaded | null;
    let doc: StoreDoc;
    try {
      loaded = await load(this.file);
      if (!loaded || this.writing > 0 || this.closed) return;
      doc = checkDoc(this.file, loaded.raw);
    } catch {
      // A file we cannot read as it is now (hand-edited, or from a newer posture): what is shown stays.
      this.seen = now;
      return;
    }
    this.seen = now;
    this.data = this.durable = doc;
    this.commit = loaded.commit;
    this.legacy = loaded.polls;
    this.upgrade = loaded.version < STORE_VERSION;
    this.scores?.adopt(doc, loaded.scores, Date.now());
    this.historyCache = undefined;
    for (const l of this.listeners) l();
  }

  /** Change the document in memory only (read-only sessions, e.g. the demo's simulator address). */
  patchInMemory(change: (doc: StoreDoc) => void): void {
    this.check();
    this.data = produce(this.data, change);
    for (const l of this.listeners) l();
  }

  /** Be told after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stop following the file, and let go of the lock once the changes made are written. */
  close(): Promise<void> {
    this.closed = true;
    this.unwatch?.();
    if (this.writing === 0) {
      this.lock?.release();
      return Promise.resolve();
    }
    return this.flush().finally(() => this.lock?.release());
  }
}
