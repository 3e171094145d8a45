import { join } from 'node:path';
import { openStore } from '../../source/store/open.js';
import type { OpenOptions, Store } from '../../source/store/store.js';
import { disposeWhenDone } from './cleanup.js';
import { freshDatabase } from './postgres.js';
import { tempDir } from './temp.js';

/** A back end the store's behavioural tests run against: where a new, empty store is, and how to open it. */
export interface Backend {
  name: string;
  /** A location with no workspace yet: a file path, or a fresh database's URL. */
  location(): Promise<string>;
}

export const BACKENDS: Backend[] = [
  { name: 'the JSON file', location: async () => join(tempDir(), 'store.json') },
  { name: 'PostgreSQL', location: () => freshDatabase() },
];

/** Open a store of either back end for a test; closed when the test ends. */
export async function openAny(location: string, options: OpenOptions = {}): Promise<Store> {
  const store = await openStore(location, options);
  disposeWhenDone(() => store.close());
  return store;
}
