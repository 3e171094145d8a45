import { STORE_VERSION } from '../domain/schemas.js';

type Versioned = { version: number } & Record<string, unknown>;

/**
 * One step per schema version: MIGRATIONS[n] turns a version-n document into version n+1.
 * Version 1 is the first; later versions add their step here, and a test loads a file of
 * every earlier version.
 */
const MIGRATIONS: Record<number, (doc: Versioned) => Versioned> = {
  // Poll history leaves the document for a file of its own; the store moves it (store.ts).
  1: ({ polls: _, ...doc }) => ({ ...doc, version: 2 }),
  // The file's layout changes (store/format.ts), the document does not; the first writer rewrites it.
  2: (doc) => ({ ...doc, version: 3 }),
};

export function migrate(doc: Versioned): Versioned {
  let cur = doc;
  while (cur.version < STORE_VERSION) {
    const step = MIGRATIONS[cur.version];
    if (!step) throw new Error(`no migration from schema version ${cur.version}`);
    cur = step(cur);
  }
  return cur;
}
