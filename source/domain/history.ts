import type { DailyPoint, PollChanges, Result } from './schemas.js';

const failing = (r: Result | undefined) => r?.outcome === 'fail' || r?.outcome === 'partial';

/** What changed between two polls of one instance: new findings, fixed ones and regressions. */
export function diffResults(
  instanceId: string,
  before: readonly Result[] | undefined,
  after: readonly Result[],
): PollChanges['changes'] {
  const prev = new Map((before ?? []).map((r) => [r.controlId, r]));
  const changes: PollChanges['changes'] = [];
  for (const r of after) {
    const p = prev.get(r.controlId);
    if (failing(r)) {
      if (p?.outcome === 'pass') changes.push({ instanceId, controlId: r.controlId, kind: 'regressed' });
      else if (!failing(p)) changes.push({ instanceId, controlId: r.controlId, kind: 'new' });
      else if (p?.outcome === 'partial' && r.outcome === 'fail')
        changes.push({ instanceId, controlId: r.controlId, kind: 'regressed' });
    } else if (r.outcome === 'pass' && failing(p)) {
      changes.push({ instanceId, controlId: r.controlId, kind: 'fixed' });
    }
  }
  return changes;
}

/** Keep one point per day: the latest score of that day replaces earlier ones. */
export function upsertDaily(days: DailyPoint[], point: DailyPoint, keepDays = 400): DailyPoint[] {
  const out = days.filter((d) => d.day !== point.day);
  out.push(point);
  out.sort((a, b) => a.day.localeCompare(b.day));
  return out.slice(-keepDays);
}

export const dayOf = (d: Date) => d.toISOString().slice(0, 10);
