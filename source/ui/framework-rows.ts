import { loadCatalog, loadFrameworks } from '../catalog/index.js';
import {
  evaluateFramework,
  findFramework,
  type FrameworkReport,
  REQUIREMENT_STATUS_LABELS,
} from '../domain/frameworks.js';
import type { Action } from '../domain/scoring.js';
import type { Framework } from '../domain/schemas.js';
import { cell } from '../text/cells.js';
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
      ? [
          row.status === 'not_applicable'
            ? `${row.id} does not apply here (not counted in the requirements met); checked by:`
            : `${row.id} is checked by:`,
          ...row.controls.map((c) => `  ${c.id}  ${c.title}`),
        ]
      : manual
        ? [`${row.id} check by hand: ${manual.title}`, ...manual.steps.map((s, i) => `  ${i + 1}. ${s}`)]
        : [`${row.id}: ${row.reason ?? 'no control checks it yet'}`];
  if (lines.length <= rows) return lines.map(cut);
  const more = `  … all of it: posture export --framework ${framework.id} --format markdown`;
  return [...lines.slice(0, rows - 1), more].map(cut);
}

type RequirementRow = FrameworkReport['rows'][number];
export interface RequirementColumns {
  id: number;
  title: number;
  controls: number;
}

const STATUS_CELLS = 14; // "Not applicable"
const controlsOf = (row: RequirementRow) =>
  [...row.controls.map((c) => c.id), ...row.manual.map(() => 'check by hand')].join(', ');

/**
 * The columns of the requirement table, from its rows: ids as wide as the longest (SCuBA's run to
 * 22 characters), the controls up to a quarter of the width (the pane below names them whole), and the title the rest, so every row's
 * columns line up.
 */
export function requirementColumns(rows: readonly RequirementRow[], width: number): RequirementColumns {
  const id = Math.max('Requirement'.length, ...rows.map((r) => r.id.length));
  const controls = Math.min(
    Math.floor(width / 4),
    Math.max('Controls'.length, ...rows.map((r) => controlsOf(r).length)),
  );
  return { id, controls, title: Math.max(10, width - id - STATUS_CELLS - controls - 3) };
}

export const requirementHeader = (c: RequirementColumns) =>
  [cell('Requirement', c.id), cell('Status', STATUS_CELLS), cell('Title', c.title), 'Controls'].join(' ');

/** One requirement as a line: id, status, title, the controls behind it, in the table's columns. */
export function requirementLine(row: RequirementRow, c: RequirementColumns): string {
  return [
    cell(row.id, c.id),
    cell(REQUIREMENT_STATUS_LABELS[row.status], STATUS_CELLS),
    cell(row.title, c.title),
    cell(controlsOf(row), c.controls),
  ].join(' ');
}
