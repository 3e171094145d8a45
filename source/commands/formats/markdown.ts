import type { Catalog } from '../../catalog/index.js';
import { APP_LABELS, type Control, SEVERITIES, type Severity } from '../../domain/schemas.js';
import type { Score } from '../../domain/scoring.js';
import { percent, points } from '../../text/format.js';
import { sanitize } from '../../text/sanitize.js';
import { type ExportDoc, type ExportResult, findings, SETTLED } from '../report.js';

/**
 * A Markdown report a person can read: the score and its views, the breakdown by product and by
 * instance, then the open actions grouped by severity with their implementation steps.
 */

/**
 * Inline text for Markdown: sanitized to one line, with every character that could start markup
 * escaped (emphasis, code, links, raw HTML, table pipes, entities).
 */
export function md(value: unknown): string {
  return sanitize(value)
    .replace(/[\u2028\u2029]/g, ' ') // line and paragraph separators: some viewers break lines on them
    .replace(/[\\`*_{}[\]<>|~&!]/g, '\\$&');
}

/** Text that starts a line: a heading, quote, list or rule marker at its start is escaped too. */
export function mdLine(value: unknown): string {
  return md(value)
    .replace(/^(\s*)([#>+=-])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2');
}

/** A control id as code: ids are validated as `app.area.name`, so no backtick can end the span. */
const mdId = (id: string) => (/^[\w.-]+$/.test(id) ? `\`${id}\`` : md(id));

/** A link target: only absolute http(s) URLs, with characters that would end the link encoded. */
export function mdUrl(value: string): string | undefined {
  const s = sanitize(value).trim();
  if (!URL.canParse(s) || !/^https?:$/.test(new URL(s).protocol)) return undefined;
  return s.replace(/[\s<>()[\]]/g, (c) => encodeURIComponent(c));
}

export function mdTable(head: string[], align: ('l' | 'r')[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(align.map((a) => (a === 'r' ? '---:' : '---'))), ...rows.map(line)].join('\n');
}

/** A control's implementation steps as a numbered Markdown list, then its references. */
export function implementationMarkdown(control: Control): string {
  const steps = control.steps.map((s, i) => `${i + 1}. ${md(s)}`).join('\n');
  const links = control.links.map(mdUrl).filter((u): u is string => u !== undefined);
  return links.length > 0 ? `${steps}\n\nReferences:\n\n${links.map((u) => `- <${u}>`).join('\n')}` : steps;
}

const pts = (s: Score) => `${points(s.achieved)} / ${points(s.possible)}`;
const SEVERITY_TITLES: Record<Severity, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

function resultText(r: ExportResult): string {
  const outcome =
    r.outcome === 'partial' && r.total !== null ? `partial (${r.count ?? 0} of ${r.total})` : r.outcome;
  return r.failingSummary ? `${outcome}: ${r.failingSummary}` : outcome;
}

export function renderMarkdown(doc: ExportDoc, catalog: Catalog): string {
  const out: string[] = [
    '# Posture report',
    '',
    `Generated ${md(doc.generatedAt)} by posture ${md(doc.generator.version)} · instance mode: ${md(doc.instanceMode)}`,
    '',
    '## Secure Score',
    '',
    mdTable(
      ['View', 'Score', 'Points'],
      ['l', 'r', 'r'],
      [
        ['Current', percent(doc.score.current), pts(doc.score.current)],
        ['Planned', percent(doc.score.planned), pts(doc.score.planned)],
        ['Achievable', percent(doc.score.achievable), pts(doc.score.achievable)],
      ],
    ),
    '',
    'Planned counts planned actions as done; achievable leaves out the points of accepted risks.',
    '',
  ];

  const byProduct = Object.entries(doc.byProduct) as [keyof typeof APP_LABELS, Score][];
  if (byProduct.length > 0)
    out.push(
      '## By product',
      '',
      mdTable(
        ['Product', 'Score', 'Points'],
        ['l', 'r', 'r'],
        byProduct.map(([app, s]) => [md(APP_LABELS[app]), percent(s), pts(s)]),
      ),
      '',
    );

  const byInstance = new Map(doc.byInstance.map((s) => [s.id, s]));
  if (doc.instances.length > 0) {
    out.push(
      '## By instance',
      '',
      mdTable(
        ['Instance', 'Product', 'Recommendations', 'Last poll', 'Health', 'Score', 'Points'],
        ['l', 'l', 'l', 'l', 'l', 'r', 'r'],
        doc.instances.map((i) => {
          const s = byInstance.get(i.id);
          return [
            md(i.name),
            md(APP_LABELS[i.app]),
            i.counted ? 'On' : i.recommendations ? 'On (not the Secure Score instance)' : 'Off',
            md(i.lastPoll?.at ?? 'never'),
            md(i.health),
            s ? percent(s) : '–',
            s ? pts(s) : '–',
          ];
        }),
      ),
      '',
    );
    for (const i of doc.instances)
      if (i.lastPoll?.outcome === 'error')
        out.push(`> **${md(i.name)}**: the last poll failed: ${md(i.lastPoll.error ?? '')}`, '');
  }

  const all = findings(doc);
  const open = all.filter((r) => !SETTLED.includes(r.status.state));
  const settled = all.filter((r) => SETTLED.includes(r.status.state));
  out.push('## Recommended actions', '');
  if (!doc.instances.some((i) => i.counted))
    out.push('No instance has Secure Score recommendations turned on.', '');
  else if (open.length === 0) out.push('No open recommended actions.', '');
  else {
    const left = open.reduce((n, r) => n + (r.maxPoints - (r.points ?? 0)), 0);
    const worth = points(Math.round(left * 100) / 100);
    out.push(`${open.length} open recommended actions, worth ${worth} points.`, '');
  }
  for (const severity of SEVERITIES) {
    const rows = open.filter((r) => r.severity === severity);
    if (rows.length === 0) continue;
    out.push(`### ${SEVERITY_TITLES[severity]} (${rows.length})`, '');
    // One section per control, its instances listed under it, in rank order.
    const byControl = new Map<string, ExportResult[]>();
    for (const r of rows) byControl.set(r.controlId, [...(byControl.get(r.controlId) ?? []), r]);
    for (const [controlId, list] of byControl) {
      const control = catalog.byId.get(controlId);
      out.push(`#### ${md(list[0]!.title)}`, '');
      if (control)
        out.push(
          `${mdId(controlId)} · ${md(control.category)} · up to ${points(control.maxPoints)} points · threats: ${md(control.threats.join(', '))}`,
          '',
        );
      out.push(
        mdTable(
          ['Rank', 'Instance', 'Product', 'Points', 'Status', 'Result'],
          ['r', 'l', 'l', 'r', 'l', 'l'],
          list.map((r) => [
            String(r.rank ?? ''),
            md(r.instance),
            md(APP_LABELS[r.app]),
            `${points(r.points ?? 0)}/${points(r.maxPoints)}`,
            md(r.status.label),
            md(resultText(r)),
          ]),
        ),
        '',
      );
      if (control)
        out.push(md(control.description), '', '**Implementation**', '', implementationMarkdown(control), '');
    }
  }
  if (settled.length > 0)
    out.push(
      '## Accepted risks and other resolutions',
      '',
      mdTable(
        ['Action', 'Instance', 'Status', 'Reason', 'By', 'Until'],
        ['l', 'l', 'l', 'l', 'l', 'l'],
        settled.map((r) => [
          md(r.title),
          md(r.instance),
          md(r.status.label),
          md(r.status.reason),
          md(r.status.by ?? ''),
          md(r.status.expires ?? ''),
        ]),
      ),
      '',
    );
  const notApplicable = notApplicableByControl(doc);
  if (notApplicable.length > 0)
    out.push(
      '## Not applicable',
      '',
      'Settings that are not there (their application, plugin or hosting is absent): neither passed nor failed, and not scored.',
      '',
      mdTable(
        ['Control', 'Instances', 'Why'],
        ['l', 'r', 'l'],
        notApplicable.map(([first, n]) => [md(first.title), String(n), md(first.reason ?? '')]),
      ),
      '',
    );
  return `${out.join('\n').trimEnd()}\n`;
}

/** The counted instances' not-applicable results, one row per control (a fleet has thousands). */
function notApplicableByControl(doc: ExportDoc): [ExportResult, number][] {
  const by = new Map<string, [ExportResult, number]>();
  for (const r of doc.results) {
    if (!r.counted || r.outcome !== 'not_applicable') continue;
    const seen = by.get(r.controlId);
    if (seen) seen[1]++;
    else by.set(r.controlId, [r, 1]);
  }
  return [...by.values()];
}
