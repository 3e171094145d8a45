import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fsyncSync,
  linkSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
  writevSync as fsWritevSync,
} from 'node:fs';
import {
  type FileHandle,
  open as openAsync,
  rename as renameAsync,
  unlink as unlinkAsync,
} from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { refuseIfNotRegular } from '../files.js';
import { type CommitStep, reached } from './crash-points.js';

export interface AtomicOptions {
  /** Keep the replaced file as `<file>.bak`. */
  backup?: boolean;
  /** The commit's steps this write is (for the crash tests): written and synced, and renamed. */
  steps?: { written: CommitStep; renamed: CommitStep };
}

// Created, never opened: O_EXCL fails on anything already there, a planted symbolic link
// included, so the text cannot be written through one to a file of the planter's choosing.
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/** A temporary file's name beside `file`: unpredictable, so it cannot be planted in advance. */
export function temporaryName(file: string): string {
  return join(dirname(file), `${basename(file)}.${process.pid}.${randomBytes(8).toString('hex')}.tmp`);
}

/** Whether a name in the store's folder is one of `temporaryName`'s for `name`. */
export function isTemporaryName(name: string, entry: string): boolean {
  // Older postures used a counter where the random part now is.
  return entry.startsWith(`${name}.`) && /^\d+\.[0-9a-f]+\.tmp$/.test(entry.slice(name.length + 1));
}

/**
 * Write a whole file or nothing: a reader (or a crash) sees the old file or the new one, never
 * half. The file is created mode 0600 beside the target, synced, then renamed over it. A target
 * that exists and is not a regular file (a device, a FIFO) is refused: the rename would replace it.
 */
