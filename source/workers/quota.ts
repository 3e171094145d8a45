import pg from 'pg';
import { type HttpResponse, header, retryAfterMs } from '../connectors/http.js';
import type { App, Instance } from '../domain/schemas.js';
import { sqlLiteral } from '../store/postgres/literal.js';

/**
 * Each vendor's API quota, shared by every worker: one row per tenant in the job schema, fed by the
 * rate-limit headers the HTTP client sees, and claimed before a poll starts. A tenant whose budget
 * cannot cover the next poll is deferred to the budget's reset instead of polled into a 429.
 */

/** What one response says about its tenant's budget. */
export type Observation =
  /** The vendor says how much is left (Okta, GitHub, Salesforce). */
  | { kind: 'remaining'; limit: number; remaining: number; resetAt: number }
  /** The vendor says the limit and its reset, not what is left (ServiceNow): we count our requests. */
  | { kind: 'counted'; limit: number; resetAt: number }
  /** A throttle with a wait and no counts (Graph, a ServiceNow 429): nothing is left until then. */
  | { kind: 'throttled'; resetAt: number };

/**
 * Salesforce's 24-hour limit rolls and its header has no reset: as the calls of a day ago age out,
 * usage falls back. A spent org is asked again after this long, and its next header says how much
 * came back.
 */
export const SALESFORCE_RECHECK_MS = 60 * 60_000;

/**
 * The share of each limit left to others. Salesforce's daily allocation is the org's, shared with
 * the customer's own integrations (a sync that stops for the day is worse than a late posture poll):
 * a fifth stays theirs. Okta's and GitHub's limits are shared with the org's other API clients too,
 * but refill within the minute or the hour: a tenth. ServiceNow's rules are set by its admins for
 * every client of the instance: a tenth. Graph tells us nothing until it throttles: nothing to keep.
 */
export const RESERVE: Record<App, number> = {
  okta: 0.1,
  github: 0.1,
  salesforce: 0.2,
  servicenow: 0.1,
  m365: 0,
};

const count = (raw: string | undefined): number | undefined => {
  const text = raw?.trim();
  if (!text || !/^\d{1,12}$/.test(text)) return undefined; // duplicated headers (joined by commas) too
  return Number(text);
};

/** An epoch-seconds reset, read against the server's Date so a skewed clock does not move it. */
function resetFrom(res: Pick<HttpResponse, 'headers'>, name: string, now: number): number | undefined {
  const at = count(header(res.headers, name));
  if (at === undefined) return undefined;
  const date = Date.parse(header(res.headers, 'date') ?? '');
  return Number.isNaN(date) ? at * 1000 : now + (at * 1000 - date);
}

/** The rate-limit headers of one response, as its vendor documents them; undefined when it sent none. */
export function readRateLimit(
  app: App,
  res: Pick<HttpResponse, 'status' | 'headers'>,
  now: number,
): Observation | undefined {
  switch (app) {
    case 'okta':
    case 'github': {
      // Okta: X-Rate-Limit-Limit/-Remaining/-Reset, per endpoint group and minute. GitHub:
      // x-ratelimit-limit/-remaining/-reset, per token and hour. Resets in epoch seconds.
      const prefix = app === 'okta' ? 'x-rate-limit-' : 'x-ratelimit-';
      const limit = count(header(res.headers, `${prefix}limit`));
      const remaining = count(header(res.headers, `${prefix}remaining`));
      const resetAt = resetFrom(res, `${prefix}reset`, now);
      if (limit === undefined || remaining === undefined || resetAt === undefined) return undefined;
      return { kind: 'remaining', limit, remaining, resetAt };
    }
    case 'salesforce': {
      // `Sforce-Limit-Info: api-usage=18/5000` (older orgs add `; per-app-api-usage=…`): the org's day.
      const m = /(?:^|[;,\s])api-usage=(\d{1,12})\/(\d{1,12})/.exec(
        header(res.headers, 'sforce-limit-info') ?? '',
      );
      if (!m) return undefined;
      const used = Number(m[1]);
      const limit = Number(m[2]);
      return {
        kind: 'remaining',
        limit,
        remaining: Math.max(0, limit - used),
        resetAt: now + SALESFORCE_RECHECK_MS,
      };
    }
    case 'servicenow': {
      // Only where an admin made a rate-limit rule: X-RateLimit-Limit (per hour) and -Reset; a 429 adds Retry-After.
      if (res.status === 429) return throttled(res, now);
      const limit = count(header(res.headers, 'x-ratelimit-limit'));
      const resetAt = resetFrom(res, 'x-ratelimit-reset', now);
      if (limit === undefined || resetAt === undefined) return undefined;
      return { kind: 'counted', limit, resetAt };
    }
    case 'm365':
      // Graph sends no counts, only Retry-After with a 429 (or a 503 under load).
      return res.status === 429 || res.status === 503 ? throttled(res, now) : undefined;
  }
}

