import meow from 'meow';
import pkg from '../package.json' with { type: 'json' };
import { CatalogError } from './catalog/index.js';
import { runConsole } from './commands/console.js';
import { type Context, type IO, openContext, UsageError } from './commands/context.js';
import { poll, pollOnce } from './commands/poll.js';
import { status } from './commands/status.js';
import { dueInstances } from './poller/poller.js';
import { StoreError } from './store/store.js';
import { KeymapError } from './ui/keys.js';
import { sanitize } from './ui/text.js';

const HELP = `
  Usage
    $ posture                      the console, on the default store
    $ posture --demo               the console on the demo workspace (simulator on loopback)
    $ posture status [--json] [--product P] [--instance N] [--limit N]
    $ posture poll [--once] [--instance N] [--json]

  Global options
    --store PATH     the store file (default $POSTURE_STORE, else the XDG data dir)
    --demo           use the demo workspace: simulated tenants on loopback
    --read-only      change nothing (the console hides every mutation)
    --no-color       no colours (NO_COLOR is honoured too)
    --keys FILE      key bindings to override (JSON; default $POSTURE_KEYS)
    --help, --version

  Without a terminal on stdout, \`posture\` prints the status instead of the console.
`;

const COMMANDS = ['status', 'poll'] as const;
type CommandName = (typeof COMMANDS)[number];

export async function main(argv: string[], io: IO): Promise<number> {
  const cli = meow(HELP, {
    importMeta: import.meta,
    argv,
    version: pkg.version,
    allowUnknownFlags: false,
    flags: {
      store: { type: 'string' },
      demo: { type: 'boolean', default: false },
      readOnly: { type: 'boolean', default: false },
      color: { type: 'boolean', default: true },
      keys: { type: 'string' },
      json: { type: 'boolean', default: false },
      once: { type: 'boolean', default: false },
      product: { type: 'string' },
      instance: { type: 'string' },
      limit: { type: 'number', default: 10 },
      concurrency: { type: 'number', default: 8 },
    },
  });
  const f = cli.flags;
  const [name, ...rest] = cli.input;
  if (name !== undefined && !COMMANDS.includes(name as CommandName))
    throw new UsageError(`unknown command "${name}" (one of ${COMMANDS.join(', ')}; see --help)`);
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  if (!Number.isInteger(f.limit) || f.limit < 1)
    throw new UsageError('--limit must be a whole number above 0');
  if (!Number.isInteger(f.concurrency) || f.concurrency < 1 || f.concurrency > 256)
    throw new UsageError('--concurrency must be a whole number from 1 to 256');

  const flags = { store: f.store, demo: f.demo, readOnly: f.readOnly, color: f.color };
  const ctx: Context = await openContext(flags, io);
  try {
    const interactive = name === undefined && io.stdout.isTTY === true;
    // Headless commands on the demo see polled tenants; the console polls in the background.
    if (ctx.demo && !interactive && name !== 'poll' && !ctx.store.readOnly) {
      const due = dueInstances(ctx.store.doc, Date.now());
      if (due.length > 0) await pollOnce(ctx, due, f.concurrency);
    }
    if (interactive) return await runConsole(ctx, { keys: f.keys });
    if (name === 'poll')
      return await poll(ctx, {
        once: f.once,
        json: f.json,
        instance: f.instance,
        concurrency: f.concurrency,
      });
    return await status(ctx, { json: f.json, product: f.product, instance: f.instance, limit: f.limit });
  } finally {
    await ctx.close();
  }
}

/** Errors we expect become one line on stderr and exit 2; anything else is a bug, shown as such. */
export async function run(argv: string[], io: IO): Promise<number> {
  try {
    return await main(argv, io);
  } catch (error) {
    const known =
      error instanceof UsageError ||
      error instanceof StoreError ||
      error instanceof KeymapError ||
      error instanceof CatalogError;
    const message = known ? (error as Error).message : `internal error: ${(error as Error).stack ?? error}`;
    io.stderr.write(`posture: ${sanitize(message, { multiline: !known })}\n`);
    return 2;
  }
}
