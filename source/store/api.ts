import type { PollChanges, PollOutcome, Result, StoreDoc } from '../domain/schemas.js';
import type { DocScores } from '../domain/scoring.js';

/** A change to the document; it may also add polls to the history (appended with the commit). */
export type Change = (doc: StoreDoc, history: PollChanges[]) => void;

/** One instance's finished poll: its outcome, and its results when it read any. */
export interface PolledInstance {
  instanceId: string;
  /** When it finished (ISO). */
  at: string;
  outcome: PollOutcome['outcome'];
  durationMs: number;
  error?: string;
  /** Absent: the earlier results and score are kept. */
  results?: readonly Result[];
}

/**
 * What every command and the console use, whichever back end holds the workspace: the JSON file
 * (store.ts, the embedded default) or PostgreSQL (a team's). A change applies to the document in
 * memory at once and is committed after; subscribers hear of every change, ours and others'.
 */
export interface Store {
  /** Where the store is, for messages: a file path, or a database URL without its password. */
  readonly file: string;
  /**
   * Which back end: on PostgreSQL, polling is the workers' job (`posture worker`), so a console
   * does not poll on its own timer (every open console would poll every due instance).
   */
  readonly backend: 'file' | 'postgres';
  readonly doc: StoreDoc;
  readonly readOnly: boolean;
  /** Why we are read-only when the user did not ask for it (another posture holds the lock). */
  readonly notice: string | undefined;
  /** Poll history, oldest first (90 days). */
  history(): readonly PollChanges[];
  /** Check a document opened with `checkLater` against the schema; throws StoreError on a mismatch. */
  check(): void;
  /** `check()` without blocking keys (on PostgreSQL, after reading the results the first frame did without). */
  checkInBackground(): Promise<void>;
  /**
   * The scores while the document's results are not read yet (its `results` are empty till then):
   * a console on PostgreSQL draws its first frame from these. Undefined once the document is whole.
   */
  earlyScores?(): DocScores | undefined;
  /** Apply a change; resolves once it is committed, rejects (and undoes it in memory) when it cannot be. */
  update(change: Change): Promise<void>;
  /**
   * Commit finished polls each on its own, writing only its instance's rows (PostgreSQL: polls of
   * different instances commit at once). Absent, or undefined returned (it cannot here): the
   * poller commits them with `update`.
   */
  commitPolls?(polls: readonly PolledInstance[]): Promise<void> | undefined;
  /**
   * Everything committed until now is in `doc`: for a store that reads others' commits a little
   * after they are announced (a worker's). Absent: `doc` follows them as they come.
   */
  caughtUp?(): Promise<void>;
  /** Change the document in memory only (read-only sessions, e.g. the demo's simulator address). */
  patchInMemory(change: (doc: StoreDoc) => void): void;
  /** Be told after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Every change made so far is committed (or has failed). */
  flush(): Promise<void>;
  /** Let go of the store once the changes made are committed. */
  close(): Promise<void>;
}
