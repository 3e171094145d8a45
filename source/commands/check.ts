import { APP_LABELS } from '../domain/schemas.js';
import { scoreViews } from '../domain/scoring.js';
import { points } from '../text/format.js';
import { sanitize } from '../text/sanitize.js';
import { type Context, UsageError } from './context.js';
import { jsonText } from './output.js';
import { resolveFilters, scopedActions } from './status.js';

export interface CheckOptions {
  minScore: number;
  json: boolean;
  product?: string | undefined;
  instance?: string | undefined;
}

/** Parse --min-score before the store is opened: a percentage from 0 to 100, `%` allowed. */
export function parseMinScore(value: string | undefined): number {
  if (value === undefined) throw new UsageError('check needs --min-score PCT (a percentage from 0 to 100)');
  const m = /^\s*(\d{1,3}(?:\.\d+)?)\s*%?\s*$/.exec(value);
  const n = m ? Number(m[1]) : Number.NaN;
  if (!(n >= 0 && n <= 100))
    throw new UsageError(`--min-score must be a percentage from 0 to 100, not "${value}"`);
  return n;
}

const pct = (n: number) => `${Number.isInteger(n) ? n : n.toFixed(2)}%`;

/** `posture check`: exit 0 at or above the minimum, 1 below it, 2 when there is no score to check. */
export async function check(ctx: Context, o: CheckOptions): Promise<number> {
  const { current } = scoreViews(scopedActions(ctx, o, false));
  const { product, instance } = resolveFilters(ctx, o);
  const scoped = ctx.store.doc.instances.find((i) => i.id === instance);
  // What was scored, said in the result: a gate on one product must not read as the whole score.
  const of = scoped ? ` of ${scoped.name}` : product ? ` of ${APP_LABELS[product]}` : '';
  const scope = { product: product ?? null, instance: scoped?.id ?? null };
  const failed = ctx.store.doc.instances.filter(
    (i) =>
      i.lastPoll?.outcome === 'error' && (!scoped || i.id === scoped.id) && (!product || i.app === product),
  );
  // Failed polls are one line, however many: their earlier results are what is scored.
  const names = failed.slice(0, 3).map((i) => i.name);
  const more = failed.length > names.length ? ` and ${failed.length - names.length} more` : '';
  const warning = failed.length
    ? `the last poll of ${names.join(', ')}${more} failed; their earlier results are scored (posture instances shows why)`
    : undefined;
  if (current.possible === 0) {
    const why = `no Secure Score${of} to check: no instance with recommendations on has results yet${warning ? `; ${warning}` : ''}`;
    if (o.json)
      ctx.io.stdout.write(
        jsonText({ minScore: o.minScore, scope, score: current, passed: false, error: why }),
      );
    ctx.io.stderr.write(`posture: ${sanitize(why)}\n`);
    return 2;
  }
  if (warning) ctx.io.stderr.write(`posture: warning: ${sanitize(warning)}\n`);
  const exact = (current.achieved / current.possible) * 100;
  const passed = exact >= o.minScore - 1e-9;
  const gap = Math.round((o.minScore - exact) * 100) / 100;
  const needed = Math.max(
    0,
    Math.round(((o.minScore / 100) * current.possible - current.achieved) * 100) / 100,
  );
  if (o.json) {
    ctx.io.stdout.write(
      jsonText({
        minScore: o.minScore,
        scope,
        score: current,
        passed,
        gap: Math.max(0, gap),
        pointsNeeded: needed,
      }),
    );
    return passed ? 0 : 1;
  }
  const score = `Secure Score${sanitize(of)} ${pct(current.percent ?? 0)} (${points(current.achieved)} / ${points(current.possible)} points)`;
  ctx.io.stdout.write(
    passed
      ? `${score} meets the minimum ${pct(o.minScore)}: ${Math.max(0, -gap).toFixed(2)} percentage points above\n`
      : `${score} is below the minimum ${pct(o.minScore)}: ${gap.toFixed(2)} percentage points short (${points(needed)} more points needed)\n`,
  );
  return passed ? 0 : 1;
}
