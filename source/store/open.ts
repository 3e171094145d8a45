import { existsSync } from 'node:fs';
import type { Store } from './api.js';
import { isPostgresUrl } from './postgres/url.js';
import { FileStore, type OpenOptions } from './store.js';

export { isPostgresUrl } from './postgres/url.js';

/**
 * Open the store at `location`: a PostgreSQL URL (postgres:// or postgresql://) is a team's
 * database, anything else the JSON file. The PostgreSQL back end and its driver are loaded only
 * when one is used: the file store pays nothing for it at start-up.
 */
export async function openStore(location: string, options: OpenOptions = {}): Promise<Store> {
  if (!isPostgresUrl(location)) return await FileStore.open(location, options);
  const { PgStore } = await import('./postgres/store.js');
  return await PgStore.open(location, options);
}

/**
 * Whether a store already holds a workspace: a file that exists, or a database with a commit.
 * `store copy` writes only into one that does not.
 */
export function holdsWorkspace(store: Store): boolean {
  if ('lastRevision' in store) return (store as { lastRevision: number }).lastRevision > 0;
  return existsSync(store.file);
}
