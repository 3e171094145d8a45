import { closeSync, fsyncSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

let tmpCounter = 0;

/** Write a whole file or nothing: a reader (or a crash) sees the old file or the new one, never half. */
export function writeAtomic(file: string, text: string, options: { backup?: boolean } = {}): void {
  const tmp = `${file}.${process.pid}.${tmpCounter++}.tmp`;
  try {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (options.backup) keepBackup(file);
    renameSync(tmp, file);
  } catch (error) {
    // A full disk or a missing folder: leave no temporary file behind, and the old file as it was.
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

/** Keep the last good file beside the new one, by hard link: no copy, no window without a file. */
function keepBackup(file: string): void {
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
