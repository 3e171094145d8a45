import type { Catalog } from '../../catalog/index.js';
import { APP_LABELS, type Control, type Severity, type State } from '../../domain/schemas.js';
import { points } from '../../text/format.js';
import { cleanJson } from '../output.js';
import type { ExportDoc, ExportResult } from '../report.js';

/**
 * OCSF Compliance Finding events (class 2003, category Findings), schema version OCSF_VERSION, one
 * per line (JSON Lines, as SIEM and data-lake pipelines ingest events: each line stands alone, so a
 * file can be streamed, split or appended to).
 *
 * Every result of every instance gives events: one Fail event per failing item (its own uid,
 * `instance/control/item`, and the control's uid as `uid_alt`); a control that fails with no item
 * named, passes (Pass, activity Close, which closes the control's findings), does not apply (Other,
 * named Not Applicable: the setting is not there; Close as well) or could not be judged (Warning)
 * gives one event with the control's uid, `instance/control`.
 */

export const OCSF_VERSION = '1.8.0';

const CLASS = { uid: 2003, name: 'Compliance Finding' };
const CATEGORY = { uid: 2, name: 'Findings' };

const ACTIVITY = { create: { id: 1, name: 'Create' }, close: { id: 3, name: 'Close' } } as const;
type Activity = (typeof ACTIVITY)[keyof typeof ACTIVITY];

type Caption = { id: number; name: string };
const SEVERITY: Record<Severity, Caption> = {
  critical: { id: 5, name: 'Critical' },
  high: { id: 4, name: 'High' },
  medium: { id: 3, name: 'Medium' },
  low: { id: 2, name: 'Low' },
};
// A passed check reports nothing to act on.
const INFORMATIONAL: Caption = { id: 1, name: 'Informational' };

// OCSF has no Not Applicable among compliance statuses: Other (99), named by the source, is for that.
const COMPLIANCE = {
  pass: { id: 1, name: 'Pass' },
  warning: { id: 2, name: 'Warning' },
  fail: { id: 3, name: 'Fail' },
  notApplicable: { id: 99, name: 'Not Applicable' },
} as const;
type Compliance = (typeof COMPLIANCE)[keyof typeof COMPLIANCE];

// The finding's workflow status, from the operator's status of the action.
const FINDING_STATUS: Record<State, Caption> = {
  to_address: { id: 1, name: 'New' },
  planned: { id: 2, name: 'In Progress' },
  risk_accepted: { id: 3, name: 'Suppressed' },
  third_party: { id: 3, name: 'Suppressed' },
  alternate_mitigation: { id: 3, name: 'Suppressed' },
  completed: { id: 4, name: 'Resolved' },
  // Nothing was remediated: the setting is not there to judge.
  not_applicable: { id: 5, name: 'Archived' },
};
const RESOLVED: Caption = { id: 4, name: 'Resolved' };

interface Item {
  id: string;
  name: string;
}

function event(
  doc: ExportDoc,
  r: ExportResult,
  control: Control | undefined,
  compliance: Compliance,
  item: Item | undefined,
) {
  const passed = compliance === COMPLIANCE.pass;
  // Not applicable closes the control's findings too: there is nothing left to find.
  const closes = passed || compliance === COMPLIANCE.notApplicable;
  const activity: Activity = closes ? ACTIVITY.close : ACTIVITY.create;
  const severity = closes ? INFORMATIONAL : SEVERITY[r.severity];
  const status = passed ? RESOLVED : FINDING_STATUS[r.status.state];
  const instance = doc.instances.find((i) => i.id === r.instanceId);
  const at = Date.parse(instance?.resultsAt ?? doc.generatedAt);
  const controlUid = `${r.instanceId}/${r.controlId}`;
  const app = APP_LABELS[r.app];
  const details = [
    r.failingSummary,
    r.reason,
    r.missing === null ? null : `the credential lacks ${r.missing}`,
    r.status.reason === '' ? null : `${r.status.label}: ${r.status.reason}`,
  ].filter((d): d is string => d !== null && d !== '');
  const subject = item ? `${item.name} in ${r.instance}` : r.instance;
  const benchmarks = control?.benchmarks ?? [];
  const link = control?.links.find((l) => URL.canParse(l));
  return {
    activity_id: activity.id,
    activity_name: activity.name,
    category_uid: CATEGORY.uid,
    category_name: CATEGORY.name,
    class_uid: CLASS.uid,
    class_name: CLASS.name,
    type_uid: CLASS.uid * 100 + activity.id,
    type_name: `${CLASS.name}: ${activity.name}`,
    severity_id: severity.id,
    severity: severity.name,
    time: at,
    timezone_offset: 0,
    message: `${subject} (${app}): ${r.title}: ${compliance.name}. ${points(r.points ?? 0)} of ${points(r.maxPoints)} points.`,
    status_id: status.id,
    status: status.name,
    metadata: {
      version: OCSF_VERSION,
      product: { name: 'posture', vendor_name: 'posture', version: doc.generator.version },
    },
    finding_info: {
      uid: item ? `${controlUid}/${item.id}` : controlUid,
      ...(item ? { uid_alt: controlUid } : {}),
      title: r.title,
      ...(control ? { desc: control.description } : {}),
      types: [r.category],
      last_seen_time: at,
      ...(link ? { src_url: link } : {}),
    },
    compliance: {
      control: r.controlId,
      category: r.category,
      standards: [...new Set(benchmarks.map((b) => b.name))],
      requirements: benchmarks.map((b) => `${b.name} ${b.id}`),
      status_id: compliance.id,
      status: compliance.name,
      ...(details.length > 0 ? { status_details: details } : {}),
    },
    resources: [
      ...(item ? [{ uid: item.id, name: item.name, type: control?.rule.noun ?? 'item' }] : []),
      { uid: r.instanceId, name: r.instance, type: 'SaaS tenant', provider: app },
    ],
    ...(control
      ? {
          remediation: {
            desc: control.steps.map((s, n) => `${n + 1}. ${s}`).join('\n'),
            ...(control.links.length > 0 ? { references: control.links } : {}),
          },
        }
      : {}),
    // What OCSF has no attribute for: posture's own view of the result.
    unmapped: {
      posture: {
        app: r.app,
        outcome: r.outcome,
        points: r.points,
        max_points: r.maxPoints,
        ...(r.total !== null ? { count: r.count ?? 0, total: r.total } : {}),
        counted: r.counted,
        rank: r.rank,
        state: r.status.state,
        ...(r.status.expires ? { expires: r.status.expires } : {}),
      },
    },
  };
}

export type OcsfEvent = ReturnType<typeof event>;

export function ocsfEvents(doc: ExportDoc, catalog: Catalog): OcsfEvent[] {
  return doc.results.flatMap((r) => {
    const control = catalog.byId.get(r.controlId);
    if (r.failing.length > 0) return r.failing.map((item) => event(doc, r, control, COMPLIANCE.fail, item));
    const compliance =
      r.outcome === 'pass'
        ? COMPLIANCE.pass
        : r.outcome === 'fail' || r.outcome === 'partial'
          ? COMPLIANCE.fail
          : r.outcome === 'not_applicable'
            ? COMPLIANCE.notApplicable
            : COMPLIANCE.warning;
    return [event(doc, r, control, compliance, undefined)];
  });
}

/** JSON Lines: one sanitized event a line. */
export function renderOcsf(doc: ExportDoc, catalog: Catalog): string {
  return ocsfEvents(doc, catalog)
    .map((e) => `${JSON.stringify(cleanJson(e))}\n`)
    .join('');
}
