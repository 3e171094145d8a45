import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/** How long a burst of events settles before the file is looked at (a rename is several events). */
const SETTLE_MS = 50;
/** The fallback: where the folder cannot be watched (or events are lost), the file is looked at this often. */
const POLL_MS = 1_000;

/**
 * Call `changed` soon after `file` may have been replaced: on the folder's events (a commit is a
 * rename into the folder), settled, and every second besides. The caller tells whether it really
 * changed (its identity on disk); this only says when to look. Never keeps the program alive.
 */
export function watchFolder(file: string, changed: () => void): () => void {
  const name = basename(file);
  let timer: NodeJS.Timeout | undefined;
  const soon = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      changed();
    }, SETTLE_MS);
    timer.unref();
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(file), { persistent: false }, (_event, entry) => {
      if (entry === null || entry === name || entry.startsWith(`${name}.history`)) soon();
    });
    watcher.on('error', () => watcher?.close());
  } catch {
    // No watching here (some network file systems): the timer below still looks.
  }
  const poll = setInterval(changed, POLL_MS);
  poll.unref();
  return () => {
    watcher?.close();
    clearInterval(poll);
    if (timer) clearTimeout(timer);
  };
}