function throttled(res: Pick<HttpResponse, 'headers'>, now: number): Observation | undefined {
  const wait = retryAfterMs({ headers: res.headers, status: 429, body: undefined, url: '' }, now);
  return wait === undefined ? undefined : { kind: 'throttled', resetAt: now + wait };
}

/**
 * Whose budget an instance spends. GitHub's is its token's (every organisation read with one token
 * shares it), so the credential's reference (a variable's name or a file's path, never the secret)
 * is part of the key; the others' is the tenant at its URL (Microsoft 365: its directory).
 */
export function tenantKey(instance: Instance): string {
  const c = instance.credential;
  const where =
    instance.app === 'm365' && instance.options.tenantId
      ? instance.options.tenantId
      : new URL(instance.baseUrl).host;
  return instance.app === 'github'
    ? `github ${where} ${c.kind === 'env' ? `env:${c.variable}` : `file:${c.path}`}`
    : `${instance.app} ${where}`;
}

/** A tenant's budget as the table holds it; remaining null: not known (nothing seen in this window). */
export interface Budget {
  limit: number | null;
  remaining: number | null;
  resetAt: number;
}

/** A budget after one more response: a new window takes the vendor's word, the same one only goes down. */
export function fold(b: Budget | undefined, o: Observation, now: number): Budget {
  const current = b !== undefined && b.resetAt > now ? b : undefined;
  switch (o.kind) {
    case 'remaining': {
      // Reservations made by claims are below what the vendor has counted yet: keep the lower.
      const sameWindow = current !== undefined && o.resetAt <= current.resetAt + 1_000;
      const remaining =
        sameWindow && current.remaining !== null ? Math.min(current.remaining, o.remaining) : o.remaining;
      return { limit: o.limit, remaining, resetAt: sameWindow ? current.resetAt : o.resetAt };
    }
    case 'counted': {
      const start = current?.remaining ?? o.limit;
      return { limit: o.limit, remaining: Math.max(0, start - 1), resetAt: current?.resetAt ?? o.resetAt };
    }
    case 'throttled':
      return { limit: b?.limit ?? null, remaining: 0, resetAt: Math.max(o.resetAt, current?.resetAt ?? 0) };
  }
}

export type Claim = { ok: true; budget: Budget | undefined } | { ok: false; until: number };

/**
 * Whether a poll that costs `cost` requests may start: a budget not known, or whose window has
 * passed, lets it (its headers will tell); one that cannot cover the poll and the reserve defers
 * it to the reset. A poll larger than a whole window (a huge GitHub organisation) waits for a full
 * one, then goes: the client's own rate-limit waits carry it over the reset.
 */
export function decide(b: Budget | undefined, app: App, cost: number, now: number): Claim {
  if (b === undefined || b.resetAt <= now || b.remaining === null) return { ok: true, budget: b };
  const reserve = b.limit === null ? 0 : Math.ceil(b.limit * RESERVE[app]);
  const need = b.limit === null ? Math.max(1, cost) : Math.max(1, Math.min(cost, b.limit - reserve));
  if (b.remaining - reserve < need) return { ok: false, until: b.resetAt };
  return { ok: true, budget: { ...b, remaining: b.remaining - need } };
}