export function writeAtomic(
  file: string,
  text: string | Uint8Array | readonly string[] | readonly Uint8Array[],
  options: AtomicOptions = {},
): void {
  refuseIfNotRegular(file);
  const tmp = temporaryName(file);
  let created = false;
  try {
    const fd = openSync(tmp, CREATE_FLAGS, 0o600);
    created = true;
    try {
      // A long text may come in pieces (an export): written in order, never joined into one string.
      if (text instanceof Uint8Array) writeSync(fd, text);
      else if (typeof text === 'string') writeSync(fd, text);
      else if (isBytes(text)) writevSync(fd, text);
      else for (const part of text as readonly string[]) writeSync(fd, part);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (options.backup) keepBackup(file);
    if (options.steps) reached(options.steps.written);
    renameSync(tmp, file);
    if (options.steps) reached(options.steps.renamed);
  } catch (error) {
    // A full disk or a missing folder: leave no temporary file behind, and the old file as it was.
    // Only ours is removed: a name we failed to create belongs to someone else.
    if (created)
      try {
        unlinkSync(tmp);
      } catch {}
    throw error;
  }
  // Make the rename itself durable: without this a power cut may bring back the old file.
  try {
    const dir = openSync(dirname(file), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // Not every platform lets a directory be opened or synced; the rename is still atomic.
  }
}

/**
 * `writeAtomic` with the writing and syncing done off the main thread: the same steps in the same
 * order, so the same guarantees; the caller keeps drawing frames while the disk works.
 */
export async function writeAtomicAsync(
  file: string,
  text: string | Uint8Array | readonly Uint8Array[] | Iterable<string | Uint8Array>,
  options: AtomicOptions = {},
): Promise<void> {
  refuseIfNotRegular(file);
  const tmp = temporaryName(file);
  let created = false;
  try {
    const handle = await openAsync(tmp, CREATE_FLAGS, 0o600);
    created = true;
    try {
      if (typeof text === 'string' || text instanceof Uint8Array) await handle.writeFile(text);
      else if (Array.isArray(text) && isBytes(text)) await writeAll(handle, text);
      else await writeAhead(handle, text as Iterable<string | Uint8Array>);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.backup) keepBackup(file);
    if (options.steps) reached(options.steps.written);
    await renameAsync(tmp, file);
    if (options.steps) reached(options.steps.renamed);
  } catch (error) {
    if (created)
      try {
        await unlinkAsync(tmp);
      } catch {}
    throw error;
  }
  try {
    const dir = await openAsync(dirname(file), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {}
}

const isBytes = (text: readonly unknown[]): text is readonly Uint8Array[] =>
  text.every((p) => p instanceof Uint8Array);

/** Pieces written in order, gathered into as few calls as the system allows, whatever is short. */
function writevSync(fd: number, parts: readonly Uint8Array[]): void {
  let rest = [...parts];
  while (rest.length > 0) rest = unwritten(rest, fsWritevSync(fd, rest.slice(0, IOV_MAX)));
}

async function writeAll(handle: FileHandle, parts: readonly Uint8Array[]): Promise<void> {
  let rest = [...parts];
  while (rest.length > 0) rest = unwritten(rest, (await handle.writev(rest.slice(0, IOV_MAX))).bytesWritten);
}

/**
 * Pieces made as they are taken (an export's), each written while the next is made: the disk's
 * work runs beside the making, on another core. A piece is taken only once the one before the
 * last is written (a maker may reuse its buffer then: output.ts jsonPieces). What is written is flushed to the disk as it goes
 * (one flush at a time, every `SYNC_EVERY` bytes), so the sync before the rename finds little left:
 * at the end of a 94 MB export nothing else overlaps it.
 */
async function writeAhead(handle: FileHandle, pieces: Iterable<string | Uint8Array>): Promise<void> {
  let pending: Promise<unknown> = Promise.resolve();
  let flushing: Promise<unknown> = Promise.resolve();
  let unflushed = 0;
  try {
    for (const piece of pieces) {
      const bytes = typeof piece === 'string' ? encoded(piece) : piece;
      await pending;
      unflushed += bytes.length;
      if (unflushed >= SYNC_EVERY) {
        unflushed = 0;
        // Not awaited here: the next flush waits for this one, and the final sync for both.
        flushing = flushing.then(() => handle.datasync());
      }
      pending = writeAll(handle, [bytes]);
    }
  } finally {
    // A piece that could not be made: its predecessor's write ends before the file is closed.
    await pending.catch(() => {});
    await flushing.catch(() => {});
  }
  await pending;
  await flushing;
}

/** Bytes written between two flushes of a long file. */
const SYNC_EVERY = 16 * 1024 * 1024;

/**
 * A piece as UTF-8. Text that is all ASCII (an export's, almost always) has the same bytes in
 * Latin-1, which is a copy where UTF-8 is a scan: at 94 MB, 40 against 85 ms. The length in UTF-8
 * is the number of code units exactly when every unit is below 0x80.
 */
export function encoded(piece: string): Buffer {
  return Buffer.from(piece, Buffer.byteLength(piece) === piece.length ? 'latin1' : 'utf8');
}

/** A system's limit on pieces a call (1,024 on Linux and macOS). */
const IOV_MAX = 1024;

/** What is left after `written` bytes of `parts` went out. */
export function unwritten(parts: Uint8Array[], written: number): Uint8Array[] {
  let i = 0;
  while (i < parts.length && written >= parts[i]!.length) written -= parts[i++]!.length;
  const rest = parts.slice(i);
  if (written > 0) rest[0] = rest[0]!.subarray(written);
  return rest;
}

/** Keep the last good file beside the new one, by hard link: no copy, no window without a file. */
function keepBackup(file: string): void {
  // link() and rename() act on names and never follow a link planted at `.bak.tmp` or `.bak`.
  try {
    const bak = `${file}.bak`;
    try {
      unlinkSync(`${bak}.tmp`);
    } catch {}
    linkSync(file, `${bak}.tmp`);
    renameSync(`${bak}.tmp`, bak);
  } catch {
    // No previous file yet.
  }
}
