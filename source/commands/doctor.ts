import { CredentialError } from '../connectors/credentials.js';
import { ConnectorError } from '../connectors/http.js';
import { CONNECTORS } from '../connectors/registry.js';
import { type ControlAccess, controlAccess, missingRights } from '../domain/access.js';
import { APP_LABELS, type Instance, outcomeLabel } from '../domain/schemas.js';
import { readInstance, unreadableMessage } from '../poller/poller.js';
import { sanitize } from '../text/sanitize.js';
import type { Context } from './context.js';
import { jsonText, table } from './output.js';
import { resolveFilters } from './status.js';

/** What one instance's credential can evaluate, read once from the tenant; nothing is stored. */
export interface AccessReport {
  instanceId: string;
  name: string;
  app: Instance['app'];
  outcome: 'ok' | 'error';
  /** Why the instance could not be read at all (bad token, unreachable, nothing readable). */
  error?: string;
  evaluable: number;
  total: number;
  missing: string[];
  controls: ControlAccess[];
}

/** Read an instance once with its credential and say, per control, whether it can be evaluated. */
export async function checkAccess(
  ctx: Pick<Context, 'catalog' | 'io'>,
  instance: Instance,
): Promise<AccessReport> {
  const base = { instanceId: instance.id, name: instance.name, app: instance.app };
  const controls = ctx.catalog.forApp(instance.app);
  try {
    const reading = await readInstance(instance, {
      catalog: ctx.catalog,
      connectors: CONNECTORS,
      env: ctx.io.env,
    });
    const access = controlAccess(controls, reading.results);
    return {
      ...base,
      outcome: reading.readable ? 'ok' : 'error',
      ...(reading.readable ? {} : { error: unreadableMessage(reading.results) }),
      evaluable: access.filter((a) => a.evaluable).length,
      total: access.length,
      missing: missingRights(access),
      controls: access,
    };
  } catch (error) {
    if (!(error instanceof ConnectorError || error instanceof CredentialError)) throw error;
    return {
      ...base,
      outcome: 'error',
      error: error.message,
      evaluable: 0,
      total: controls.length,
      missing: [],
      controls: [],
    };
  }
}

/** The access report as text: a summary line, the rights to grant, and one row per control. */
export function accessText(r: AccessReport): string {
  const head = `${APP_LABELS[r.app]} · ${r.name} (${r.instanceId})`;
  if (r.outcome === 'error' && r.controls.length === 0)
    return sanitize(`${head}\n  cannot be read: ${r.error}`);
  const lines = [
    head,
    `  ${r.evaluable} of ${r.total} controls can be evaluated with this credential${r.error ? ` (${r.error})` : ''}`,
    ...(r.missing.length > 0 ? [`  grant it: ${r.missing.join('; ')}`] : []),
  ].map((l) => sanitize(l));
  const rows = r.controls.map((c) => [
    c.controlId,
    c.evaluable ? 'yes' : 'no',
    c.evaluable ? outcomeLabel(c.outcome) : c.missing ? `needs ${c.missing}` : (c.reason ?? ''),
  ]);
  const body = table(['control', 'can', 'result, or what is missing'], rows, [34, 3, 90]);
  return `${lines.join('\n')}\n${body.replace(/^/gm, '  ')}`;
}

export interface DoctorOptions {
  instance?: string | undefined;
  json: boolean;
}

/**
 * `posture doctor`: read each instance's datasets once and print what its credential can evaluate.
 * Exit 0 when every control of every instance can be evaluated, 1 otherwise.
 */
export async function doctor(ctx: Context, o: DoctorOptions): Promise<number> {
  const { instance } = resolveFilters(ctx, { instance: o.instance });
  const instances = ctx.store.doc.instances.filter((i) => !instance || i.id === instance);
  const reports: AccessReport[] = [];
  // One instance at a time: a doctor run is for reading, and vendors ask for few concurrent calls.
  for (const i of instances) reports.push(await checkAccess(ctx, i));
  if (o.json) ctx.io.stdout.write(jsonText(reports));
  else
    ctx.io.stdout.write(
      reports.length === 0
        ? 'no instances: add one with `posture connect`\n'
        : `${reports.map(accessText).join('\n\n')}\n`,
    );
  return reports.every((r) => r.outcome === 'ok' && r.evaluable === r.total) ? 0 : 1;
}
