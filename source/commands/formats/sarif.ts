import { createHash } from 'node:crypto';
import type { Catalog } from '../../catalog/index.js';
import { APP_LABELS, type Control, type Severity } from '../../domain/schemas.js';
import { points } from '../../text/format.js';
import { sanitize } from '../../text/sanitize.js';
import { type ExportDoc, type ExportResult, findings } from '../report.js';
import { implementationMarkdown } from './markdown.js';

/**
 * SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer): the controls become
 * `tool.driver.rules` (help from their implementation steps); each failing item of a failing or
 * partial result of a counted instance becomes one `result` (a result without items, one result),
 * so that an alert follows one repository, user or setting across uploads. Results are located at
 * a per-instance path, `posture/<app>/<instance id>` (see the README: there is no file in the
 * repository to point at). Accepted risks and actions resolved another way are reported as
 * externally suppressed. Passes and not-applicable results are left out, not sent with `kind`
 * pass / notApplicable: code scanning ignores `kind` and opens an alert for every result, so a
 * control whose setting is no longer there closes its alerts by being absent.
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
const line = (s: unknown) => sanitize(s);

function rule(c: Control) {
  const help = c.steps.map((s, i) => `${i + 1}. ${text(s)}`).join('\n');
  const helpUri = c.links.find((l) => URL.canParse(l));
  return {
    // No `name`: it would be the id again (SARIF wants them different; GitHub shows the id).
    id: c.id,
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
      precision: 'very-high', // a setting read from the tenant, not a heuristic
      severity: c.severity,
      maxPoints: c.maxPoints,
      scoring: c.scoring,
      threats: c.threats.map(text),
      benchmarks: c.benchmarks.map((b) => `${text(b.name)} ${text(b.id)}`),
    },
  };
}

type Item = { id: string; name: string };
const WHOLE = { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 };

function message(r: ExportResult, item: Item | undefined): string {
  const partial =
    r.outcome === 'partial' && r.total !== null ? ` (${r.count ?? 0} of ${r.total} compliant)` : '';
  const what = item
    ? `${r.instance} (${APP_LABELS[r.app]}), ${item.name}`
    : `${r.instance} (${APP_LABELS[r.app]})`;
  const items = r.failingSummary ? ` ${r.failingSummary}.` : '';
  return text(
    `${what}: ${r.title}. ${points(r.points ?? 0)} of ${points(r.maxPoints)} points${partial}; status: ${r.status.label}.${items}`,
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

/**
 * Where a result is: `posture/<app>/<instance id>`, a relative URI that names the instance. GitHub
 * builds an alert's identity from the path, the rule and the fingerprint, so the path must not
 * change between uploads: the id is the instance's stable key (its name may be edited). Each
 * segment is percent-encoded, so any id makes a valid relative reference.
 */
export function artifactUri(r: { app: string; instanceId: string }): string {
  return ['posture', r.app, r.instanceId].map(encodeURIComponent).join('/');
}

/**
 * GitHub code scanning matches results across uploads by `partialFingerprints.primaryLocationLineHash`
 * only (with the path and the rule): the hash of the instance, the control and the failing item's
 * stable id, so the same item failing again is the same alert, and fixing it closes that alert.
 */
export function fingerprint(instanceId: string, controlId: string, itemId: string | undefined): string {
  const key = JSON.stringify([instanceId, controlId, itemId ?? null]);
  return `${createHash('sha256').update(key).digest('hex').slice(0, 16)}:1`;
}

function results(doc: ExportDoc, index: Map<string, number>) {
  return findings(doc)
    .filter((r) => index.has(r.controlId))
    .flatMap((r) => {
      const suppressed = suppression(r);
      // One result per failing item, or one for the control when it names none.
      const items: (Item | undefined)[] = r.failing.length > 0 ? r.failing : [undefined];
      return items.map((item) => ({
        ruleId: r.controlId,
        ruleIndex: index.get(r.controlId)!,
        kind: 'fail',
        level: LEVELS[r.severity],
        message: { text: message(r, item) },
        locations: [
          {
            // The whole (virtual) artifact: line 1, as code scanning requires a region.
            physicalLocation: { artifactLocation: { uri: artifactUri(r) }, region: WHOLE },
            logicalLocations: [
              {
                name: line(item ? item.name : r.instance),
                fullyQualifiedName: line(
                  item ? `${r.app}/${r.instance}/${item.name}` : `${r.app}/${r.instance}`,
                ),
                kind: item ? 'object' : 'resource',
              },
            ],
          },
        ],
        partialFingerprints: {
          primaryLocationLineHash: fingerprint(r.instanceId, r.controlId, item?.id),
          'postureFinding/v1': text(
            item ? `${r.instanceId}/${r.controlId}/${item.id}` : `${r.instanceId}/${r.controlId}`,
          ),
        },
        ...(suppressed ? { suppressions: [suppressed] } : {}),
        properties: {
          instanceId: text(r.instanceId),
          app: r.app,
          ...(item ? { item: { id: text(item.id), name: text(item.name) } } : {}),
          outcome: r.outcome,
          points: r.points,
          maxPoints: r.maxPoints,
          ...(r.total !== null ? { count: r.count ?? 0, total: r.total } : {}),
          status: r.status.state,
          rank: r.rank,
        },
      }));
    });
}

export interface SarifOptions {
  /** GitHub's analysis category: uploads with different categories do not close each other's alerts. */
  category: string;
}

export function renderSarif(doc: ExportDoc, catalog: Catalog, o: SarifOptions) {
  const apps = new Set(doc.instances.map((i) => i.app));
  const controls = catalog.controls.filter((c) => apps.has(c.app));
  const index = new Map(controls.map((c, n) => [c.id, n]));
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
        // "category/run id": GitHub keys alerts by the category, everything before the last slash.
        automationDetails: { id: `${o.category}/${doc.generatedAt}` },
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
        results: results(doc, index),
        properties: { score: doc.score, schema: doc.schema },
      },
    ],
  };
}
