import { produce } from 'immer';
import pg from 'pg';
import type { Control, Instance, PollChanges, StoreDoc } from '../../domain/schemas.js';
import { catalogKey, type ScoreSummary, scoresFromSummaries } from '../../domain/score-summary.js';
import type { DocScores } from '../../domain/scoring.js';
import type { Change, PolledInstance, Store } from '../api.js';
import { countedInstances } from '../../domain/scoring.js';
import { instanceLocks, REVISION_LOCK_SQL } from './locks.js';
import { commitPoll, type PollCommitContext } from './poll-commit.js';
import { historyCutoff } from '../history.js';
import { checkDoc, NoStoreError, type OpenOptions, StoreError } from '../store.js';
import { FIRST_FRAME_LEAVES, readFirstFrame } from './first-read.js';
import { applyRows, diff, docOf, type PollRow, pollOf, type Row } from './rows.js';
import {
  staleSummaries,
  type SummaryCatalog,
  summaryChanges,
  touchedInstances,
  writeSummaries,
} from './summaries.js';
import {
  COMMIT_LOCK,
  LOCK_CLASS,
  migrate,
  PG_SCHEMA_VERSION,
  SchemaTooNew,
  schemaVersion,
  TABLES,
  type Table,
} from './schema.js';
import { withoutPassword } from './url.js';
import { type Batch as BaseBatch, newBatch } from '../batch.js';

/**
 * What a worker's store neither reads nor follows: every poll's results, the day's points, the
 * poll history and the summaries. A worker schedules and polls from the instances (their last
 * polls, credentials' references, intervals), the settings, the statuses (a poll's score summary)
 * and the alert queue; a poll's commit (poll-commit.ts) reads the rest it needs in its transaction.
 */
export const WORKER_LEAVES: readonly Table[] = ['results', 'daily'];

/** The channel commits are announced on; the payload is the revision committed. */
const CHANNEL = 'posture_commits';

/** A batch of changes committed together. */
type Batch = BaseBatch & { changes: Change[] };
/** How long a reconnection waits at most between tries. */
const MAX_BACKOFF_MS = 5000;

/** What was committed after a revision: rows of each table, polls, and the revision they reach. */
interface Since {
  head: number;
  tables: Map<Table, Row[]>;
  polls: PollChanges[];
  /** Score summaries by instance id (when asked for). */
  summaries: Map<string, ScoreSummary>;
}

interface RawRow {
  key: string;
  position: number;
  body: unknown;
  deleted: boolean;
}

interface ReadOptions {
  pollsFrom?: string;
  inCommit?: boolean;
  /** Tables not read (the first frame's read leaves the results for later). */
  without?: readonly Table[];
  /** No poll history (read after the first frame). */
  noPolls?: boolean;
  /** These tables and the poll history whole, whatever `revision` (the rest of a first read). */
  whole?: readonly Table[];
  /** The score summaries too. */
  summaries?: boolean;
}

