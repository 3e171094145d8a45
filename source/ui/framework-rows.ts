import { loadCatalog, loadFrameworks } from '../catalog/index.js';
import {
  evaluateFramework,
  findFramework,
  type FrameworkReport,
  REQUIREMENT_STATUS_LABELS,
} from '../domain/frameworks.js';
import type { Action } from '../domain/scoring.js';
import type { Framework } from '../domain/schemas.js';
import { lastCall } from './memo.js';

/** The framework the view shows: the one chosen, else the first. */
export function shownFramework(id: string | undefined): Framework | undefined {
  const all = loadFrameworks();
  return all.find((f) => f.id === id) ?? all[0];
}

/**
 * The framework `:framework NAME` asks for: by id, or by name with or without its version, else
 * the one framework whose id or name holds the words typed (`:framework exchange`).
 */
export function frameworkNamed(name: string): Framework | undefined {
  const all = loadFrameworks();
  const exact = findFramework(all, name);
  if (exact) return exact;
  const norm = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, '');
  const want = norm(name);
  const found = all.filter((f) => norm(f.id).includes(want) || norm(f.name).includes(want));
  return want && found.length === 1 ? found[0] : undefined;
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

/**
 * The pane under the list for the selected requirement, at most `rows` lines of `width`: how to
 * check it by hand (the steps, numbered), else the controls behind it, else why nothing does.
 */
export function requirementPane(
  row: FrameworkReport['rows'][number],
  framework: Framework,
  rows: number,
  width: number,
): string[] {
  const cut = (s: string) => (s.length > width ? `${s.slice(0, width - 1)}…` : s);
  const manual = row.manual[0];
  const lines =
    row.controls.length > 0
      ? [`${row.id} is checked by:`, ...row.controls.map((c) => `  ${c.id}  ${c.title}`)]
      : manual
        ? [`${row.id} check by hand: ${manual.title}`, ...manual.steps.map((s, i) => `  ${i + 1}. ${s}`)]
        : [`${row.id}: ${row.reason ?? 'no control checks it yet'}`];
  if (lines.length <= rows) return lines.map(cut);
  const more = `  … all of it: posture export --framework ${framework.id} --format markdown`;
  return [...lines.slice(0, rows - 1), more].map(cut);
}

/** One requirement as a line: id, status, title, the controls behind it. */
export function requirementLine(row: FrameworkReport['rows'][number], width: number): string {
  const controls = [...row.controls.map((c) => c.id), ...row.manual.map(() => 'check by hand')].join(', ');
  const head = `${row.id.padEnd(16)} ${REQUIREMENT_STATUS_LABELS[row.status].padEnd(13)} `;
  const tail = controls ? `  ${controls}` : '';
  const room = Math.max(10, width - head.length - tail.length);
  const title = row.title.length > room ? `${row.title.slice(0, room - 1)}…` : row.title.padEnd(room);
  return `${head}${title}${tail}`;
}
