import { userInfo } from 'node:os';
import { type Catalog, loadCatalog } from '../catalog/index.js';
import { defaultStore, demoStore } from '../paths.js';
import type { Simulator } from '../simulator/server.js';
import { Store } from '../store/store.js';

export interface GlobalFlags {
  store?: string | undefined;
  demo: boolean;
  readOnly: boolean;
  color: boolean;
}

/** Output streams, so commands can be run and tested without a process of their own. */
export interface IO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** A usage or input error: one clear line on stderr, exit 2, store untouched. */
export class UsageError extends Error {}

export interface Context {
  store: Store;
  catalog: Catalog;
  demo?: Simulator;
  io: IO;
  flags: GlobalFlags;
  user: string;
  close(): Promise<void>;
}

export function storePath(flags: GlobalFlags, env: NodeJS.ProcessEnv): string {
  if (flags.store) return flags.store;
  return flags.demo ? demoStore(env) : defaultStore(env);
}

export function osUser(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER || env.USERNAME || 'unknown';
  }
}

/**
 * Open the store (and the demo simulator with --demo) for a command or the console. With
 * `checkLater` the store is checked against its schema by the caller (`store.check()`).
 */
export async function openContext(flags: GlobalFlags, io: IO, checkLater = false): Promise<Context> {
  const catalog = loadCatalog();
  const store = await Store.open(storePath(flags, io.env), { readOnly: flags.readOnly, checkLater });
  let demo: Simulator | undefined;
  try {
    // The simulator is loaded only for the demo.
    if (flags.demo) demo = await (await import('../simulator/demo.js')).startDemo(store, io.env);
  } catch (error) {
    store.close();
    throw error;
  }
  return {
    store,
    catalog,
    ...(demo ? { demo } : {}),
    io,
    flags,
    user: osUser(io.env),
    async close() {
      await demo?.close();
      store.close();
    },
  };
}
