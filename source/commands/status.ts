import { APP_LABELS, type App, AppSchema, STATE_LABELS } from '../domain/schemas.js';
import { type Action, buildActions, scoreByApp, scoreByInstance, scoreViews } from '../domain/scoring.js';
import { actionRows, NO_FILTER, percent, points } from '../ui/model.js';
import { fitCells, sanitize, width } from '../ui/text.js';
import { type Context, UsageError } from './context.js';

export interface StatusOptions {
  json: boolean;
  product?: string | undefined;
  instance?: string | undefined;
  limit: number;
}

/** Resolve --product and --instance to ids, or a usage error naming what is wrong. */
export function resolveFilters(
  ctx: Context,
  o: { product?: string | undefined; instance?: string | undefined },
) {
  let product: App | undefined;
  if (o.product) {
    const p = AppSchema.safeParse(o.product.toLowerCase());
    if (!p.success)
      throw new UsageError(`unknown product "${o.product}" (one of okta, salesforce, servicenow, github)`);
    product = p.data;
  }
  let instance: string | undefined;
  if (o.instance) {
    const i = ctx.store.doc.instances.find(
      (x) => x.name.toLowerCase() === o.instance!.toLowerCase() || x.id === o.instance,
    );
    if (!i) throw new UsageError(`unknown instance "${o.instance}"`);
    instance = i.id;
  }
  return { product, instance };
}

export function filteredActions(
  ctx: Context,
  o: { product?: string | undefined; instance?: string | undefined },
): Action[] {
  const { product, instance } = resolveFilters(ctx, o);
  const all = buildActions(ctx.store.doc, ctx.catalog.byId, new Date());
  return actionRows(
    all,
    { ...NO_FILTER, ...(product ? { product } : {}), ...(instance ? { instance } : {}) },
    'rank',
  );
}

/** An aligned text table; every cell sanitized and cut to its column. */
export function table(head: string[], rows: string[][], maxWidths: number[]): string {
  const widths = head.map((h, i) =>
    Math.min(maxWidths[i] ?? 40, Math.max(width(h), ...rows.map((r) => width(sanitize(r[i] ?? ''))))),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => fitCells(sanitize(c), widths[i] ?? 10))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export async function status(ctx: Context, o: StatusOptions): Promise<number> {
  const actions = filteredActions(ctx, o);
  const views = scoreViews(actions);
  const names = new Map(ctx.store.doc.instances.map((i) => [i.id, i.name]));
  if (o.json) {
    const out = {
      score: views,
      byProduct: Object.fromEntries(scoreByApp(actions)),
      byInstance: [...scoreByInstance(actions)].map(([id, s]) => ({ id, name: names.get(id), ...s })),
      instances: ctx.store.doc.instances.map((i) => ({
        id: i.id,
        app: i.app,
        name: i.name,
        recommendations: i.recommendations,
        lastPoll: i.lastPoll ?? null,
      })),
      actions: actions.slice(0, o.limit).map((a) => ({
        rank: a.rank,
        controlId: a.control.id,
        title: a.control.title,
        product: a.instance.app,
        instance: a.instance.name,
        result: a.result.outcome,
        achieved: a.achieved,
        max: a.max,
        status: a.state,
        severity: a.control.severity,
      })),
    };
    ctx.io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const c = views.current;
  const lines = [
    `Secure Score ${percent(c)}  ${points(c.achieved)} / ${points(c.possible)} points`,
    `planned ${percent(views.planned)} · achievable ${percent(views.achievable)}`,
    '',
  ];
  const byApp = [...scoreByApp(actions)];
  if (byApp.length > 0) {
    lines.push(
      table(
        ['Product', 'Score', 'Points'],
        byApp.map(([app, s]) => [APP_LABELS[app], percent(s), `${points(s.achieved)}/${points(s.possible)}`]),
        [14, 8, 14],
      ),
    );
    lines.push('');
  }
  const failing = actions.filter((a) => a.state !== 'completed' && a.achieved !== null && a.achieved < a.max);
  if (failing.length === 0)
    lines.push(
      actions.length === 0
        ? 'No instance has Secure Score recommendations turned on.'
        : 'No open recommended actions.',
    );
  else
    lines.push(
      table(
        ['#', 'Recommended action', 'Product', 'Instance', 'Points', 'Status', 'Severity'],
        failing
          .slice(0, o.limit)
          .map((a) => [
            String(a.rank),
            a.control.title,
            APP_LABELS[a.instance.app],
            a.instance.name,
            `${points(a.achieved ?? 0)}/${points(a.max)}`,
            STATE_LABELS[a.state],
            a.control.severity,
          ]),
        [4, 48, 10, 24, 8, 14, 8],
      ),
    );
  const errors = ctx.store.doc.instances.filter((i) => i.lastPoll?.outcome === 'error');
  for (const i of errors) lines.push(`! ${i.name}: last poll failed: ${i.lastPoll?.error ?? ''}`);
  ctx.io.stdout.write(`${lines.map((l) => sanitize(l, { multiline: true })).join('\n')}\n`);
  return 0;
}
