import { sanitize } from '../text/sanitize.js';
import { describeFailing } from './rules.js';
import {
  type AlertSettings,
  type AlertTarget,
  APP_LABELS,
  type Control,
  type PollChanges,
  type QueuedAlert,
  type Result,
  SEVERITIES,
  type Severity,
  type StoreDoc,
} from './schemas.js';

export const ALERT_SCHEMA = 'posture.alert/1';

/** At most this many changes wait in the store: a target down for months must not grow it without end. */
export const MAX_QUEUED = 2000;
/** Changes one message carries; the rest go with the next one. */
export const MAX_PER_MESSAGE = 200;
/** Changes named in the one-paragraph text. */
const NAMED_IN_TEXT = 10;

/** The targets an operator set up, in the order they are tried. */
export function alertTargets(a: AlertSettings): AlertTarget[] {
  return [...(a.webhookEnv ? (['webhook'] as const) : []), ...(a.command ? (['command'] as const) : [])];
}

export const atOrAbove = (s: Severity, min: Severity) => SEVERITIES.indexOf(s) <= SEVERITIES.indexOf(min);

/**
 * Queue what a poll changed that is worth an alert: new failures and regressions at or above the
 * minimum severity, for every target set up. Called inside the poll's commit, so that the change
 * and its alert are kept together: an alert is never lost between a commit and its delivery.
 */
export function queueAlerts(
  doc: StoreDoc,
  changes: PollChanges,
  results: readonly Result[],
  controls: ReadonlyMap<string, Control>,
): void {
  const settings = doc.settings.alerts;
  const to = alertTargets(settings);
  if (to.length === 0) return;
  const byControl = new Map(results.map((r) => [r.controlId, r]));
  for (const c of changes.changes) {
    const control = controls.get(c.controlId);
    if (c.kind === 'fixed' || !control || !atOrAbove(control.severity, settings.minSeverity)) continue;
    const result = byControl.get(c.controlId);
    const failing = result && describeFailing(result, control.rule.noun);
    doc.alertQueue.pending.push({
      at: changes.at,
      instanceId: c.instanceId,
      controlId: c.controlId,
      kind: c.kind,
      severity: control.severity,
      ...(failing ? { failing } : {}),
      to: [...to],
    });
  }
  const over = doc.alertQueue.pending.length - MAX_QUEUED;
  if (over > 0) {
    doc.alertQueue.pending.splice(0, over);
    doc.alertQueue.dropped += over;
  }
}

/** The changes waiting for `target`, oldest first, as many as one message carries. */
export function pendingFor(doc: StoreDoc, target: AlertTarget): QueuedAlert[] {
  return doc.alertQueue.pending.filter((q) => q.to.includes(target)).slice(0, MAX_PER_MESSAGE);
}

const key = (q: Pick<QueuedAlert, 'at' | 'instanceId' | 'controlId' | 'kind'>) =>
  `${q.at}\u0000${q.instanceId}\u0000${q.controlId}\u0000${q.kind}`;

/**
 * `target` took `sent` (and the count of dropped changes the message gave): they no longer wait for
 * it, and one no target waits for leaves the queue.
 */
export function markDelivered(
  doc: StoreDoc,
  target: AlertTarget,
  sent: readonly QueuedAlert[],
  droppedShown = 0,
): void {
  const done = new Set(sent.map(key));
  const pending = doc.alertQueue.pending;
  for (let n = pending.length - 1; n >= 0; n--) {
    const q = pending[n]!;
    if (!done.has(key(q))) continue;
    const to = q.to.filter((t) => t !== target);
    if (to.length === 0) pending.splice(n, 1);
    else q.to = to;
  }
  doc.alertQueue.dropped = Math.max(0, doc.alertQueue.dropped - droppedShown);
}

export interface AlertChange {
  at: string;
  instanceId: string;
  instance: string;
  app: string;
  control: string;
  title: string;
  severity: Severity;
  kind: 'new' | 'regressed';
  failing?: string;
}

export interface AlertMessage {
  schema: typeof ALERT_SCHEMA;
  generatedAt: string;
  changes: AlertChange[];
  /** Changes dropped from a full queue before this message. */
  dropped?: number;
  /** Set on the message of `posture alerts --test`, which carries no change. */
  test?: true;
  /** One paragraph, for Slack's incoming webhooks and the like. */
  text: string;
}

/** What `posture alerts --test` sends: the same shape as a real alert, with no change in it. */
export function testMessage(now: Date): AlertMessage {
  return {
    schema: ALERT_SCHEMA,
    generatedAt: now.toISOString(),
    changes: [],
    test: true,
    text: 'posture: a test alert. New failures and regressions of this workspace will arrive here.',
  };
}

/**
 * Slack reads `&`, `<` and `>` as markup (`<!channel>` pings a channel, `<url|text>` is a link):
 * a name a tenant chose is shown as written, never as markup.
 */
const slackText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The message for queued changes. Every string that came from a tenant, the catalog or an operator
 * passes the sanitizer before it is put in: a receiver that shows it is as safe as the console.
 */
export function alertMessage(
  doc: StoreDoc,
  queued: readonly QueuedAlert[],
  controls: ReadonlyMap<string, Control>,
  now: Date,
): AlertMessage {
  const clean = (s: string) => sanitize(s);
  const instances = new Map(doc.instances.map((i) => [i.id, i]));
  const changes = queued.map((q): AlertChange => {
    const i = instances.get(q.instanceId);
    return {
      at: q.at,
      instanceId: clean(q.instanceId),
      instance: clean(i?.name ?? q.instanceId),
      app: i ? APP_LABELS[i.app] : 'unknown',
      control: clean(q.controlId),
      title: clean(controls.get(q.controlId)?.title ?? q.controlId),
      severity: q.severity,
      kind: q.kind,
      ...(q.failing ? { failing: clean(q.failing) } : {}),
    };
  });
  const dropped = doc.alertQueue.dropped;
  return {
    schema: ALERT_SCHEMA,
    generatedAt: now.toISOString(),
    changes,
    ...(dropped > 0 ? { dropped } : {}),
    text: alertText(changes, dropped),
  };
}

function alertText(changes: readonly AlertChange[], dropped: number): string {
  const count = (kind: AlertChange['kind']) => changes.filter((c) => c.kind === kind).length;
  const parts = [
    count('new') > 0 ? `${count('new')} new failing` : '',
    count('regressed') > 0 ? `${count('regressed')} regressed` : '',
  ].filter(Boolean);
  const named = changes
    .slice(0, NAMED_IN_TEXT)
    .map(
      (c) =>
        `[${c.severity}] ${c.kind === 'new' ? 'new' : 'regressed'}: ${c.title} on ${c.instance}${c.failing ? ` (${c.failing})` : ''}`,
    );
  const more = changes.length - named.length;
  const text = [
    `posture: ${parts.join(', ')} control${changes.length === 1 ? '' : 's'}.`,
    `${named.join('; ')}${more > 0 ? `; and ${more} more` : ''}.`,
    dropped > 0 ? `${dropped} earlier changes were dropped while alerts could not be delivered.` : '',
  ];
  return slackText(text.filter(Boolean).join(' '));
}
