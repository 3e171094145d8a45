import { existsSync } from 'node:fs';
import type { Store } from './api.js';
import { isPostgresUrl } from './postgres/url.js';
import { FileStore, type OpenOptions } from './store.js';

export { isPostgresUrl } from './postgres/url.js';

export interface OpenStoreOptions extends OpenOptions {
  /**
   * For `posture worker`: on PostgreSQL, a store that reads and follows only what a worker polls
   * from (the instances, settings, statuses and alert queue), not every poll's results.
   */
  worker?: boolean;
}

/**
 * Open the store at `location`: a PostgreSQL URL (postgres:// or postgresql://) is a team's
 * database, anything else the JSON file. The PostgreSQL back end and its driver are loaded only
 * when one is used: the file store pays nothing for it at start-up.
 */
export async function openStore(location: string, options: OpenStoreOptions = {}): Promise<Store> {
  const { worker, ...rest } = options;
  if (!isPostgresUrl(location)) return await FileStore.open(location, rest);
  const { PgStore } = await import('./postgres/store.js');
  const catalog = rest.catalog;
  if (worker && catalog && !rest.readOnly) return await PgStore.openWorker(location, { ...rest, catalog });
  return await PgStore.open(location, rest);
}

/**
 * Whether a store already holds a workspace: a file that exists, or a database with a commit.
 * `store copy` writes only into one that does not.
 */
export function holdsWorkspace(store: Store): boolean {
  if ('lastRevision' in store) return (store as { lastRevision: number }).lastRevision > 0;
  return existsSync(store.file);
}
