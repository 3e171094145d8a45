import { loadCatalog, loadFrameworks } from '../catalog/index.js';
import { evaluateFramework, type FrameworkReport, REQUIREMENT_STATUS_LABELS } from '../domain/frameworks.js';
import type { Action } from '../domain/scoring.js';
import type { Framework } from '../domain/schemas.js';
import { lastCall } from './memo.js';

/** The framework the view shows: the one chosen, else the first. */
export function shownFramework(id: string | undefined): Framework | undefined {
  const all = loadFrameworks();
  return all.find((f) => f.id === id) ?? all[0];
}

/** The next framework after `id` (round), for the view's cycle key. */
export function nextFramework(id: string | undefined): string | undefined {
  const all = loadFrameworks();
  const at = all.findIndex((f) => f.id === shownFramework(id)?.id);
  return all[(at + 1) % all.length]?.id;
}

/** The framework's requirements judged on the counted instances' results (the console's `scored`). */
export const frameworkReportOf = lastCall(
  (scored: readonly Action[], framework: Framework): FrameworkReport =>
    evaluateFramework(
      framework,
      loadCatalog(),
      scored.map((a) => ({ instanceId: a.instance.id, controlId: a.control.id, outcome: a.result.outcome })),
    ),
);

/** The rows' ids (requirement ids), as the list tracks them. */
export const frameworkRowIds = lastCall((report: FrameworkReport) => report.rows.map((r) => r.id));

/** One requirement as a line: id, status, title, the controls behind it. */
export function requirementLine(row: FrameworkReport['rows'][number], width: number): string {
  const controls = [...row.controls.map((c) => c.id), ...row.manual.map(() => 'check by hand')].join(', ');
  const head = `${row.id.padEnd(16)} ${REQUIREMENT_STATUS_LABELS[row.status].padEnd(13)} `;
  const tail = controls ? `  ${controls}` : '';
  const room = Math.max(10, width - head.length - tail.length);
  const title = row.title.length > room ? `${row.title.slice(0, room - 1)}…` : row.title.padEnd(room);
  return `${head}${title}${tail}`;
}
