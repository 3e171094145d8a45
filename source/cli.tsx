import meow from 'meow';
import pkg from '../package.json' with { type: 'json' };
import { CatalogError } from './catalog/index.js';
import { type AlertsOptions, alerts, changesAlerts, checkAlerts } from './commands/alerts.js';
import { check, parseMinScore } from './commands/check.js';
import type { ConnectOptions } from './commands/connect.js';
import {
  type Context,
  type GlobalFlags,
  type IO,
  openContext,
  storePath,
  osUser,
  UsageError,
} from './commands/context.js';
import { exportCommand, type Format, parseFormat, parseSarifOptions } from './commands/export.js';
import {
  COMMAND_NAMES,
  COMMANDS,
  type CommandName,
  FLAGS,
  type Flag,
  type FlagKey,
  flagName,
  GLOBAL_FLAGS,
  helpText,
  meowFlags,
} from './commands/spec.js';
import { instances } from './commands/instances.js';
import { status } from './commands/status.js';
import { frameworkCheck, frameworkExport, frameworkStatus, listFrameworks } from './commands/frameworks.js';
import { isPostgresUrl } from './store/open.js';
import { StoreError } from './store/store.js';
import { sanitize } from './text/sanitize.js';

/** The flags once checked: each declared one with its type (meow also keeps undeclared ones, refused). */
type Flags = {
  [K in FlagKey]?: (typeof FLAGS)[K] extends { multiple: true }
    ? string[]
    : (typeof FLAGS)[K]['type'] extends 'boolean'
      ? boolean
      : (typeof FLAGS)[K]['type'] extends 'number'
        ? number | null
        : string;
};

const noop = () => {};

const isFlag = (key: string): key is FlagKey => Object.hasOwn(FLAGS, key);

/** Whether a flag was given: meow lists a repeatable flag as [] when it was not. */
const given = (value: unknown) => value !== undefined && !(Array.isArray(value) && value.length === 0);

function parse(argv: string[]): { input: string[]; flags: Record<string, unknown> } {
  try {
    // Unknown flags are kept (camelCased) and refused below: meow itself would print two lines and exit.
    const cli = meow({
      importMeta: import.meta,
      argv,
      pkg,
      description: false,
      autoHelp: false,
      autoVersion: false,
      allowUnknownFlags: true,
      booleanDefault: undefined,
      flags: meowFlags(),
    });
    return { input: cli.input, flags: cli.flags };
  } catch (error) {
    // meow throws for a flag given twice: "The flag --name can only be set once."
    throw new UsageError((error as Error).message.replace(/\.$/, ''));
  }
}

