import { setTimeout as sleepFor } from 'node:timers/promises';
import { deliverAlerts, type Delivery } from '../alerts/deliver.js';
import { alertTargets } from '../domain/alerts.js';
import { setGracefulSignals } from '../signals.js';
import type { ResponseObserver } from '../connectors/http.js';
import { CONNECTORS } from '../connectors/registry.js';
import { dueInstances, type PollSummary, pollInstances } from '../poller/poller.js';
import { sanitize } from '../text/sanitize.js';
import { type Context, UsageError } from './context.js';
import { cleanJson, jsonText } from './output.js';
import { resolveFilters } from './status.js';

export interface PollOptions {
  once: boolean;
  json: boolean;
  instance?: string | undefined;
  concurrency: number;
}

/** What the continuous loop waits on; tests pass a fake clock and their own stop signal. */
export interface PollLoop {
  signal: AbortSignal;
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** How often the loop looks for instances that are due. */
const TICK_MS = 5_000;
/** What `poll --once` waits for its alerts before it leaves them queued for the next poll. */
const ONCE_ALERT_MS = 5_000;
/** What the loop's background delivery may take, retries included, before it waits for the next poll. */
export const LOOP_ALERT_MS = 60_000;

/** Send the queued alerts, if any are set up and waiting; a failure is one line on stderr, never an error. */
export async function sendAlerts(
  ctx: Context,
  ms: number,
  signal?: AbortSignal,
): Promise<Delivery | undefined> {
  const doc = ctx.store.doc;
  if (alertTargets(doc.settings.alerts).length === 0 || doc.alertQueue.pending.length === 0) return undefined;
  const d = await deliverAlerts({
    store: ctx.store,
    catalog: ctx.catalog,
    env: ctx.io.env,
    deadline: Date.now() + ms,
    ...(signal ? { signal } : {}),
  });
  if (d.left > 0) {
    const why = d.errors.length > 0 ? ` (${d.errors.join('; ')})` : '';
    ctx.io.stderr.write(
      sanitize(
        `posture: ${d.left} alert${d.left === 1 ? '' : 's'} not delivered${why}; kept for the next poll`,
      ) + '\n',
    );
  }
  return d;
}

function summaryLine(s: PollSummary): string {
  return sanitize(
    s.outcome === 'ok'
      ? `ok     ${s.name} (${s.requests} requests, ${(s.durationMs / 1000).toFixed(1)} s)`
      : `error  ${s.name}: ${s.error}`,
  );
}

export async function pollOnce(
  ctx: Context,
  ids: string[],
  concurrency: number,
  onResponse?: ResponseObserver,
): Promise<PollSummary[]> {
  return pollInstances(ids, {
    store: ctx.store,
    catalog: ctx.catalog,
    connectors: CONNECTORS,
    concurrency,
    env: ctx.io.env, // secrets are read from the command's environment (the demo's tokens live there)
    ...(onResponse ? { onResponse } : {}),
  });
}

/** SIGINT or SIGTERM stops the loop after the polls in progress are committed; a second one stops at once. */
function signalLoop(ctx: Context): { loop: PollLoop; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
    ctx.io.stderr.write('posture: stopping after the polls in progress (again to stop at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  setGracefulSignals(true);
  return {
    loop: {
      signal: controller.signal,
      now: Date.now,
      sleep: (ms, signal) => sleepFor(ms, undefined, { signal }).catch(() => undefined),
    },
    dispose() {
      setGracefulSignals(false);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** `poll --once` polls and prints a summary; `poll` keeps polling each instance on its interval. */
export async function poll(ctx: Context, o: PollOptions, loop?: PollLoop): Promise<number> {
  if (ctx.store.readOnly)
    throw new UsageError(`poll needs to write the store, but ${ctx.store.notice ?? 'it is open read-only'}`);
  const { instance } = resolveFilters(ctx, o);
  const ids = instance ? [instance] : ctx.store.doc.instances.map((i) => i.id);
  if (ids.length === 0) throw new UsageError('no instances to poll: add one with `posture connect`');
  if (o.once) {
    const summaries = await pollOnce(ctx, ids, o.concurrency);
    const failed = summaries.filter((s) => s.outcome === 'error').length;
    if (o.json) ctx.io.stdout.write(jsonText(summaries));
    else {
      for (const s of summaries) ctx.io.stdout.write(`${summaryLine(s)}\n`);
      ctx.io.stdout.write(`polled ${summaries.length}: ${summaries.length - failed} ok, ${failed} failed\n`);
    }
    await sendAlerts(ctx, ONCE_ALERT_MS);
    return failed > 0 ? 1 : 0;
  }
  const own = loop ? undefined : signalLoop(ctx);
  const { signal, now, sleep } = loop ?? own!.loop;
  ctx.io.stderr.write(
    `posture: polling ${ids.length} instance${ids.length === 1 ? '' : 's'}, each on its interval; ctrl-c stops\n`,
  );
  // Alerts go out in the background: a slow or absent receiver never holds up the next poll.
  let sending: Promise<unknown> | undefined;
  try {
    while (!signal.aborted) {
      const due = dueInstances(ctx.store.doc, now()).filter((id) => ids.includes(id));
      if (due.length > 0) {
        for (const s of await pollOnce(ctx, due, o.concurrency)) {
          const at = new Date(now()).toISOString();
          const line = o.json ? JSON.stringify(cleanJson({ at, ...s })) : `${at} ${summaryLine(s)}`;
          ctx.io.stdout.write(`${line}\n`);
        }
        sending ??= sendAlerts(ctx, LOOP_ALERT_MS, signal)
          .catch((error: unknown) =>
            ctx.io.stderr.write(`posture: alerts not sent: ${sanitize((error as Error).message)}\n`),
          )
          .finally(() => (sending = undefined));
      }
      if (!signal.aborted) await sleep(TICK_MS, signal);
    }
  } finally {
    // The store is closed after this returns: a delivery still running ends first (its waits end at once).
    await sending;
    own?.dispose();
  }
  return 0;
}
