import { APP_LABELS } from '../domain/schemas.js';
import { healthOf } from '../domain/instances.js';
import { mainInstances } from '../domain/scoring.js';
import { ago } from '../text/format.js';
import { sanitize } from '../text/sanitize.js';
import type { Context } from './context.js';
import { jsonText, table } from './output.js';
import { exportInstances } from './report.js';

export interface InstancesOptions {
  json: boolean;
}

/** `posture instances`: every connected instance with its endpoint, recommendations and health. */
export async function instances(ctx: Context, o: InstancesOptions): Promise<number> {
  const doc = ctx.store.doc;
  const now = Date.now();
  if (o.json) {
    ctx.io.stdout.write(jsonText(exportInstances(doc, new Date(now))));
    return 0;
  }
  if (doc.instances.length === 0) {
    ctx.io.stdout.write(
      'No instances yet: add one with `posture connect <app> --name N --url URL --token-env VAR`.\n',
    );
    return 0;
  }
  const single = doc.settings.instanceMode === 'single';
  const mains = mainInstances(doc);
  const rows = doc.instances.map((i) => {
    let recommendations = i.recommendations ? 'On' : 'Off';
    if (single && i.recommendations && mains.get(i.app) !== i) recommendations = 'On (not counted)';
    return [
      i.id,
      APP_LABELS[i.app],
      i.name,
      i.baseUrl,
      recommendations,
      i.lastPoll ? `${i.lastPoll.at.slice(0, 16).replace('T', ' ')}Z (${ago(i.lastPoll.at, now)})` : 'never',
      healthOf(i, now),
    ];
  });
  const lines = [
    table(
      ['ID', 'App', 'Name', 'URL', 'Recommendations', 'Last poll', 'Health'],
      rows,
      [28, 10, 28, 44, 16, 28, 6],
    ),
  ];
  for (const i of doc.instances)
    if (i.lastPoll?.outcome === 'error')
      lines.push(`! ${i.name}: last poll failed: ${i.lastPoll.error ?? ''}`);
  ctx.io.stdout.write(`${lines.map((l) => sanitize(l, { multiline: true })).join('\n')}\n`);
  return 0;
}