/** The table of budgets (and each instance's last cost), in the job schema of the store's database. */
export class QuotaBook {
  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
  ) {}

  private get table(): string {
    return `"${this.schema}".quota`;
  }

  private get costs(): string {
    return `"${this.schema}".poll_cost`;
  }

  /** The tables' definitions (run by PollWorkers.install under its lock: workers start together). */
  get definitions(): string[] {
    return [
      `CREATE TABLE IF NOT EXISTS ${this.table} (tenant text PRIMARY KEY, "limit" integer, remaining integer, reset_at timestamptz NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${this.costs} (instance_id text PRIMARY KEY, requests integer NOT NULL)`,
    ];
  }

  /** The statement that keeps a poll's requests as the instance's next expected cost (committed with its record). */
  costStatement(instanceId: string, requests: number): string {
    return `INSERT INTO ${this.costs} (instance_id, requests) VALUES (${sqlLiteral(instanceId)}, ${Math.round(requests)})
       ON CONFLICT (instance_id) DO UPDATE SET requests = EXCLUDED.requests`;
  }

  /**
   * Read, change and write one tenant's row under its lock: two workers never spend the same budget.
   * Two round trips: the row made, locked and read (with `alsoRead`'s rows); written, with `alsoCommit`.
   */
  private async locked<T>(
    tenant: string,
    change: (
      b: Budget | undefined,
      now: number,
      also: pg.QueryResult | undefined,
    ) => { budget: Budget | undefined; out: T },
    alsoRead?: string,
    alsoCommit: readonly string[] = [],
  ): Promise<T> {
    const client = await this.pool.connect();
    const t = sqlLiteral(tenant);
    try {
      // A row to lock even for a tenant never seen: the first two claims must not both pass unlocked.
      const read = (await client.query(
        [
          'BEGIN',
          `INSERT INTO ${this.table} (tenant, reset_at) VALUES (${t}, 'epoch') ON CONFLICT (tenant) DO NOTHING`,
          `SELECT "limit", remaining, reset_at, now() AS now FROM ${this.table} WHERE tenant = ${t} FOR UPDATE`,
          ...(alsoRead ? [alsoRead] : []),
        ].join(';\n'),
      )) as unknown as pg.QueryResult<{
        limit: number | null;
        remaining: number | null;
        reset_at: Date;
        now: Date;
      }>[];
      const row = read[2]!.rows[0]!;
      const now = row.now.getTime();
      const before: Budget | undefined =
        row.reset_at.getTime() <= 0
          ? undefined
          : { limit: row.limit, remaining: row.remaining, resetAt: row.reset_at.getTime() };
      const { budget, out } = change(before, now, read[3]);
      const count = (n: number | null) => (n === null ? 'NULL' : String(Math.round(n)));
      await client.query(
        [
          ...(budget
            ? [
                `UPDATE ${this.table} SET "limit" = ${count(budget.limit)}, remaining = ${count(budget.remaining)},
                   reset_at = ${sqlLiteral(new Date(budget.resetAt).toISOString())} WHERE tenant = ${t}`,
              ]
            : []),
          ...alsoCommit,
          'COMMIT',
        ].join(';\n'),
      );
      return out;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Claim an instance's next poll from its tenant's budget; when it cannot be covered, when to try
   * again. The poll is expected to cost what the instance's last one did (1 when never polled): read
   * under the tenant's lock, in the same round trip.
   */
  claim(tenant: string, app: App, instanceId: string): Promise<Claim> {
    const cost = `SELECT requests FROM ${this.costs} WHERE instance_id = ${sqlLiteral(instanceId)}`;
    return this.locked(
      tenant,
      (b, now, costs) => {
        const row = costs?.rows[0] as { requests: number } | undefined;
        const claim = decide(b, app, row?.requests ?? 1, now);
        return { budget: claim.ok ? claim.budget : undefined, out: claim };
      },
      cost,
    );
  }

  /**
   * Fold what responses said into the tenant's budget (in the order they came), committing
   * `alsoCommit` (the poll's cost, its finish) in the same transaction: two round trips, or one
   * when no response said anything.
   */
  async record(
    tenant: string,
    seen: readonly { at: number; observation: Observation }[],
    alsoCommit: readonly string[] = [],
  ): Promise<void> {
    if (seen.length === 0) {
      if (alsoCommit.length > 0) await this.pool.query(alsoCommit.join(';\n')); // one transaction
      return;
    }
    await this.locked(
      tenant,
      (b) => {
        let budget = b;
        for (const s of seen) budget = fold(budget, s.observation, s.at);
        return { budget, out: undefined };
      },
      undefined,
      alsoCommit,
    );
  }

  /** Set a tenant's budget outright (an operator, or a test). */
  async set(tenant: string, budget: Budget): Promise<void> {
    await this.locked(tenant, () => ({ budget, out: undefined }));
  }

  async get(tenant: string): Promise<Budget | undefined> {
    const { rows } = await this.pool.query<{
      limit: number | null;
      remaining: number | null;
      reset_at: Date;
    }>(`SELECT "limit", remaining, reset_at FROM ${this.table} WHERE tenant = $1`, [tenant]);
    const r = rows[0];
    return r && r.reset_at.getTime() > 0
      ? { limit: r.limit, remaining: r.remaining, resetAt: r.reset_at.getTime() }
      : undefined;
  }
}