function wholeNumber(
  value: number | null | undefined,
  flag: string,
  min: number,
  max: number,
  fallback: number,
) {
  if (value === undefined) return fallback;
  // meow gives null for a value that is not a number.
  if (value === null || !Number.isInteger(value) || value < min || value > max)
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}`);
  return value;
}

function exportFormat(f: Flags): Format {
  const format = parseFormat(f.format);
  parseSarifOptions(format, f.instance, f.category);
  if (f.framework !== undefined && !['json', 'markdown', 'csv'].includes(format))
    throw new UsageError(`--framework exports json, markdown or csv, not ${format}`);
  return format;
}

/** What the command line asks for, every part of it checked before anything is opened. */
type Invocation =
  | { print: string }
  | {
      name: CommandName | undefined;
      flags: Flags;
      global: GlobalFlags;
      json: boolean;
      limit: number;
      concurrency: number;
      format?: Format;
      minScore?: number;
      connect: ConnectOptions;
      alerts: AlertsOptions;
      copy?: { from: string; to: string };
    };

/** Read and check the command line; bad input is a UsageError before any store is opened. */
export function readCommandLine(argv: string[]): Invocation {
  const cli = parse(argv);
  const raw = cli.flags;
  const unknown = Object.keys(raw).find((key) => !isFlag(key));
  if (unknown) throw new UsageError(`unknown flag ${flagName(unknown)} (see posture --help)`);
  const [first, ...rest] = cli.input;
  if (first !== undefined && !(COMMAND_NAMES as readonly string[]).includes(first))
    throw new UsageError(
      `unknown command "${first}" (one of ${COMMAND_NAMES.join(', ')}; see posture --help)`,
    );
  const name = first as CommandName | undefined;
  const allowed = new Set<FlagKey>([...GLOBAL_FLAGS, ...COMMANDS[name ?? 'console'].flags.map((u) => u.key)]);
  const setFlags = Object.keys(raw).filter((key): key is FlagKey => isFlag(key) && given(raw[key]));
  const stray = setFlags.find((key) => !allowed.has(key));
  const command = `posture${name ? ` ${name}` : ''}`;
  if (stray)
    throw new UsageError(`${flagName(stray)} is not an option of ${command} (see ${command} --help)`);
  if (raw.help) return { print: helpText(name ?? 'console') };
  if (raw.version) return { print: `${pkg.version}\n` };
  // A value flag at the end of the line, `--x=` or `--no-x` would otherwise quietly mean "not given".
  for (const key of setFlags) {
    const flag: Flag = FLAGS[key];
    if (flag.type !== 'string') continue;
    const value = raw[key];
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (values.some((v) => typeof v !== 'string' || v === ''))
      throw new UsageError(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs a value`);
  }
  // Every declared flag now holds a value of its type (strings checked just above).
  const f = raw as Flags;
  let copy: { from: string; to: string } | undefined;
  if (name === 'store') {
    if (rest[0] !== 'copy' || rest.length !== 3)
      throw new UsageError('usage: posture store copy FROM TO (see posture store --help)');
    copy = { from: rest[1]!, to: rest[2]! };
  }
  const positional = name === 'connect' ? rest.slice(1) : name === 'store' ? [] : rest;
  if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);

  const json = f.json === true;
  const connect: ConnectOptions = {
    app: rest[0],
    name: f.name,
    url: f.url,
    tokenEnv: f.tokenEnv,
    tokenFile: f.tokenFile,
    caFile: f.caFile,
    org: f.org,
    option: f.option ?? [],
    on: f.on === true,
    check: f.check !== false,
    json,
  };
  const alertOptions: AlertsOptions = {
    webhookEnv: f.webhookEnv,
    command: f.command,
    minSeverity: f.minSeverity,
    off: f.off === true,
    test: f.test === true,
    json,
  };
  if (name === 'alerts') checkAlerts(alertOptions);
  return {
    name,
    flags: f,
    global: {
      store: f.store,
      demo: f.demo === true,
      readOnly: f.readOnly === true,
      color: f.color !== false,
      operator: f.operator,
    },
    json,
    limit: wholeNumber(f.limit, 'limit', 1, 10_000, 10),
    concurrency: wholeNumber(f.concurrency, 'concurrency', 1, 256, 8),
    ...(name === 'export' ? { format: exportFormat(f) } : {}),
    ...(name === 'check' ? { minScore: parseMinScore(f.minScore) } : {}),
    connect,
    alerts: alertOptions,
    ...(copy ? { copy } : {}),
  };
}

