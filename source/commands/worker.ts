import { alertTargets } from '../domain/alerts.js';
import { isPostgresUrl } from '../store/postgres/url.js';
import { setGracefulSignals } from '../signals.js';
import { sanitize } from '../text/sanitize.js';
import { PollWorkers, type PollSeam } from '../workers/queue.js';
import { type Context, UsageError } from './context.js';
import { LOOP_ALERT_MS, pollOnce, sendAlerts } from './poll.js';

export interface WorkerCommandOptions {
  concurrency: number;
  /** The store's location as given (`--store` or $POSTURE_STORE): its database holds the jobs too. */
  location: string;
}

/** What a poll may take (the poller's default budget): its job's expiry is derived from it. */
const POLL_BUDGET_MS = 120_000;
/** The database lock that lets one worker at a time send the queued alerts. */
const ALERT_LOCK = 'posture.alerts';
/** What SIGTERM waits for the polls in flight before it releases them to other workers. */
const STOP_GRACE_MS = 20_000;

/**
 * A worker shares its jobs through the store's database: a file store has none. Checked before the
 * store is opened, so a file named like a URL is never created.
 */
export function checkWorkerStore(location: string): void {
  if (!isPostgresUrl(location))
    throw new UsageError(
      'posture worker needs a PostgreSQL store: --store postgres://… or $POSTURE_STORE (the file store is polled by posture poll)',
    );
}

/** The poll of one instance, by the code path of `poll --once`, with the quota book told of each response. */
export function commandPoll(ctx: Context): PollSeam {
  return async (instance, onResponse) => (await pollOnce(ctx, [instance.id], 1, onResponse))[0];
}

/**
 * `posture worker`: schedule due instances and poll them as jobs, beside any number of other
 * workers, until SIGTERM or SIGINT (a second one stops at once: its jobs expire and are retried).
 */
export async function worker(
  ctx: Context,
  o: WorkerCommandOptions,
  poll: PollSeam = commandPoll(ctx),
): Promise<number> {
  if (ctx.store.readOnly)
    throw new UsageError(
      `worker needs to write the store, but ${ctx.store.notice ?? 'it is open read-only'}`,
    );
  const log = (line: string) => ctx.io.stdout.write(`${new Date().toISOString()} ${sanitize(line)}\n`);
  // After a poll, the alerts it queued go out in the background (a slow receiver never holds up a
  // poll), from one worker at a time; a failed delivery stays queued for the next.
  let sending: Promise<unknown> | undefined;
  const sendAfter = () => {
    // Nothing queued as far as we know (the alert queue is followed): no lock taken for nothing.
    const doc = ctx.store.doc;
    if (alertTargets(doc.settings.alerts).length === 0 || doc.alertQueue.pending.length === 0) return;
    sending ??= workers
      .alone(ALERT_LOCK, () => sendAlerts(ctx, LOOP_ALERT_MS))
      .catch((error: unknown) =>
        ctx.io.stderr.write(`posture: alerts not sent: ${sanitize((error as Error).message)}\n`),
      )
      .finally(() => (sending = undefined));
  };
  const workers: PollWorkers = new PollWorkers({
    databaseUrl: o.location,
    store: ctx.store,
    poll: async (instance, onResponse) => {
      const summary = await poll(instance, onResponse);
      sendAfter();
      return summary;
    },
    concurrency: o.concurrency,
    budgetMs: POLL_BUDGET_MS,
    log,
  });
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(signal === 'SIGINT' ? 130 : 143);
      stopping = true;
      ctx.io.stderr.write('posture: stopping after the polls in progress (again to stop at once)\n');
      resolve(signal);
    };
    let stopping = false;
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  setGracefulSignals(true);
  await workers.start();
  ctx.io.stderr.write(
    `posture: worker polling ${ctx.store.doc.instances.length} instances with ${o.concurrency} at once; ctrl-c stops\n`,
  );
  await stopped;
  await workers.stop(STOP_GRACE_MS, async () => await sending);
  setGracefulSignals(false);
  return 0;
}
