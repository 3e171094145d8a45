import type { Control, Framework, ManualCheck, Outcome } from './schemas.js';

/**
 * A requirement's status: from the results of the counted instances' controls behind it, or
 * `manual` when only a check by hand covers it, or `not_evaluated` when no counted instance has a
 * result for it (or no control covers it yet). `not_applicable`: every result behind it is (the
 * settings are not there); like `unknown` it is left out of the requirements met and checkable.
 */
export const REQUIREMENT_STATUSES = [
  'pass',
  'fail',
  'partial',
  'unknown',
  'not_applicable',
  'manual',
  'not_evaluated',
] as const;
export type RequirementStatus = (typeof REQUIREMENT_STATUSES)[number];

export const REQUIREMENT_STATUS_LABELS: Record<RequirementStatus, string> = {
  pass: 'Pass',
  fail: 'Fail',
  partial: 'Partial',
  unknown: 'Unknown',
  not_applicable: 'Not applicable',
  manual: 'Manual',
  not_evaluated: 'Not evaluated',
};

/** One result of a counted instance: what the framework needs of an action. */
export interface CountedResult {
  instanceId: string;
  controlId: string;
  outcome: Outcome;
}

export interface RequirementRow {
  id: string;
  title: string;
  status: RequirementStatus;
  controls: Control[];
  manual: ManualCheck[];
  /** The results the status was drawn from (counted instances, controls behind it). */
  results: CountedResult[];
  /** Why not_evaluated: no control covers it, or no counted instance has results. */
  reason?: string;
}

export interface FrameworkReport {
  framework: Framework;
  rows: RequirementRow[];
  counts: Record<RequirementStatus, number>;
  /** Requirements met (pass) of those judged (pass, fail, partial: not applicable is not); percent null when none is. */
  met: number;
  checkable: number;
  percent: number | null;
}

const cites = (framework: Framework, id: string) => (b: { name: string; id: string }) =>
  b.name === framework.benchmark && b.id === id;

/**
 * A requirement is met when every result behind it passes. A known failure outweighs an unknown
 * (the requirement is not met whatever the unknown turns out to be); a pass beside an unknown is
 * not enough to say it is met. Pass and fail together (one instance passes, another fails) is
 * partial, as is any partial result. A result that does not apply says nothing either way: the
 * others decide, and when there are none, the requirement does not apply.
 */
export function requirementStatus(all: readonly Outcome[]): RequirementStatus {
  if (all.length === 0) return 'not_evaluated';
  const outcomes = all.filter((o) => o !== 'not_applicable');
  if (outcomes.length === 0) return 'not_applicable';
  const known = outcomes.filter((o) => o === 'pass' || o === 'fail' || o === 'partial');
  const failing = known.some((o) => o !== 'pass');
  if (failing) return known.some((o) => o !== 'fail') ? 'partial' : 'fail';
  return known.length === outcomes.length ? 'pass' : 'unknown';
}

/** The framework's requirements with their status, from the catalog and the counted results. */
export function evaluateFramework(
  framework: Framework,
  catalog: { controls: readonly Control[]; manual: readonly ManualCheck[] },
  results: readonly CountedResult[],
): FrameworkReport {
  const rows = framework.requirements.map((r): RequirementRow => {
    const controls = catalog.controls.filter(
      (c) => c.app === framework.app && c.benchmarks.some(cites(framework, r.id)),
    );
    const manual = catalog.manual.filter(
      (m) => m.app === framework.app && m.benchmarks.some(cites(framework, r.id)),
    );
    const ids = new Set(controls.map((c) => c.id));
    const behind = results.filter((x) => ids.has(x.controlId));
    if (controls.length === 0)
      return manual.length > 0
        ? { ...r, status: 'manual', controls, manual, results: behind }
        : {
            ...r,
            status: 'not_evaluated',
            controls,
            manual,
            results: behind,
            reason: 'no control checks it yet',
          };
    const status = requirementStatus(behind.map((x) => x.outcome));
    return status === 'not_evaluated'
      ? { ...r, status, controls, manual, results: behind, reason: 'no counted instance has results for it' }
      : { ...r, status, controls, manual, results: behind };
  });
  const counts = Object.fromEntries(REQUIREMENT_STATUSES.map((s) => [s, 0])) as Record<
    RequirementStatus,
    number
  >;
  for (const row of rows) counts[row.status] += 1;
  const checkable = counts.pass + counts.fail + counts.partial;
  const met = counts.pass;
  return {
    framework,
    rows,
    counts,
    met,
    checkable,
    percent: checkable === 0 ? null : Math.round((met / checkable) * 10000) / 100,
  };
}

/** A framework by its id, or by its name with or without the version, case and spaces aside. */
export function findFramework(frameworks: readonly Framework[], name: string): Framework | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, '');
  const want = norm(name);
  return frameworks.find(
    (f) => norm(f.id) === want || norm(f.name) === want || norm(`${f.name} ${f.version}`) === want,
  );
}

/** How many of a framework's requirements a control covers, how many are manual, how many neither. */
export function coverage(report: FrameworkReport) {
  const covered = report.rows.filter((r) => r.controls.length > 0).length;
  const manual = report.rows.filter((r) => r.controls.length === 0 && r.manual.length > 0).length;
  return { total: report.rows.length, covered, manual, uncovered: report.rows.length - covered - manual };
}