/** One consistent read (one snapshot) of everything committed after `revision`. */
async function readSince(client: pg.ClientBase, revision: number, o: ReadOptions = {}): Promise<Since> {
  const r = Math.trunc(revision); // a number of ours, inlined: several statements go in one round trip
  const pollsFrom = o.pollsFrom ?? '';
  const tables = TABLES.filter((t) => !o.without?.includes(t));
  const after = (t: Table | 'poll_history') =>
    o.whole && (t === 'poll_history' || o.whole.includes(t)) ? 0 : r;
  // Inside a commit the lock holds every other commit off; outside, one snapshot for every table.
  const text = [
    o.inCommit ? 'SELECT 1' : 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    'SELECT coalesce(max(revision), 0)::text AS head FROM changes',
    ...tables.map(
      (t) => `SELECT key, position, body, deleted FROM ${t} WHERE revision > ${after(t)} ORDER BY position`,
    ),
    o.noPolls
      ? 'SELECT 1 WHERE false'
      : `SELECT at, instance_id, changes FROM poll_history WHERE revision > ${after('poll_history')} AND at >= ${literal(pollsFrom)} ORDER BY seq`,
    o.summaries ? 'SELECT key, body FROM instance_scores' : 'SELECT 1 WHERE false',
    o.inCommit ? 'SELECT 1' : 'COMMIT',
  ].join(';\n');
  const results = (await client.query(text)) as unknown as pg.QueryResult[];
  const head = Number((results[1]!.rows[0] as { head: string }).head);
  const read = new Map<Table, Row[]>();
  tables.forEach((t, n) => {
    const rows = results[2 + n]!.rows as RawRow[];
    if (rows.length > 0)
      read.set(
        t,
        rows.map((x) => ({ key: x.key, position: x.position, body: x.deleted ? undefined : x.body })),
      );
  });
  const polls = (results[2 + tables.length]!.rows as PollRow[]).map(pollOf);
  const summaries = new Map(
    (results[3 + tables.length]!.rows as { key: string; body: ScoreSummary }[]).map((x) => [x.key, x.body]),
  );
  return { head, tables: read, polls, summaries };
}

