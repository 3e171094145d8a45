import { type OpenOptions, FileStore, type Store } from '../../source/store/store.js';
import { disposeWhenDone } from './cleanup.js';

/** Open a store for a test; it is closed (its lock released) when the test ends. */
export async function openStore(file: string, options: OpenOptions = {}): Promise<Store> {
  const store = await FileStore.open(file, options);
  disposeWhenDone(() => store.close());
  return store;
}
