import {
  closeSync,
  fstatSync,
  fsyncSync,
  openSync,
  readSync,
  statSync,
  ftruncateSync,
  writeSync,
} from 'node:fs';
import { type PollChanges, PollChangesSchema } from '../domain/schemas.js';
import { readRegularFileSync } from '../files.js';
import { writeAtomic } from './atomic.js';

/*
 * Poll history lives beside the state file, one JSON line per poll, appended and never rewritten
 * by a commit. Each line carries the number of the commit it belongs to; the state file carries
 * the number of its last commit. A commit appends (and syncs) its lines before it renames the
 * state file into place, so a writer killed in between leaves lines of a commit that never
 * happened: readers skip lines numbered past the state's, and the next writer cuts them off.
 */

/** Poll history older than this is dropped when the file is compacted, and not shown. */
export const POLL_HISTORY_DAYS = 90;
/** The file is compacted when it has doubled since it was last compacted, and is at least this big. */
const COMPACT_FROM_BYTES = 1 << 20;
/** How far back from the end the writer looks for lines of an unfinished commit. */
const TAIL_CHUNK = 64 * 1024;

export const historyPath = (file: string): string => `${file}.history.jsonl`;

export const historyCutoff = (now: number): string =>
  new Date(now - POLL_HISTORY_DAYS * 86_400_000).toISOString();

interface Line {
  commit: number;
  poll: PollChanges;
}

function parseLine(text: string): Line | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const commit = (raw as { commit?: unknown } | null)?.commit;
  if (typeof commit !== 'number') return undefined;
  const poll = PollChangesSchema.safeParse(raw);
  return poll.success ? { commit, poll: poll.data } : undefined;
}

export const historyLine = (poll: PollChanges, commit: number): string =>
  `${JSON.stringify({ commit, at: poll.at, instanceId: poll.instanceId, changes: poll.changes })}\n`;

/**
 * The polls of commits up to `commit`, oldest first (those older than `cutoff` left out when
 * given: compacting). A missing file is none.
 */
export function readHistory(path: string, commit: number, cutoff = ''): PollChanges[] {
  let text: string;
  try {
    text = readRegularFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return pollsIn(text, commit, cutoff);
}

function pollsIn(text: string, commit: number, cutoff: string): PollChanges[] {
  const out: PollChanges[] = [];
  // A line that does not parse (a hand edit, a torn write) is skipped: history is a record, not state.
  for (const text1 of text.split('\n')) {
    if (text1 === '') continue;
    const line = parseLine(text1);
    if (line && line.commit <= commit && line.poll.at >= cutoff) out.push(line.poll);
  }
  return out;
}

/**
 * The writer's side: cuts off what a killed commit left, appends a commit's lines durably, and
 * compacts the file when it has grown. Only the lock holder makes one.
 */
export class HistoryWriter {
  private compactedAt: number;

  constructor(readonly path: string) {
    this.compactedAt = sizeOf(path);
  }

  /** Cut off lines of commits after `commit`, and a torn last line: what a killed writer left. */
  repair(commit: number): void {
    let fd: number;
    try {
      fd = openSync(this.path, 'r+');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    try {
      const size = fstatSync(fd).size;
      const keep = keptLength(fd, size, commit);
      if (keep < size) {
        ftruncateSync(fd, keep);
        fsyncSync(fd);
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Append a commit's lines and sync them; on failure the file is cut back to what it was. */
  append(polls: readonly PollChanges[], commit: number): void {
    if (polls.length === 0) return;
    const text = polls.map((p) => historyLine(p, commit)).join('');
    const fd = openSync(this.path, 'a', 0o600);
    try {
      const before = fstatSync(fd).size;
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } catch (error) {
        try {
          ftruncateSync(fd, before);
        } catch {}
        throw error;
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Rewrite the file without polls older than `cutoff` once it has doubled since the last time. */
  compactIfGrown(commit: number, cutoff: string): void {
    const size = sizeOf(this.path);
    if (size < COMPACT_FROM_BYTES || size < 2 * this.compactedAt) return;
    const polls = readHistory(this.path, commit, cutoff);
    const text = polls.map((p) => historyLine(p, commit)).join('');
    // Whole or not at all: a crash keeps the longer file.
    writeAtomic(this.path, text, { steps: { written: 'compaction-written', renamed: 'compaction-renamed' } });
    this.compactedAt = Math.max(Buffer.byteLength(text), COMPACT_FROM_BYTES / 2);
  }

  /** Replace the whole file (a migration from a store that kept history inside it). */
  replace(polls: readonly PollChanges[], commit: number): void {
    writeAtomic(this.path, polls.map((p) => historyLine(p, commit)).join(''));
    this.compactedAt = sizeOf(this.path);
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The length of the file up to the end of its last whole line of a commit at or before `commit`. */
function keptLength(fd: number, size: number, commit: number): number {
  // Read a growing window back from the end until it holds such a line (usually the last one).
  for (let from = Math.max(0, size - TAIL_CHUNK); ; from = Math.max(0, from - 4 * TAIL_CHUNK)) {
    const buf = Buffer.alloc(size - from);
    readSync(fd, buf, 0, buf.length, from);
    // A window that starts inside a line begins after its first newline.
    let start = from === 0 ? 0 : buf.indexOf(10) + 1;
    let keep = -1;
    if (start > 0 || from === 0)
      for (let nl = buf.indexOf(10, start); nl >= 0; start = nl + 1, nl = buf.indexOf(10, start)) {
        const line = parseLine(buf.toString('utf8', start, nl));
        if (line && line.commit <= commit) keep = nl + 1;
      }
    if (keep >= 0) return from + keep;
    if (from === 0) return 0;
  }
}
