import { isAbsolute, resolve } from 'node:path';
import { alertTargets, testMessage } from '../domain/alerts.js';
import {
  type AlertSettings,
  EnvNameSchema,
  hasUnprintable,
  SEVERITIES,
  type Severity,
} from '../domain/schemas.js';
import { sanitize } from '../text/sanitize.js';
import { type Context, UsageError } from './context.js';
import { jsonText } from './output.js';

export interface AlertsOptions {
  webhookEnv?: string | undefined;
  command?: string | undefined;
  minSeverity?: string | undefined;
  off: boolean;
  test: boolean;
  json: boolean;
}

/** Whether `posture alerts` was asked to change the settings (and so must write the store). */
export const changesAlerts = (o: AlertsOptions) =>
  o.off || o.webhookEnv !== undefined || o.command !== undefined || o.minSeverity !== undefined;

/** The settings asked for, checked before the store is opened: bad input changes nothing. */
export function checkAlerts(o: AlertsOptions, cwd = process.cwd()): Partial<AlertSettings> {
  if (o.off && ((o.webhookEnv ?? o.command ?? o.minSeverity) !== undefined || o.test))
    throw new UsageError('--off turns alerts off: give it alone');
  if (o.test && o.json)
    throw new UsageError('--test says how each target answered in lines: leave out --json');
  const out: Partial<AlertSettings> = {};
  if (o.webhookEnv !== undefined) {
    const name = EnvNameSchema.safeParse(o.webhookEnv);
    if (!name.success)
      // The URL itself, typed here by mistake, is not quoted back: it may carry the secret.
      throw new UsageError('--webhook-env takes the name of an environment variable that holds the URL');
    out.webhookEnv = name.data;
  }
  if (o.command !== undefined) {
    if (hasUnprintable(o.command)) throw new UsageError('--command must not contain control characters');
    // A path is kept absolute: a poll may run from another folder. A bare name is looked up on PATH.
    out.command = o.command.includes('/') && !isAbsolute(o.command) ? resolve(cwd, o.command) : o.command;
  }
  if (o.minSeverity !== undefined) {
    if (!(SEVERITIES as readonly string[]).includes(o.minSeverity))
      throw new UsageError(`--min-severity must be one of ${SEVERITIES.join(', ')}`);
    out.minSeverity = o.minSeverity as Severity;
  }
  return out;
}

/** `posture alerts`: show the alert settings, or change them. */
export async function alerts(ctx: Context, o: AlertsOptions): Promise<number> {
  const change = checkAlerts(o);
  if (changesAlerts(o)) {
    if (ctx.store.readOnly)
      throw new UsageError(
        `alerts needs to write the store, but ${ctx.store.notice ?? 'it is open read-only'}`,
      );
    await ctx.store.update((doc) => {
      if (o.off) {
        doc.settings.alerts = { minSeverity: doc.settings.alerts.minSeverity };
        doc.alertQueue = { pending: [], dropped: 0 };
      } else doc.settings.alerts = { ...doc.settings.alerts, ...change };
    });
  }
  const a = ctx.store.doc.settings.alerts;
  if (o.test) return sendTest(ctx, a);
  const queue = ctx.store.doc.alertQueue;
  const webhookSet = a.webhookEnv !== undefined && Boolean(ctx.io.env[a.webhookEnv]?.trim());
  if (a.webhookEnv && !webhookSet)
    ctx.io.stderr.write(
      `posture: warning: $${a.webhookEnv} is not set in this shell; set it wherever posture polls, or alerts wait in the store\n`,
    );
  if (o.json) {
    ctx.io.stdout.write(
      jsonText({
        on: alertTargets(a).length > 0,
        webhookEnv: a.webhookEnv ?? null,
        webhookSet,
        command: a.command ?? null,
        minSeverity: a.minSeverity,
        queued: queue.pending.length,
        dropped: queue.dropped,
      }),
    );
    return 0;
  }
  const lines =
    alertTargets(a).length === 0
      ? ['alerts: off (set --webhook-env VAR or --command PROGRAM)', `min severity: ${a.minSeverity}`]
      : [
          'alerts: on',
          `webhook:      ${a.webhookEnv ? `the URL in $${a.webhookEnv}${webhookSet ? '' : ' (not set in this shell)'}` : 'none'}`,
          `command:      ${a.command ?? 'none'}`,
          `min severity: ${a.minSeverity} (new failures and regressions of ${SEVERITIES.slice(0, SEVERITIES.indexOf(a.minSeverity) + 1).join(', ')})`,
          `queued:       ${queue.pending.length} not yet delivered${queue.dropped > 0 ? `, ${queue.dropped} dropped` : ''}`,
        ];
  ctx.io.stdout.write(`${lines.map((l) => sanitize(l)).join('\n')}\n`);
  return 0;
}

/**
 * `alerts --test`: one message with no change in it to each target, now, outside the queue (a real
 * alert waiting there is not sent early). One line per target; exit 1 if any did not take it.
 */
async function sendTest(ctx: Context, a: AlertSettings): Promise<number> {
  const targets = alertTargets(a);
  if (targets.length === 0)
    throw new UsageError('alerts are off: set --webhook-env VAR or --command PROGRAM first');
  const body = `${JSON.stringify(testMessage(new Date()))}\n`;
  const failures: string[] = [];
  // Loaded here: the HTTP client behind them costs every other command ~30 ms to evaluate.
  const { sendTo } = await import('../alerts/deliver.js');
  const { AlertError } = await import('../alerts/send.js');
  for (const target of targets) {
    const name = target === 'webhook' ? `webhook (the URL in $${a.webhookEnv})` : `command ${a.command}`;
    try {
      await sendTo(target, a, ctx.io.env, body);
      ctx.io.stdout.write(`${sanitize(`${name}: took the test message`)}\n`);
    } catch (error) {
      failures.push(error instanceof AlertError ? error.message : String(error));
    }
  }
  // Any error is one line on stderr, even when both targets failed.
  if (failures.length > 0)
    ctx.io.stderr.write(`${sanitize(`posture: test alert not taken: ${failures.join('; ')}`)}\n`);
  return failures.length > 0 ? 1 : 0;
}
