import type { Catalog } from '../../catalog/index.js';
import { APP_LABELS, type Control, type Severity } from '../../domain/schemas.js';
import { points } from '../../text/format.js';
import { sanitize } from '../../text/sanitize.js';
import { type ExportDoc, type ExportResult, findings } from '../report.js';
import { implementationMarkdown } from './markdown.js';

/**
 * SARIF 2.1.0: the controls become `tool.driver.rules` (help from their implementation steps), the
 * failing and partial results of counted instances become `results`, located logically at
 * `app/instance` (there is no file to point at). Accepted risks and actions resolved another way
 * are reported as externally suppressed, so code-scanning tools show them as dismissed.
 */

export const SARIF_SCHEMA_URI =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json';

type Level = 'error' | 'warning' | 'note';
export const LEVELS: Record<Severity, Level> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
};
// GitHub code scanning ranks security results by this 0-10 score (a string, by its convention).
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
};

// Line and paragraph separators become newlines: viewers disagree on them.
const text = (s: unknown) => sanitize(s, { multiline: true }).replace(/[\u2028\u2029]/g, '\n');

function rule(c: Control) {
  const help = c.steps.map((s, i) => `${i + 1}. ${text(s)}`).join('\n');
  const helpUri = c.links.find((l) => URL.canParse(l));
  return {
    id: c.id,
    name: c.id,
    shortDescription: { text: text(c.title) },
    fullDescription: { text: text(c.description) },
    help: {
      text: `Implementation:\n${help}`,
      markdown: `**Implementation**\n\n${implementationMarkdown(c)}`,
    },
    ...(helpUri ? { helpUri } : {}),
    defaultConfiguration: { level: LEVELS[c.severity] },
    properties: {
      tags: ['security', c.app, c.category],
      'security-severity': SECURITY_SEVERITY[c.severity],
      severity: c.severity,
      maxPoints: c.maxPoints,
      scoring: c.scoring,
      threats: c.threats.map(text),
      benchmarks: c.benchmarks.map((b) => `${text(b.name)} ${text(b.id)}`),
    },
  };
}

function message(r: ExportResult): string {
  const partial =
    r.outcome === 'partial' && r.total !== null ? ` (${r.count ?? 0} of ${r.total} compliant)` : '';
  const items = r.failingSummary ? ` ${r.failingSummary}.` : '';
  return text(
    `${r.instance} (${APP_LABELS[r.app]}): ${r.title}. ${points(r.points ?? 0)} of ${points(r.maxPoints)} points${partial}; status: ${r.status.label}.${items}`,
  );
}

function suppression(r: ExportResult) {
  const s = r.status;
  if (s.state === 'risk_accepted') {
    const until = s.expires ? ` until ${s.expires}` : '';
    return {
      kind: 'external',
      status: 'accepted',
      justification: text(`Risk accepted${until}: ${s.reason}`),
    };
  }
  if (s.state === 'third_party' || s.state === 'alternate_mitigation')
    return { kind: 'external', status: 'accepted', justification: text(`${s.label}: ${s.reason}`) };
  return undefined;
}

export function renderSarif(doc: ExportDoc, catalog: Catalog) {
  const apps = new Set(doc.instances.map((i) => i.app));
  const controls = catalog.controls.filter((c) => apps.has(c.app));
  const index = new Map(controls.map((c, n) => [c.id, n]));
  const results = findings(doc)
    .filter((r) => index.has(r.controlId))
    .map((r) => {
      const suppressed = suppression(r);
      return {
        ruleId: r.controlId,
        ruleIndex: index.get(r.controlId)!,
        kind: 'fail',
        level: LEVELS[r.severity],
        message: { text: message(r) },
        locations: [
          {
            logicalLocations: [
              {
                name: text(r.instance),
                fullyQualifiedName: text(`${r.app}/${r.instance}`),
                kind: 'resource',
              },
            ],
          },
        ],
        partialFingerprints: { 'postureFinding/v1': text(`${r.instanceId}/${r.controlId}`) },
        ...(suppressed ? { suppressions: [suppressed] } : {}),
        properties: {
          instanceId: text(r.instanceId),
          app: r.app,
          outcome: r.outcome,
          points: r.points,
          maxPoints: r.maxPoints,
          ...(r.total !== null ? { count: r.count ?? 0, total: r.total } : {}),
          status: r.status.state,
          rank: r.rank,
        },
      };
    });
  const failedPolls = doc.instances.filter((i) => i.lastPoll?.outcome === 'error');
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'posture',
            version: doc.generator.version,
            semanticVersion: doc.generator.version,
            rules: controls.map(rule),
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            endTimeUtc: doc.generatedAt,
            toolExecutionNotifications: failedPolls.map((i) => ({
              level: 'error',
              message: { text: text(`${i.name}: the last poll failed: ${i.lastPoll?.error ?? ''}`) },
              timeUtc: i.lastPoll?.at,
            })),
          },
        ],
        results,
        properties: { score: doc.score, schema: doc.schema },
      },
    ],
  };
}