const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** A connection-level failure, said in a few words (node-postgres' messages are one line already). */
function reason(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return (e.message || e.code || String(error)).split('\n')[0]!;
}

export interface PgOpenOptions extends OpenOptions {
  /** Try to reconnect after this many ms at first (tests make it short). */
  backoffMs?: number;
  /**
   * A worker's store (`openWorker`): the commits announced within this many ms are read together
   * (WORKER_FOLLOW_MS by default). Every commit is read, a little later, in one round trip.
   */
  followEveryMs?: number;
}

/**
 * How long a worker gathers other commits' announcements before reading them. At 4 workers every
 * poll's commit was read by every worker, each its own round trip of a dozen statements (about 25
 * reads a second a worker); a worker's document is used for what is due (which the queue's own
 * record of finished polls already covers) and for the instance a job names (read at once when it
 * is missing, `caughtUp`), so a quarter of a second behind costs nothing and saves most of them.
 */
export const WORKER_FOLLOW_MS = 250;

/**
 * The store on PostgreSQL, for a team: several operators and programs at once, each with the
 * whole document in memory. A change applies in memory at once (as the file's does) and is
 * committed in a transaction that serialises commits across processes: it reads what others
 * committed since our last revision, applies the change again on that, and writes only the rows
 * that changed. Every commit is announced (NOTIFY); every open store listens, and reads only the
 * rows of revisions it has not seen.
 */
export class PgStore implements Store {
  readonly backend = 'postgres';
  /** What was read from the database, for tests and benchmarks: rows fetched, notifications heard. */
  readonly stats = { rowsFetched: 0, notifications: 0 };
  readonly notice = undefined;
  private readonly listeners = new Set<() => void>();
  /** The document as of `revision`, what the database holds. */
  private committed: StoreDoc;
  /** What is shown: `committed` with the changes not yet committed applied. */
  private data: StoreDoc;
  private polls: PollChanges[];
  private unwrittenPolls: PollChanges[] = [];
  private patches: ((doc: StoreDoc) => void)[] = [];
  private batch: Batch | undefined;
  private work: Promise<void> = Promise.resolve();
  private working = 0;
  private conn: pg.Client | undefined;
  private listener: pg.Client | undefined;
  /** The latest revision announced to us. */
  private heard = 0;
  /** Announcements may have been missed (before our LISTEN, or while the server was away): read anyway. */
  private stale = false;
  private catchUpQueued = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private backoff: number;
  private closed = false;
  /** The catalog summaries are kept with (a writer that scores: the commands and the console). */
  private catalog: SummaryCatalog | undefined;
  /** The first frame's scores, from the summaries, while the results are not read yet. */
  private early: DocScores | undefined;
  /** The read of the results and the poll history after the first frame, once started. */
  private rest: Promise<void> | undefined;
  /** Summaries as read at open: those that no longer hold are made again once the document is whole. */
  private summariesSeen: Map<string, ScoreSummary> | undefined;
  /** Instances whose summary the next commit makes again. */
  private summariesDue = new Set<string>();
  /** The LISTEN waits for the first frame (listenNow). */
  private listenLater = false;
  /** Tables not read nor followed (a worker's store, `openWorker`): empty for every other store. */
  private leaves: readonly Table[] = [];
  /** Announcements gathered this long before they are read (a worker's store); 0: read at once. */
  private followEveryMs = 0;
  private followTimer: NodeJS.Timeout | undefined;
  /** Reads of others' commits made (tests: a worker gathers them). */
  catchUps = 0;

  private constructor(
    private readonly url: string,
    readonly file: string,
    doc: StoreDoc,
    private revision: number,
    polls: PollChanges[],
    private unchecked: boolean,
    readonly readOnly: boolean,
    private readonly operator: string,
    private readonly backoffMs: number,
  ) {
    this.committed = this.data = doc;
    this.polls = polls;
    this.backoff = backoffMs;
  }

  /** A client of the store's own, connected; a server that does not answer is the open's one line. */
  private static async connected(url: string, file: string): Promise<pg.Client> {
    const client = PgStore.client(url);
    // The server gone between queries: the next query says so (an 'error' nobody hears would throw).
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => {});
      throw new StoreError(file, `cannot be opened: ${reason(error)}`);
    }
    return client;
  }

  static async open(url: string, options: PgOpenOptions = {}): Promise<PgStore> {
    const file = withoutPassword(url);
    const client = await PgStore.connected(url, file);
    try {
      // The console: its first frame from the score summaries, the results and history after it.
      // Statuses too are in the summaries: read after the first frame, with the results. The
      // schema's version comes in the same round trip: the rows are used when it is ours.
      const firstFrame = options.checkLater === true && options.catalog !== undefined;
      const reading = firstFrame ? readFirstFrame(client) : undefined;
      if (reading) options.onFirstRead?.(); // on its way: readFirstFrame sends it before it awaits
      // The catalog's fingerprint (a few ms over every control) is made while the server answers.
      const catalog = options.catalog && { byId: options.catalog, key: catalogKey(options.catalog) };
      const keep = catalog !== undefined && !options.readOnly; // a writer with the catalog keeps summaries
      let first = await reading;
      let version = PG_SCHEMA_VERSION;
      if (first?.version !== PG_SCHEMA_VERSION) {
        // No posture schema yet, an older one or a newer one: made, migrated or refused.
        version = await schemaVersion(client);
        if (version === 0 && options.create === false) throw new NoStoreError(file);
        if (!options.readOnly) await migrate(client);
        else if (version !== 0) await migrate(client); // throws on a newer schema; nothing else to do
        first = firstFrame && version !== 0 ? await readFirstFrame(client) : undefined;
      }
      let since: Since = { head: 0, tables: new Map<Table, Row[]>(), polls: [], summaries: new Map() };
      let early: DocScores | undefined;
      let raw: StoreDoc | undefined;
      if (first && first.version === PG_SCHEMA_VERSION && catalog) {
        since = { head: first.head, tables: first.tables, polls: [], summaries: first.summaries };
        raw = docOf(since.tables);
        early = scoresFromSummaries(raw, since.summaries, catalog.key, new Date());
      }
      if (!early && !(version === 0 && options.readOnly)) {
        since = await readSince(client, 0, { pollsFrom: historyCutoff(Date.now()), summaries: keep });
        raw = undefined;
      }
      raw ??= docOf(since.tables);
      const unchecked = options.checkLater === true;
      const doc = unchecked ? raw : checkDoc(file, raw);
      const store = new PgStore(
        url,
        file,
        doc,
        since.head,
        since.polls,
        unchecked,
        options.readOnly === true,
        options.operator ?? 'unknown',
        options.backoffMs ?? 250,
      );
      store.catalog = catalog;
      store.early = early;
      if (keep) store.summariesSeen = since.summaries;
      if (!unchecked) store.refreshSummaries();
      store.adopt(client);
      // Writers keep up with others (a long poll sees the console's toggles); so does any console:
      // one drawing its first frame from the summaries listens once it is drawn (readRest), so
      // that the frame waits for one connection, not two.
      if ((options.watch || !options.readOnly) && !early) {
        await store.listen();
        // A commit between our read and our LISTEN was announced to nobody here: look once.
        store.stale = true;
        store.catchUp();
      } else if (options.watch || !options.readOnly) store.listenLater = true;
      return store;
    } catch (error) {
      await client.end().catch(() => {});
      // Nothing was written: the database is left as the newer posture made it.
      if (error instanceof SchemaTooNew)
        throw new StoreError(file, `${error.message}; it was left untouched`);
      if (error instanceof StoreError) throw error;
      throw new StoreError(file, `cannot be opened: ${reason(error)}`);
    }
  }

  /**
   * A worker's store (`posture worker`): the document without what a worker never uses
   * (WORKER_LEAVES, and the poll history), followed without it too, so a worker does not read
   * every other worker's results. Its polls commit with `commitPolls`, which needs the catalog.
   */
  static async openWorker(
    url: string,
    options: PgOpenOptions & { catalog: ReadonlyMap<string, Control> },
  ): Promise<PgStore> {
    const file = withoutPassword(url);
    const client = await PgStore.connected(url, file);
    try {
      const version = await schemaVersion(client);
      if (version === 0 && options.create === false) throw new NoStoreError(file);
      await migrate(client);
      const since = await readSince(client, 0, { without: WORKER_LEAVES, noPolls: true });
      const doc = checkDoc(file, docOf(since.tables));
      const store = new PgStore(
        url,
        file,
        doc,
        since.head,
        [],
        false,
        false,
        options.operator ?? 'unknown',
        options.backoffMs ?? 250,
      );
      store.catalog = { byId: options.catalog, key: catalogKey(options.catalog) };
      store.leaves = WORKER_LEAVES;
      store.followEveryMs = options.followEveryMs ?? WORKER_FOLLOW_MS;
      store.adopt(client);
      await store.listen();
      store.stale = true; // a commit between our read and our LISTEN: look once
      store.catchUp();
      return store;
    } catch (error) {
      await client.end().catch(() => {});
      if (error instanceof SchemaTooNew) throw new StoreError(file, error.message);
      if (error instanceof StoreError) throw error;
      throw new StoreError(file, `cannot be opened: ${reason(error)}`);
    }
  }

  private static client(url: string): pg.Client {
    return new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  }

  get doc(): StoreDoc {
    return this.data;
  }

  /** The revision of the last commit this store has (its own, or read from others). */
  get lastRevision(): number {
    return this.revision;
  }

  /** The first frame's scores while the results are being read (the document's results are empty till then). */
  earlyScores(): DocScores | undefined {
    return this.early;
  }

  history(): readonly PollChanges[] {
    return this.unwrittenPolls.length > 0 ? [...this.polls, ...this.unwrittenPolls] : this.polls;
  }

  check(): void {
    if (!this.unchecked || this.early) return; // a document not read whole is checked once it is
    this.committed = checkDoc(this.file, this.committed);
    this.unchecked = false;
    this.recompute();
    this.tell();
    this.refreshSummaries();
  }

  async checkInBackground(): Promise<void> {
    await this.readRest();
    this.check();
  }

  /** After the first frame: the results and the poll history, in one snapshot with what is new. */
  private readRest(): Promise<void> {
    if (!this.early) return Promise.resolve();
    this.listenNow();
    return (this.rest ??= new Promise<void>((resolve, reject) =>
      this.enqueue(async () => {
        try {
          const since = await readSince(await this.connection(), this.revision, {
            whole: FIRST_FRAME_LEAVES,
            pollsFrom: historyCutoff(Date.now()),
          });
          for (const rows of since.tables.values()) this.stats.rowsFetched += rows.length;
          this.committed = applyRows(this.committed, since.tables, false); // checked whole next
          this.revision = Math.max(this.revision, since.head);
          this.polls = since.polls; // every poll up to the revision read
          this.early = undefined;
          this.recompute();
          this.tell();
          resolve();
        } catch (error) {
          this.conn = undefined;
          this.rest = undefined;
          reject(new StoreError(this.file, `cannot be read: ${reason(error)}`));
        }
      }),
    ));
  }

  /** Summaries that are missing or no longer hold are made again, by a commit of their own. */
  private refreshSummaries(): void {
    const seen = this.summariesSeen;
    if (!seen || !this.catalog || this.readOnly || this.closed) return;
    this.summariesSeen = undefined;
    const stale = staleSummaries(this.committed, seen, this.catalog.key, Date.now());
    if (stale.size === 0) return;
    for (const id of stale) this.summariesDue.add(id);
    this.queueCommit();
  }

  update(change: Change): Promise<void> {
    if (this.readOnly) return Promise.reject(new Error('the store is open read-only'));
    if (this.closed) return Promise.reject(new StoreError(this.file, 'is closed'));
    // A change applies to the whole document: made once the results are read.
    if (this.early) return this.readRest().then(() => this.update(change));
    try {
      this.check(); // never write what was not checked
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const polls: PollChanges[] = [];
    try {
      this.data = produce(this.data, (d) => change(d, polls));
    } catch (error) {
      return Promise.reject(error as Error);
    }
    for (const poll of polls) this.unwrittenPolls.push(poll); // no spread: a copy brings 200,000
    this.tell();
    const batch = this.queueCommit();
    batch.changes.push(change);
    return batch.promise;
  }

  private queueCommit(): Batch {
    if (this.batch) return this.batch;
    const batch: Batch = Object.assign(newBatch(), { changes: [] as Change[] });
    this.batch = batch;
    // After the frame the change is drawn in.
    this.enqueue(() => new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.commit(batch)));
    return batch;
  }

  /** Commits and reads of others' commits run one at a time, in order. */
  private enqueue(job: () => Promise<void>): void {
    this.working++;
    this.work = this.work.then(job).finally(() => this.working--);
  }

  private async connection(): Promise<pg.Client> {
    if (this.conn) return this.conn;
    const client = PgStore.client(this.url);
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    this.adopt(client);
    return client;
  }

  /** Use `client` for commits and reads until it breaks (the server restarted): then a new one. */
  private adopt(client: pg.Client): void {
    const drop = () => {
      if (this.conn === client) this.conn = undefined;
    };
    client.on('error', drop);
    client.on('end', drop);
    this.conn = client;
  }

  private async commit(batch: Batch): Promise<void> {
    if (this.batch === batch) this.batch = undefined; // changes from now on go to the next commit
    if (batch.settled) return;
    let client: pg.Client | undefined;
    try {
      client = await this.connection();
      // The instances the change touches, as it stands in memory: locked before we read, so a
      // poll of one of them (which locks only its instance, poll-commit.ts) is not lost, nor we.
      let locked = touchedInstances(diff(this.committed, this.data));
      for (const id of this.summariesDue) locked.add(id);
      let since: Since | undefined;
      let base: StoreDoc;
      let next: StoreDoc;
      let polls: PollChanges[];
      let rows: Map<Table, Row[]>;
      for (;;) {
        await client.query('BEGIN');
        // One operator's commit at a time across every process.
        await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_CLASS, COMMIT_LOCK]);
        for (const [text, values] of instanceLocks(locked)) await client.query(text, values);
        // Every commit writes under the revision lock: what we read next is the latest.
        await client.query(REVISION_LOCK_SQL);
        since = await this.readOthers(client);
        base = since ? applyRows(this.committed, since.tables) : this.committed;
        // The changes again, on what is committed now: nobody's commit is lost.
        next = base;
        polls = [];
        for (const change of batch.changes) {
          const mine: PollChanges[] = [];
          try {
            next = produce(next, (d) => change(d, mine));
            for (const poll of mine) polls.push(poll);
          } catch {
            // It no longer applies on what others committed: it is left out.
          }
        }
        rows = diff(base, next);
        // Others' commits made the change touch an instance not locked: again, with it locked.
        const touched = touchedInstances(rows);
        for (const id of this.summariesDue) touched.add(id);
        const more = [...touched].filter((id) => !locked.has(id));
        if (more.length === 0) break;
        await client.query('ROLLBACK');
        locked = new Set([...locked, ...more]);
      }
      // A worker's store has no results: the summaries of instances a change touches cannot be made.
      if (this.leaves.length > 0 && touchedInstances(rows).size > 0)
        throw new Error("a worker's store commits polls and alerts, not changes to instances or statuses");
      const head = since?.head ?? this.revision;
      let revision = head;
      if (rows.size > 0 || polls.length > 0) {
        revision = head + 1;
        await this.write(client, revision, rows, polls);
      }
      // Each instance's part of the scores, for the first frame of the consoles that open next.
      const due = touchedInstances(rows);
      for (const id of this.summariesDue) due.add(id);
      const summaries = summaryChanges(next, due, this.catalog, new Date());
      await writeSummaries(client, summaries, revision);
      await client.query('COMMIT');
      this.summariesDue.clear();
      this.committed = next;
      this.revision = revision;
      this.polls = [...this.polls, ...(since?.polls ?? []), ...polls];
      this.unwrittenPolls = [];
      this.recompute();
      batch.resolve();
      if (since) this.tell();
    } catch (error) {
      // The connection may be broken (the server restarted): the next commit opens a new one.
      if (client && this.conn === client) this.conn = undefined;
      void client?.end().catch(() => {});
      // Not committed, so not shown: what is shown is what is kept (as the file's failed write).
      const failed = new StoreError(this.file, `cannot be written: ${reason(error)}`);
      batch.reject(failed);
      const later = this.batch;
      this.batch = undefined;
      later?.reject(failed);
      this.unwrittenPolls = [];
      this.data = this.committed;
      this.recompute();
      this.tell();
    }
  }

  /**
   * Finished polls, each committed on its own: only its instance is locked and only its rows are
   * written and read (poll-commit.ts). Without the catalog (no summaries kept): undefined, `update` then.
   */
  commitPolls(polls: readonly PolledInstance[]): Promise<void> | undefined {
    if (!this.catalog || this.early) return undefined; // no summaries kept: today's point needs the document
    if (this.readOnly) return Promise.reject(new Error('the store is open read-only'));
    if (this.closed) return Promise.reject(new StoreError(this.file, 'is closed'));
    return new Promise<void>((resolve, reject) =>
      this.enqueue(async () => {
        let client: pg.Client | undefined;
        try {
          this.check();
          client = await this.connection();
          for (const polled of polls) {
            const done = await commitPoll(client, polled, this.pollContext());
            if (!done) continue; // removed while it was polled
            for (const table of this.leaves) done.rows.delete(table);
            // Shown now; our read of the commit (its NOTIFY) puts the same rows in place again.
            this.committed = applyRows(this.committed, done.rows, false);
            this.recompute();
            this.tell();
          }
          resolve();
        } catch (error) {
          if (client && this.conn === client) this.conn = undefined;
          void client?.end().catch(() => {});
          reject(
            error instanceof StoreError
              ? error
              : new StoreError(this.file, `cannot be written: ${reason(error)}`),
          );
        }
      }),
    );
  }

  /** What a poll's commit needs of what we know. */
  private pollContext(): PollCommitContext {
    const { instances, settings } = this.committed;
    // Which instances count depends on the settings and each instance's id, app and
    // recommendations, not on its last poll (what every other commit changes): made again only
    // when one of those changed (5,000 instances: not at every poll).
    const was = this.notCounted;
    const same =
      was !== undefined &&
      was.settings === settings &&
      was.instances.length === instances.length &&
      instances.every((i, n) => {
        const w = was.instances[n]!;
        return i === w || (i.id === w.id && i.app === w.app && i.recommendations === w.recommendations);
      });
    let notCounted = was?.ids ?? [];
    if (same) was.instances = instances;
    else {
      const counted = new Set(countedInstances(this.committed).map((i) => i.id));
      notCounted = instances.filter((i) => !counted.has(i.id)).map((i) => i.id);
      this.notCounted = { instances, settings, ids: notCounted };
    }
    return {
      revision: this.revision,
      statuses: this.committed.statuses,
      notCounted,
      catalog: this.catalog!,
      operator: this.operator,
      now: new Date(),
      ...(this.pollHeld ? { held: this.pollHeld } : {}),
    };
  }

  /** The instances left out of today's point, as of these instances and settings. */
  private notCounted:
    { instances: readonly Instance[]; settings: StoreDoc['settings']; ids: readonly string[] } | undefined;

  /** Tests: called inside each poll's commit, its instance locked, before its writes. */
  pollHeld: (() => Promise<void>) | undefined;

  /** Inside a commit (the lock held): what others committed after our revision, or undefined. */
  private async readOthers(client: pg.Client): Promise<Since | undefined> {
    const { rows } = await client.query<{ head: string }>(
      'SELECT coalesce(max(revision), 0)::text AS head FROM changes',
    );
    if (Number(rows[0]!.head) <= this.revision) return undefined;
    return await this.fetch(client, true);
  }

  private async fetch(client: pg.ClientBase, inCommit = false): Promise<Since> {
    const since = await readSince(client, this.revision, {
      inCommit,
      ...(this.leaves.length > 0 ? { without: this.leaves, noPolls: true } : {}),
    });
    for (const rows of since.tables.values()) this.stats.rowsFetched += rows.length;
    this.stats.rowsFetched += since.polls.length;
    return since;
  }

  private async write(
    client: pg.Client,
    revision: number,
    tables: Map<Table, Row[]>,
    polls: PollChanges[],
  ): Promise<void> {
    for (const [table, rows] of tables)
      await client.query(
        `INSERT INTO ${table} (key, position, body, revision, deleted)
           SELECT k, p, b::json, $4, b IS NULL FROM unnest($1::text[], $2::int[], $3::text[]) AS t(k, p, b)
         ON CONFLICT (key) DO UPDATE SET position = excluded.position, body = excluded.body,
           revision = excluded.revision, deleted = excluded.deleted`,
        [
          rows.map((r) => r.key),
          rows.map((r) => r.position),
          rows.map((r) => (r.body === undefined ? null : JSON.stringify(r.body))),
          revision,
        ],
      );
    if (polls.length > 0)
      await client.query(
        `INSERT INTO poll_history (revision, at, instance_id, changes)
           SELECT $1, a, i, c::json FROM unnest($2::text[], $3::text[], $4::text[]) AS t(a, i, c)`,
        [
          revision,
          polls.map((p) => p.at),
          polls.map((p) => p.instanceId),
          polls.map((p) => JSON.stringify(p.changes)),
        ],
      );
    const kinds = [...tables.keys(), ...(polls.length > 0 ? ['poll_history'] : [])];
    await client.query('INSERT INTO changes (revision, operator, kinds) VALUES ($1, $2, $3)', [
      revision,
      this.operator,
      kinds,
    ]);
    await client.query('SELECT pg_notify($1, $2)', [CHANNEL, String(revision)]);
  }

  /** What is shown, again: the committed document, our in-memory patches, our changes not yet committed. */
  private recompute(): void {
    let doc = this.committed;
    for (const patch of this.patches) doc = produce(doc, patch);
    for (const change of this.batch?.changes ?? [])
      try {
        doc = produce(doc, (d) => change(d, []));
      } catch {}
    this.data = doc;
  }

  private tell(): void {
    for (const l of this.listeners) l();
  }

  // ---- Following others: LISTEN, and reading only what is new ----

  /** The LISTEN left for after the first frame, started (once); a failure is retried as after a restart. */
  private listenNow(): void {
    if (!this.listenLater || this.closed) return;
    this.listenLater = false;
    this.listen().then(
      () => {
        // Whatever was committed before the LISTEN was announced to nobody here: look once.
        this.stale = true;
        this.catchUp();
      },
      () => this.reconnectLater(),
    );
  }

  private async listen(): Promise<void> {
    const client = PgStore.client(this.url);
    const lost = () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      void client.end().catch(() => {});
      this.reconnectLater();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (msg) => {
      this.stats.notifications++;
      const revision = Number(msg.payload);
      if (Number.isFinite(revision)) this.heard = Math.max(this.heard, revision);
      if (this.heard > this.revision) this.catchUpSoon();
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    if (this.closed) {
      await client.end().catch(() => {}); // closed while this one connected
      return;
    }
    this.listener = client;
    this.backoff = this.backoffMs;
  }

  /** The server went away: try again, waiting longer each time, and read what was missed meanwhile. */
  private reconnectLater(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.closed) return;
      this.listen().then(
        () => {
          this.stale = true; // anything missed while away is read now
          this.catchUp();
        },
        () => {
          this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
          this.reconnectLater();
        },
      );
    }, this.backoff);
    this.reconnectTimer.unref();
  }

  /** An announcement heard: read it now, or with those heard within `followEveryMs` (a worker). */
  private catchUpSoon(): void {
    if (this.followEveryMs <= 0) return this.catchUp();
    this.followTimer ??= setTimeout(() => {
      this.followTimer = undefined;
      this.catchUp();
    }, this.followEveryMs).unref();
  }

  /** Whatever was committed until now is read and in the document (not waiting for a gathered read). */
  async caughtUp(): Promise<void> {
    clearTimeout(this.followTimer);
    this.followTimer = undefined;
    this.stale = true;
    this.catchUp();
    await this.flush();
  }

  private catchUp(): void {
    if (this.catchUpQueued || this.closed) return;
    this.catchUpQueued = true;
    this.enqueue(async () => {
      this.catchUpQueued = false;
      if (this.closed || (!this.stale && this.heard <= this.revision)) return;
      this.stale = false;
      try {
        this.catchUps++;
        const since = await this.fetch(await this.connection());
        if (since.head <= this.revision) return;
        this.committed = applyRows(this.committed, since.tables);
        this.revision = since.head;
        if (since.polls.length > 0) this.polls = [...this.polls, ...since.polls];
        this.recompute();
        this.tell();
      } catch {
        // The server is away, or still starting: look again a little later.
        this.conn = undefined;
        this.stale = true;
        setTimeout(() => this.catchUp(), this.backoff).unref();
      }
    });
  }

  patchInMemory(change: (doc: StoreDoc) => void): void {
    this.check();
    this.patches.push(change);
    this.data = produce(this.data, change);
    this.tell();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async flush(): Promise<void> {
    while (this.working > 0) await this.work;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.followTimer);
    const clients = [this.conn, this.listener];
    this.conn = this.listener = undefined;
    await Promise.all(clients.map((c) => c?.end().catch(() => {})));
  }
}
