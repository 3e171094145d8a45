import type { Catalog } from '../catalog/index.js';
import { alertMessage, alertTargets, markDelivered, pendingFor } from '../domain/alerts.js';
import type { AlertSettings, AlertTarget } from '../domain/schemas.js';
import type { Store } from '../store/store.js';
import { AlertError, postWebhook, runCommand, webhookUrl } from './send.js';

export interface DeliverOptions {
  store: Store;
  catalog: Catalog;
  env: NodeJS.ProcessEnv;
  /** No attempt starts after this time (ms since epoch), and none runs past it. */
  deadline: number;
  now?: () => number;
  /** The wait before the first retry, doubled for each one after. */
  retryBaseMs?: number;
  /** Polling stopped: no new attempt. */
  signal?: AbortSignal;
}

export interface Delivery {
  /** Messages taken by a target. */
  sent: number;
  /** Changes still queued for some target. */
  left: number;
  /** Why the last attempt of a target failed, one line each. */
  errors: string[];
}

const MAX_REQUEST_MS = 10_000;

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Send what waits in the store's alert queue to each target, retrying with exponential backoff
 * until the deadline. A change leaves the queue only once every target took it; what is left is
 * sent with the next delivery (it survives a restart: the queue is in the store). Never throws.
 */
export async function deliverAlerts(o: DeliverOptions): Promise<Delivery> {
  const now = o.now ?? Date.now;
  const out: Delivery = { sent: 0, left: 0, errors: [] };
  for (const target of alertTargets(o.store.doc.settings.alerts)) {
    let failures = 0;
    for (;;) {
      const queued = pendingFor(o.store.doc, target);
      if (queued.length === 0 || o.signal?.aborted) break;
      const left = o.deadline - now();
      if (left <= 0) break;
      const message = alertMessage(o.store.doc, queued, o.catalog.byId, new Date(now()));
      try {
        await sendTo(
          target,
          o.store.doc.settings.alerts,
          o.env,
          `${JSON.stringify(message)}\n`,
          Math.min(MAX_REQUEST_MS, left),
        );
      } catch (error) {
        failures++;
        const why = error instanceof AlertError ? error.message : `alert not sent: ${String(error)}`;
        const backoff = (o.retryBaseMs ?? 250) * 2 ** (failures - 1);
        // A setting that is wrong (a variable not set) will not heal by waiting.
        if (error instanceof ConfigError || now() + backoff >= o.deadline) {
          out.errors.push(why);
          break;
        }
        await wait(backoff, o.signal);
        continue;
      }
      failures = 0;
      out.sent++;
      try {
        await o.store.update((doc) => markDelivered(doc, target, queued, message.dropped ?? 0));
      } catch (error) {
        // Sent but still queued: it goes again with the next one, which is better than never.
        out.errors.push(`alerts were sent but the store could not record it: ${(error as Error).message}`);
        break;
      }
    }
  }
  out.left = o.store.doc.alertQueue.pending.length;
  return out;
}

class ConfigError extends AlertError {}

/** One attempt to hand `body` to a target; an AlertError says why it failed. */
export async function sendTo(
  target: AlertTarget,
  settings: AlertSettings,
  env: NodeJS.ProcessEnv,
  body: string,
  timeoutMs = MAX_REQUEST_MS,
): Promise<void> {
  if (target === 'webhook') {
    let url: URL;
    try {
      url = webhookUrl(settings.webhookEnv!, env);
    } catch (error) {
      throw new ConfigError((error as Error).message);
    }
    return postWebhook(url, body, timeoutMs);
  }
  return runCommand(settings.command!, body, env, timeoutMs);
}
