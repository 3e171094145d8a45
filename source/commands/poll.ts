import { CONNECTORS } from '../connectors/registry.js';
import { dueInstances, type PollSummary, pollInstances } from '../poller/poller.js';
import { sanitize } from '../ui/text.js';
import { type Context, UsageError } from './context.js';
import { resolveFilters } from './status.js';

export interface PollOptions {
  once: boolean;
  json: boolean;
  instance?: string | undefined;
  concurrency: number;
}

function summaryLine(s: PollSummary): string {
  return sanitize(
    s.outcome === 'ok'
      ? `ok     ${s.name} (${s.requests} requests, ${(s.durationMs / 1000).toFixed(1)} s)`
      : `error  ${s.name}: ${s.error}`,
  );
}

export async function pollOnce(ctx: Context, ids: string[], concurrency: number): Promise<PollSummary[]> {
  return pollInstances(ids, { store: ctx.store, catalog: ctx.catalog, connectors: CONNECTORS, concurrency });
}

/** `poll --once` polls and prints a summary; `poll` keeps polling each instance on its interval. */
export async function poll(ctx: Context, o: PollOptions): Promise<number> {
  if (ctx.store.readOnly) throw new UsageError('poll needs to write the store, which is open read-only');
  const { instance } = resolveFilters(ctx, o);
  const ids = instance ? [instance] : ctx.store.doc.instances.map((i) => i.id);
  if (ids.length === 0) throw new UsageError('no instances to poll: add one with `posture connect`');
  if (o.once) {
    const summaries = await pollOnce(ctx, ids, o.concurrency);
    if (o.json) ctx.io.stdout.write(`${JSON.stringify(summaries, null, 2)}\n`);
    else for (const s of summaries) ctx.io.stdout.write(`${summaryLine(s)}\n`);
    return summaries.some((s) => s.outcome === 'error') ? 1 : 0;
  }
  let stop = false;
  const onSignal = () => {
    stop = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    while (!stop) {
      const due = dueInstances(ctx.store.doc, Date.now()).filter((id) => ids.includes(id));
      if (due.length > 0) {
        for (const s of await pollOnce(ctx, due, o.concurrency)) {
          const line = o.json
            ? JSON.stringify({ at: new Date().toISOString(), ...s })
            : `${new Date().toISOString()} ${summaryLine(s)}`;
          ctx.io.stdout.write(`${line}\n`);
        }
      }
      for (let i = 0; i < 50 && !stop; i++) await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return 0;
}
