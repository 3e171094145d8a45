import { filterActions, NO_FILTER } from '../domain/action-filter.js';
import { findInstance, parseApp } from '../domain/instances.js';
import { describeFailing } from '../domain/rules.js';
import { APP_LABELS, APPS, type App, STATE_LABELS } from '../domain/schemas.js';
import {
  type Action,
  buildActions,
  collectActions,
  scoreByApp,
  scoreByInstance,
  scoreViews,
} from '../domain/scoring.js';
import { width } from '../text/cells.js';
import { percent, points } from '../text/format.js';
import { sanitize } from '../text/sanitize.js';
import { type Context, UsageError } from './context.js';
import { jsonText, table } from './output.js';

/** The Product column fits the longest product name ("Microsoft 365"), never cut. */
const PRODUCT_WIDTH = Math.max(...Object.values(APP_LABELS).map(width));

export interface StatusOptions {
  json: boolean;
  product?: string | undefined;
  instance?: string | undefined;
  limit: number;
}

export interface Scope {
  product?: string | undefined;
  instance?: string | undefined;
}

/** Resolve --product and --instance to ids, or a usage error naming what is wrong. */
export function resolveFilters(ctx: Context, o: Scope) {
  let product: App | undefined;
  if (o.product !== undefined) {
    const app = parseApp(o.product);
    if (!app) throw new UsageError(`unknown product "${o.product}" (one of ${APPS.join(', ')})`);
    product = app;
  }
  let instance: string | undefined;
  if (o.instance !== undefined) {
    const i = findInstance(ctx.store.doc, o.instance);
    if (!i) throw new UsageError(`unknown instance "${o.instance}" (see posture instances)`);
    if (product && i.app !== product)
      throw new UsageError(
        `instance "${i.name}" is a ${APP_LABELS[i.app]} instance, not ${APP_LABELS[product]}`,
      );
    instance = i.id;
  }
  return { product, instance };
}

/**
 * The actions in scope (--product, --instance), whatever their status: the score is computed over
 * these, as the console does, so an accepted risk still counts in the possible points.
 */
export function scopedActions(ctx: Context, o: Scope, ranked = true): Action[] {
  const { product, instance } = resolveFilters(ctx, o);
  // Ranked among all actions, as the console ranks them; `check` needs only the score.
  const all = (ranked ? buildActions : collectActions)(ctx.store.doc, ctx.catalog.byId, new Date());
  return all.filter(
    (a) => (!product || a.instance.app === product) && (!instance || a.instance.id === instance),
  );
}

/** Open recommended actions in rank order: points left, not accepted as a risk (the console's default list). */
export function openActions(actions: readonly Action[]): Action[] {
  return filterActions(actions, NO_FILTER, 'rank').filter(
    (a) => a.state !== 'completed' && a.achieved !== null && a.achieved < a.max,
  );
}

/** Results whose setting is not there (its application, plugin or hosting): neither failing nor unknown. */
const notApplicable = (actions: readonly Action[]) =>
  actions.filter((a) => a.result.outcome === 'not_applicable').length;

/** Results that count nowhere because the credential could not see the setting, or the read failed. */
function notEvaluated(actions: readonly Action[]): Action[] {
  return actions.filter((a) => a.result.outcome === 'unknown' || a.result.outcome === 'error');
}

export async function status(ctx: Context, o: StatusOptions): Promise<number> {
  const actions = scopedActions(ctx, o);
  const views = scoreViews(actions);
  const open = openActions(actions);
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
      openActions: open.length,
      actions: open.slice(0, o.limit).map((a) => ({
        rank: a.rank,
        controlId: a.control.id,
        title: a.control.title,
        product: a.instance.app,
        instanceId: a.instance.id,
        instance: a.instance.name,
        result: a.result.outcome,
        achieved: a.achieved,
        max: a.max,
        status: a.state,
        severity: a.control.severity,
        failing: a.result.failing ?? [],
        failingSummary: describeFailing(a.result, a.control.rule.noun) ?? null,
      })),
      notApplicable: notApplicable(actions),
      notEvaluated: notEvaluated(actions).map((a) => ({
        controlId: a.control.id,
        instanceId: a.instance.id,
        reason: a.result.reason ?? null,
        missing: a.result.missing ?? null,
      })),
    };
    ctx.io.stdout.write(jsonText(out));
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
        [PRODUCT_WIDTH, 8, 14],
      ),
    );
    lines.push('');
  }
  if (open.length === 0)
    lines.push(
      actions.length === 0
        ? 'No instance has Secure Score recommendations turned on.'
        : 'No open recommended actions.',
    );
  else {
    lines.push(
      table(
        ['#', 'Recommended action', 'Product', 'Instance', 'Points', 'Status', 'Severity'],
        open
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
        [4, 48, PRODUCT_WIDTH, 24, 8, 14, 8],
      ),
    );
    if (open.length > o.limit) lines.push(`… and ${open.length - o.limit} more (--limit N shows more)`);
    // Controls over several items say which failed; a single setting's title already says it.
    const shown = open.slice(0, o.limit);
    const rankWidth = Math.max(0, ...shown.map((a) => String(a.rank).length)) + 1;
    const failed = shown.flatMap((a) => {
      const what = (a.result.total ?? 0) > 1 ? describeFailing(a.result, a.control.rule.noun) : undefined;
      return what ? [`  ${`#${a.rank}`.padEnd(rankWidth)}  ${what}`] : [];
    });
    if (failed.length > 0) lines.push('', 'What failed', ...failed);
  }
  const unseen = notEvaluated(actions);
  if (unseen.length > 0) {
    const rights = [...new Set(unseen.flatMap((a) => (a.result.missing ? [a.result.missing] : [])))];
    lines.push(
      '',
      `Not scored: ${unseen.length} results could not be evaluated${
        rights.length > 0 ? `; the credentials lack: ${rights.join('; ')}` : ''
      } (posture doctor says more)`,
    );
  }
  const na = notApplicable(actions);
  if (na > 0)
    lines.push(
      '',
      `Not applicable: ${na} results (the setting's application, plugin or hosting is not there; not scored)`,
    );
  const errors = ctx.store.doc.instances.filter((i) => i.lastPoll?.outcome === 'error');
  for (const i of errors) lines.push(`! ${i.name}: last poll failed: ${i.lastPoll?.error ?? ''}`);
  ctx.io.stdout.write(`${lines.map((l) => sanitize(l, { multiline: true })).join('\n')}\n`);
  return 0;
}
