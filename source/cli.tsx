import meow from 'meow';
import pkg from '../package.json' with { type: 'json' };
import { CatalogError } from './catalog/index.js';
import { check, parseMinScore } from './commands/check.js';
import type { ConnectOptions } from './commands/connect.js';
import { type Context, type GlobalFlags, type IO, openContext, UsageError } from './commands/context.js';
import { exportCommand, type Format, parseFormat } from './commands/export.js';
import { COMMAND_FLAGS, COMMANDS, type CommandName, GLOBAL_FLAGS, HELP } from './commands/help.js';
import { instances } from './commands/instances.js';
import { status } from './commands/status.js';
import { StoreError } from './store/store.js';
import { sanitize } from './text/sanitize.js';

/** Every flag of every command; `help.ts` says which command takes which. No defaults here: absent is undefined. */
const FLAGS = {
  store: { type: 'string' },
  demo: { type: 'boolean' },
  readOnly: { type: 'boolean' },
  color: { type: 'boolean' },
  help: { type: 'boolean', shortFlag: 'h' },
  version: { type: 'boolean' },
  keys: { type: 'string' },
  json: { type: 'boolean' },
  once: { type: 'boolean' },
  product: { type: 'string' },
  instance: { type: 'string' },
  limit: { type: 'number' },
  concurrency: { type: 'number' },
  name: { type: 'string' },
  url: { type: 'string' },
  tokenEnv: { type: 'string' },
  org: { type: 'string' },
  option: { type: 'string', isMultiple: true },
  on: { type: 'boolean' },
  check: { type: 'boolean' },
  format: { type: 'string' },
  output: { type: 'string' },
  minScore: { type: 'string' },
} as const;
type FlagKey = keyof typeof FLAGS;

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const isFlag = (key: string): key is FlagKey => Object.hasOwn(FLAGS, key);

/**
 * The flags named on the command line, as [as typed, key or undefined when unknown]. We check them
 * ourselves rather than let meow do it: meow prints two lines and exits the process.
 */
function namedFlags(argv: readonly string[]): [string, FlagKey | undefined][] {
  const out: [string, FlagKey | undefined][] = [];
  for (const token of argv) {
    if (token === '--') break;
    if (!token.startsWith('-') || token === '-' || /^-\d/.test(token)) continue;
    if (token.startsWith('--')) {
      const name = camel(token.slice(2).split('=')[0] ?? '');
      const negated = name.startsWith('no') ? name.charAt(2).toLowerCase() + name.slice(3) : '';
      const key = isFlag(name)
        ? name
        : isFlag(negated) && FLAGS[negated].type === 'boolean'
          ? negated
          : undefined;
      out.push([token.split('=')[0]!, key]);
    } else
      for (const c of token.slice(1).split('=')[0] ?? '') out.push([`-${c}`, c === 'h' ? 'help' : undefined]);
  }
  return out;
}

function parse(argv: string[]) {
  try {
    return meow({
      importMeta: import.meta,
      argv,
      pkg,
      description: false,
      autoHelp: false,
      autoVersion: false,
      allowUnknownFlags: true,
      booleanDefault: undefined,
      flags: FLAGS,
    });
  } catch (error) {
    // meow throws for a flag given twice: "The flag --name can only be set once."
    throw new UsageError((error as Error).message.replace(/\.$/, ''));
  }
}

function wholeNumber(value: number | undefined, flag: string, min: number, max: number, fallback: number) {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max)
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}`);
  return value;
}

/** What the command line asks for, every part of it checked before anything is opened. */
type Invocation =
  | { print: string }
  | {
      name: CommandName | undefined;
      flags: ReturnType<typeof parse>['flags'];
      global: GlobalFlags;
      json: boolean;
      limit: number;
      concurrency: number;
      format?: Format;
      minScore?: number;
      connect: ConnectOptions;
    };

/** Read and check the command line; bad input is a UsageError before any store is opened. */
export function readCommandLine(argv: string[]): Invocation {
  const named = namedFlags(argv);
  const unknown = named.find(([, key]) => key === undefined);
  if (unknown) throw new UsageError(`unknown flag ${unknown[0]} (see posture --help)`);
  const cli = parse(argv);
  const f = cli.flags;
  const [first, ...rest] = cli.input;
  if (first !== undefined && !(COMMANDS as readonly string[]).includes(first))
    throw new UsageError(`unknown command "${first}" (one of ${COMMANDS.join(', ')}; see posture --help)`);
  const name = first as CommandName | undefined;
  const allowed = new Set<string>([...GLOBAL_FLAGS, ...COMMAND_FLAGS[name ?? 'console']]);
  const stray = named.find(([, key]) => key !== undefined && !allowed.has(key));
  const command = `posture${name ? ` ${name}` : ''}`;
  if (stray) throw new UsageError(`${stray[0]} is not an option of ${command} (see ${command} --help)`);
  if (f.help) return { print: HELP[name ?? 'console'].replace(/^\n/, '') };
  if (f.version) return { print: `${pkg.version}\n` };
  // A value flag at the end of the line, or `--x=`, would otherwise quietly mean "not given".
  for (const [typed, key] of named) {
    if (!key || FLAGS[key].type === 'boolean') continue;
    const value: unknown = f[key];
    const empty = Array.isArray(value) ? value.length === 0 || value.includes('') : value === '';
    if (value === undefined || empty) throw new UsageError(`${typed} needs a value`);
  }
  const positional = name === 'connect' ? rest.slice(1) : rest;
  if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);

  const json = f.json === true;
  const connect: ConnectOptions = {
    app: rest[0],
    name: f.name,
    url: f.url,
    tokenEnv: f.tokenEnv,
    org: f.org,
    option: f.option ?? [],
    on: f.on === true,
    check: f.check !== false,
    json,
  };
  return {
    name,
    flags: f,
    global: {
      store: f.store,
      demo: f.demo === true,
      readOnly: f.readOnly === true,
      color: f.color !== false,
    },
    json,
    limit: wholeNumber(f.limit, 'limit', 1, 10_000, 10),
    concurrency: wholeNumber(f.concurrency, 'concurrency', 1, 256, 8),
    ...(name === 'export' ? { format: parseFormat(f.format) } : {}),
    ...(name === 'check' ? { minScore: parseMinScore(f.minScore) } : {}),
    connect,
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
  const interactive = name === undefined && io.stdout.isTTY === true;
  // The console checks the store against its schema once its first frame is drawn.
  const ctx: Context = await openContext(inv.global, io, interactive);
  try {
    // Headless commands on the demo see polled tenants; the console polls in the background.
    const reads = name !== 'poll' && name !== 'connect' && name !== 'doctor';
    if (ctx.demo && !interactive && reads && !ctx.store.readOnly) {
      const { dueInstances } = await import('./poller/poller.js');
      const { pollOnce } = await import('./commands/poll.js');
      const due = dueInstances(ctx.store.doc, Date.now());
      if (due.length > 0) await pollOnce(ctx, due, concurrency);
    }
    const scope = { product: f.product, instance: f.instance };
    switch (name) {
      case undefined:
        if (interactive)
          return await (await import('./commands/console.js')).runConsole(ctx, { keys: f.keys });
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
      case 'status':
        return await status(ctx, { json, limit, ...scope });
      case 'export':
        return await exportCommand(ctx, { format: inv.format!, output: f.output });
      case 'check':
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
