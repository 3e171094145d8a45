import { sanitize } from '../../text/sanitize.js';
import type { ExportDoc } from '../report.js';

/**
 * RFC 4180 CSV, one row per instance and control. Cells are sanitized, then neutralised against
 * spreadsheet formula injection (OWASP: a leading = + - @ tab or CR makes Excel or Sheets run the
 * cell), then quoted when they hold a comma, a quote or a line break.
 */

const FORMULA = /^[=+\-@\t\r]|^\s+[=+\-@]/;

export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  let s =
    typeof value === 'string'
      ? sanitize(value, { multiline: true }).replace(/[\u2028\u2029]/g, '\n')
      : String(value);
  if (typeof value === 'string' && FORMULA.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_COLUMNS = [
  'instance_id',
  'instance',
  'app',
  'counted',
  'control_id',
  'title',
  'severity',
  'category',
  'outcome',
  'count',
  'total',
  'points',
  'max_points',
  'rank',
  'status',
  'status_reason',
  'status_by',
  'status_at',
  'status_expires',
  'unverified',
  'polled_at',
  'reason',
  'missing_right',
  'failing_items',
] as const;

export function renderCsv(doc: ExportDoc): string {
  const polledAt = new Map(doc.instances.map((i) => [i.id, i.resultsAt]));
  const rows = doc.results.map((r) => [
    r.instanceId,
    r.instance,
    r.app,
    r.counted,
    r.controlId,
    r.title,
    r.severity,
    r.category,
    r.outcome,
    r.count,
    r.total,
    r.points,
    r.maxPoints,
    r.rank,
    r.status.state,
    r.status.reason,
    r.status.by,
    r.status.at,
    r.status.expires,
    r.status.unverified,
    polledAt.get(r.instanceId) ?? null,
    r.reason,
    r.missing,
    r.failingSummary,
  ]);
  return [CSV_COLUMNS, ...rows].map((row) => `${row.map(csvCell).join(',')}\r\n`).join('');
}
