import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  type Stats,
  statSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Files named on the command line (the store, key bindings): read only when they are regular
 * files, and failures worded without the file's content or Node's message.
 */

/** What a path is, in words, when it is not a regular file. */
function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a FIFO';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Thrown for a FIFO, a device, a socket or a folder: reading one may block forever, or never end. */
export class NotRegularFileError extends Error {
  readonly code = 'ENOTREG';
  constructor(kind: string) {
    super(kind === 'not a regular file' ? kind : `is ${kind}, not a regular file`);
  }
}

/** Throws NotRegularFileError unless `s` is a regular file's. */
export function mustBeRegular(s: Stats): void {
  if (!s.isFile()) throw new NotRegularFileError(kindOf(s));
}

// Opened without blocking (a FIFO opened for reading waits for a writer, in a thread that even
// process.exit waits for) and without becoming our controlling terminal.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/**
 * The whole text of a regular file. Checked before it is opened (opening a device can have
 * effects of its own) and again once open (it may have been swapped in between).
 */
export async function readRegularFile(file: string): Promise<string> {
  mustBeRegular(statSync(file));
  const handle = await open(file, READ_FLAGS);
  try {
    mustBeRegular(await handle.stat());
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** The same, synchronously (the key bindings, read before the console starts). */
export function readRegularFileSync(file: string): string {
  mustBeRegular(statSync(file));
  const fd = openSync(file, READ_FLAGS);
  try {
    mustBeRegular(fstatSync(fd));
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** An existing path that is not a regular file, refused before anything is written beside it. */
export function refuseIfNotRegular(file: string): void {
  let s: Stats;
  try {
    s = statSync(file);
  } catch {
    return; // absent, or unreadable: the open that follows says why
  }
  mustBeRegular(s);
}

/**
 * Make a folder and the missing ones above it, mode 0700. One level at a time: Node's recursive
 * mkdir reports ENOENT where the file system said EROFS, and the reason shown would be wrong.
 */
export function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    try {
      mustBeFolder(statSync(d));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(d) === d) throw error;
      missing.push(d);
    }
  }
  for (const d of missing.reverse())
    try {
      mkdirSync(d, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // made meanwhile: fine
    }
}

function mustBeFolder(s: Stats): void {
  if (!s.isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR', syscall: 'mkdir' });
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'is a folder',
  ELOOP: 'too many levels of symbolic links',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  ENAMETOOLONG: 'name too long',
  ENOENT: 'no such file or folder',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EIO: 'input/output error',
  EBUSY: 'busy',
  ENXIO: 'no such device',
  ENODEV: 'no such device',
  ETXTBSY: 'text file busy',
  EXDEV: 'on another file system',
};

/**
 * Why a file operation failed, in a few words and its code ("read-only file system (EROFS)").
 * Never Node's message: it repeats the path (a temporary file's, not the one the user named).
 */
export function fsReason(error: unknown): string {
  if (error instanceof NotRegularFileError) return error.message;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'unexpected error';
  const words = REASONS[code];
  return words ? `${words} (${code})` : code;
}

/** Whether an error is one of the file system's (it has an errno code), rather than a bug. */
export function isFsError(error: unknown): boolean {
  if (error instanceof NotRegularFileError) return true;
  const e = error as { code?: unknown; syscall?: unknown } | null;
  return typeof e?.code === 'string' && typeof e.syscall === 'string';
}
