import { userInfo } from 'node:os';
import { type Catalog, loadCatalog } from '../catalog/index.js';
import { defaultStore, demoStore } from '../paths.js';
import type { Simulator } from '../simulator/server.js';
import { isPostgresUrl, openStore } from '../store/open.js';
import { checkUnlessKnown, versionOf } from './checked-stores.js';
import { NoStoreError, type Store } from '../store/store.js';
import type { CommandName } from './spec.js';

export interface GlobalFlags {
  store?: string | undefined;
  demo: boolean;
  readOnly: boolean;
  color: boolean;
  /** Who makes the changes (statuses' `by`, and each commit's record): --operator, else the OS user. */
  operator?: string | undefined;
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
 * Whether a command writes the store, and so may create it. The console, connect and poll make the
 * store they are pointed at (its folders too); the demo makes its own workspace and polls it. The
 * others only read: they take no lock and create nothing, and a mistyped --store is an error, not
 * an empty store that a CI gate would pass on.
 */
export function writesStore(command: CommandName | undefined, interactive: boolean, demo: boolean): boolean {
  return demo || interactive || command === 'connect' || command === 'poll' || command === 'worker';
}

export interface OpenContextOptions {
  /** The command being run (undefined: the console, or the status without a terminal). */
  command?: CommandName | undefined;
  /** The console on a terminal. */
  interactive?: boolean;
  /** The store is checked against its schema by the caller (`store.check()`). */
  checkLater?: boolean;
  /** The command writes the store this time (`alerts` when it changes a setting). */
  writes?: boolean;
  /** Told once a database has been sent the store's first read (OpenOptions.onFirstRead). */
  onFirstRead?: () => void;
}

/** Open the store (and the demo simulator with --demo) for a command or the console. */
export async function openContext(flags: GlobalFlags, io: IO, o: OpenContextOptions = {}): Promise<Context> {
  const catalog = loadCatalog();
  const file = storePath(flags, io.env);
  const writes = o.writes === true || writesStore(o.command, o.interactive === true, flags.demo);
  const user = flags.operator ?? osUser(io.env);
  let store: Store;
  // A command that only reads a file store checks it unless this posture already has, unchanged.
  const known = !writes && o.checkLater !== true && !isPostgresUrl(file);
  const before = known ? versionOf(file) : undefined;
  try {
    store = await openStore(file, {
      readOnly: flags.readOnly || !writes,
      create: writes,
      checkLater: o.checkLater === true || known,
      // The console shows what other postures commit (a poll, connect, another console).
      watch: o.interactive === true,
      // A worker polls from the instances: on PostgreSQL it leaves every poll's results unread.
      worker: o.command === 'worker',
      operator: user,
      ...(o.onFirstRead ? { onFirstRead: o.onFirstRead } : {}),
      // Not for a command that reads a file store whole: with the catalog the file is read as the
      // console reads it (its result lines after a first frame drawn from the summaries), and the
      // check below would compare a document without results, never skipping the check again.
      ...(known ? {} : { catalog: catalog.byId }),
    });
  } catch (error) {
    if (error instanceof NoStoreError)
      throw new UsageError(`no store at ${error.file} (posture connect creates one)`);
    throw error;
  }
  if (known)
    try {
      checkUnlessKnown(store, before, io.env);
    } catch (error) {
      await store.close();
      throw error;
    }
  let demo: Simulator | undefined;
  try {
    // The simulator is loaded only for the demo.
    if (flags.demo) demo = await (await import('../simulator/demo.js')).startDemo(store, io.env);
  } catch (error) {
    await store.close();
    throw error;
  }
  return {
    store,
    catalog,
    ...(demo ? { demo } : {}),
    io,
    flags,
    user,
    async close() {
      await demo?.close();
      await store.close();
    },
  };
}
