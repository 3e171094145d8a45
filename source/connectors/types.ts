import type { Datasets } from '../domain/rules.js';
import type { App, Instance } from '../domain/schemas.js';
import { budgetOptions, type Clock, type HttpLimits, pollSpending, type ResponseObserver } from './http.js';
import type { ConnectorOption } from '../domain/app-options.js';

export interface CollectContext {
  instance: Instance;
  /** The secret, resolved from the instance's credential reference; never stored. */
  secret: string;
  clock: Clock;
  /** The poll of this instance must end by this time (ms since epoch). */
  deadline: number;
  /** Caps for this poll's requests (body size, time per request, retries); defaults when unset. */
  limits?: HttpLimits;
  /** Told of every response of this poll (its status and headers). */
  onResponse?: ResponseObserver;
}

export interface CollectOutput {
  datasets: Datasets;
  requests: number;
}

export interface Connector {
  app: App;
  /** What the secret is, for help text and forms ("API token", "client secret"…). */
  secretLabel: string;
  options: ConnectorOption[];
  /**
   * Per dataset, the least right (role, scope, permission) that reads it, as an administrator
   * would grant it. Drives \`posture doctor\`, the missing right named in unknown results, and the
   * README's least-privilege tables.
   */
  rights: Record<string, string>;
  /** Read every dataset the catalog's rules use. Throws ConnectorError when the instance cannot be read. */
  collect(ctx: CollectContext): Promise<CollectOutput>;
}

/**
 * What every connector's HttpClient takes from the poll: the instance's URL and CA file, the clock,
 * the deadline, the limits (the instance's own poll budget over the poll's), and one record of
 * what the poll spent, which every client made from the same options shares.
 */
export function instanceOptions(ctx: CollectContext) {
  return {
    baseUrl: ctx.instance.baseUrl,
    clock: ctx.clock,
    deadline: ctx.deadline,
    ...ctx.limits,
    ...budgetOptions(ctx.instance.options),
    spent: pollSpending(),
    ...(ctx.onResponse ? { onResponse: ctx.onResponse } : {}),
    ...(ctx.instance.caFile ? { caFile: ctx.instance.caFile } : {}),
  };
}