export async function main(argv: string[], io: IO): Promise<number> {
  const inv = readCommandLine(argv);
  if ('print' in inv) {
    io.stdout.write(inv.print);
    return 0;
  }
  const { name, flags: f, json, limit, concurrency } = inv;
  // The console, polling and connecting are loaded when used: the console's first frame does not
  // wait for the HTTP client and the connectors, nor a headless command for Ink.
  if (name === 'connect') (await import('./commands/connect.js')).checkConnect(inv.connect, io.env);
  if (name === 'worker')
    (await import('./commands/worker.js')).checkWorkerStore(storePath(inv.global, io.env));
  // Two stores, neither of them the context's.
  if (name === 'store') {
    const { storeCopy } = await import('./commands/store-copy.js');
    return await storeCopy({ ...inv.copy!, operator: inv.global.operator ?? osUser(io.env) }, io);
  }
  const interactive = name === undefined && io.stdout.isTTY === true;
  // The console's code (Ink, React, the views) is made ready while a database answers the store's
  // first read, not after it: once the query is sent (made ready before, it held the connection's
  // set-up and so the query back, and the first frame then waited for the server), or once the open
  // is waiting (a file: after it) or has ended.
  let firstRead: (() => void) | undefined;
  const sent = isPostgresUrl(storePath(inv.global, io.env))
    ? new Promise<void>((resolve) => (firstRead = resolve))
    : new Promise<void>((resolve) => setImmediate(resolve));
  const opening = openContext(inv.global, io, {
    command: name,
    interactive,
    // The console checks the store against its schema once its first frame is drawn.
    checkLater: interactive,
    writes: name === 'alerts' && changesAlerts(inv.alerts),
    ...(firstRead ? { onFirstRead: firstRead } : {}),
  });
  const consoleCode = interactive
    ? Promise.race([sent, opening.then(noop, noop)]).then(() => import('./commands/console.js'))
    : undefined;
  const ctx: Context = await opening;
  try {
    // Headless commands on the demo see polled tenants; the console polls in the background.
    const reads = name !== 'poll' && name !== 'connect' && name !== 'doctor' && name !== 'worker';
    if (ctx.demo && !interactive && reads && !ctx.store.readOnly) {
      const { dueInstances } = await import('./poller/poller.js');
      const { pollOnce } = await import('./commands/poll.js');
      const due = dueInstances(ctx.store.doc, Date.now());
      if (due.length > 0) await pollOnce(ctx, due, concurrency);
    }
    const scope = { product: f.product, instance: f.instance };
    switch (name) {
      case undefined:
        if (consoleCode)
          return await (
            await consoleCode
          ).runConsole(ctx, {
            keys: f.keys,
            altScreen: f.altScreen !== false,
          });
        return await status(ctx, { json, limit, ...scope });
      case 'connect':
        return await (await import('./commands/connect.js')).connect(ctx, inv.connect);
      case 'doctor':
        return await (await import('./commands/doctor.js')).doctor(ctx, { instance: f.instance, json });
      case 'instances':
        return await instances(ctx, { json });
      case 'poll': {
        const { poll } = await import('./commands/poll.js');
        return await poll(ctx, { once: f.once === true, json, instance: f.instance, concurrency });
      }
      case 'alerts':
        return await alerts(ctx, inv.alerts);
      case 'worker':
        return await (
          await import('./commands/worker.js')
        ).worker(ctx, { concurrency, location: storePath(inv.global, io.env) });
      case 'status':
        if (f.framework !== undefined) return frameworkStatus(ctx, f.framework, { json, ...scope });
        return await status(ctx, { json, limit, ...scope });
      case 'frameworks':
        return listFrameworks(ctx, { json });
      case 'export':
        if (f.framework !== undefined)
          return frameworkExport(ctx, f.framework, { format: inv.format!, output: f.output });
        return await exportCommand(ctx, {
          format: inv.format!,
          output: f.output,
          instance: f.instance,
          category: f.category,
        });
      case 'check':
        if (f.framework !== undefined)
          return frameworkCheck(ctx, f.framework, { minScore: inv.minScore!, json, ...scope });
        return await check(ctx, { minScore: inv.minScore!, json, ...scope });
    }
  } finally {
    await ctx.close();
  }
}

/** Errors we expect become one line on stderr and exit 2; anything else is a bug, shown as such. */
export async function run(argv: string[], io: IO): Promise<number> {
  try {
    return await main(argv, io);
  } catch (error) {
    const known = error instanceof UsageError || error instanceof StoreError || error instanceof CatalogError;
    const message = known ? (error as Error).message : `internal error: ${(error as Error).stack ?? error}`;
    io.stderr.write(`posture: ${sanitize(message, { multiline: !known })}\n`);
    return 2;
  }
}
