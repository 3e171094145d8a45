import { loadFrameworks } from '../catalog/index.js';
import {
  coverage,
  evaluateFramework,
  findFramework,
  type FrameworkReport,
  REQUIREMENT_STATUS_LABELS,
  type RequirementRow,
} from '../domain/frameworks.js';
import { collectActions } from '../domain/scoring.js';
import { APP_LABELS, type Framework, outcomeLabel } from '../domain/schemas.js';
import { csvCell } from './formats/csv.js';
import { sanitize } from '../text/sanitize.js';
import { type Context, UsageError } from './context.js';
import { jsonText, table, writeFileAtomic } from './output.js';
import { resolveFilters, type Scope } from './status.js';

/** The framework --framework names, or a usage error listing the known ones. */
export function resolveFramework(
  name: string,
  frameworks: readonly Framework[] = loadFrameworks(),
): Framework {
  const f = findFramework(frameworks, name);
  if (!f)
    throw new UsageError(
      `unknown framework "${name}" (one of ${frameworks.map((x) => x.id).join(', ')}; see posture frameworks)`,
    );
  return f;
}

/** The framework's requirements judged on the counted instances of its app (or the one --instance names). */
export function frameworkReport(ctx: Context, framework: Framework, scope: Scope = {}): FrameworkReport {
  const { product, instance } = resolveFilters(ctx, scope);
  if (product && product !== framework.app)
    throw new UsageError(
      `${framework.name} is a ${APP_LABELS[framework.app]} framework, not ${APP_LABELS[product]}`,
    );
  const results = collectActions(ctx.store.doc, ctx.catalog.byId, new Date())
    .filter((a) => a.instance.app === framework.app && (!instance || a.instance.id === instance))
    .map((a) => ({ instanceId: a.instance.id, controlId: a.control.id, outcome: a.result.outcome }));
  return evaluateFramework(framework, ctx.catalog, results);
}

const pct = (r: FrameworkReport) => (r.percent === null ? '—' : `${r.percent}%`);

function summary(r: FrameworkReport): string {
  const c = r.counts;
  return `${r.met} of ${r.checkable} checkable requirements met (${pct(r)}) · ${c.fail} fail · ${c.partial} partial · ${c.unknown} unknown · ${c.not_applicable} not applicable · ${c.manual} manual · ${c.not_evaluated} not evaluated`;
}

const controlIds = (row: RequirementRow) =>
  [...row.controls.map((c) => c.id), ...row.manual.map((m) => `${m.id} (manual)`)].join(', ') || '—';

function rowJson(row: RequirementRow) {
  return {
    id: row.id,
    title: row.title,
    status: row.status,
    reason: row.reason ?? null,
    controls: row.controls.map((c) => ({ id: c.id, title: c.title })),
    manual: row.manual.map((m) => ({ id: m.id, title: m.title, why: m.why, steps: m.steps })),
    results: row.results,
  };
}

export function reportJson(r: FrameworkReport) {
  const f = r.framework;
  return {
    framework: { id: f.id, name: f.name, version: f.version, app: f.app, source: f.source },
    met: r.met,
    checkable: r.checkable,
    percent: r.percent,
    counts: r.counts,
    coverage: coverage(r),
    requirements: r.rows.map(rowJson),
  };
}

/** `posture status --framework NAME`: the requirement table. */
export function frameworkStatus(ctx: Context, name: string, o: Scope & { json: boolean }): number {
  const r = frameworkReport(ctx, resolveFramework(name), o);
  if (o.json) {
    ctx.io.stdout.write(jsonText(reportJson(r)));
    return 0;
  }
  const lines = [
    `${r.framework.name} ${r.framework.version} (${APP_LABELS[r.framework.app]})`,
    summary(r),
    '',
    table(
      ['Requirement', 'Status', 'Title', 'Controls'],
      r.rows.map((row) => [row.id, REQUIREMENT_STATUS_LABELS[row.status], row.title, controlIds(row)]),
      [16, 14, 60, 40],
    ),
  ];
  ctx.io.stdout.write(`${lines.map((l) => sanitize(l, { multiline: true })).join('\n')}\n`);
  return 0;
}

/** `posture frameworks`: the known frameworks and how much of each the catalog covers. */
export function listFrameworks(ctx: Context, o: { json: boolean }): number {
  const reports = loadFrameworks().map((f) => evaluateFramework(f, ctx.catalog, []));
  if (o.json) {
    ctx.io.stdout.write(
      jsonText(
        reports.map((r) => ({
          id: r.framework.id,
          name: r.framework.name,
          version: r.framework.version,
          app: r.framework.app,
          ...coverage(r),
        })),
      ),
    );
    return 0;
  }
  const rows = reports.map((r) => {
    const c = coverage(r);
    return [
      r.framework.id,
      `${r.framework.name} ${r.framework.version}`,
      APP_LABELS[r.framework.app],
      String(c.total),
      String(c.covered),
      String(c.manual),
      String(c.uncovered),
    ];
  });
  ctx.io.stdout.write(
    `${table(['Id', 'Framework', 'App', 'Requirements', 'Checked', 'Manual', 'Not covered'], rows, [28, 28, 10, 12, 8, 7, 11])}\n`,
  );
  return 0;
}

/** `posture check --framework NAME --min-score PCT`: the framework's percentage against the minimum. */
export function frameworkCheck(
  ctx: Context,
  name: string,
  o: Scope & { json: boolean; minScore: number },
): number {
  const r = frameworkReport(ctx, resolveFramework(name), o);
  const label = `${r.framework.name} ${r.framework.version}`;
  if (r.percent === null) {
    const why = `no requirement of ${label} could be judged: no counted instance has results for it`;
    if (o.json)
      ctx.io.stdout.write(jsonText({ minScore: o.minScore, ...reportJson(r), passed: false, error: why }));
    ctx.io.stderr.write(`posture: ${why}\n`);
    return 2;
  }
  const passed = r.percent >= o.minScore - 1e-9;
  if (o.json) {
    const { requirements: _, ...rest } = reportJson(r);
    ctx.io.stdout.write(jsonText({ minScore: o.minScore, ...rest, passed }));
    return passed ? 0 : 1;
  }
  ctx.io.stdout.write(
    `${label}: ${r.met} of ${r.checkable} checkable requirements met (${r.percent}%) ${
      passed ? 'meets' : 'is below'
    } the minimum ${o.minScore}%\n`,
  );
  return passed ? 0 : 1;
}

const md = (s: string) => sanitize(s).replace(/([\\`*_[\]|<>])/g, '\\$1');

/** The per-framework report for an auditor: every requirement, its status, and what stands behind it. */
export function renderFrameworkMarkdown(r: FrameworkReport, now: Date): string {
  const f = r.framework;
  const out = [
    `# ${md(f.name)} ${md(f.version)}: compliance report`,
    '',
    `Generated by posture on ${now.toISOString()} for the ${APP_LABELS[f.app]} instances whose Secure Score recommendations are on.`,
    `Requirements from: ${md(f.source.title)} (${f.source.url}).`,
    '',
    `**${r.met} of ${r.checkable} checkable requirements met (${pct(r)}).** ${r.counts.fail} fail, ${r.counts.partial} partial, ${r.counts.unknown} unknown (the credential could not see the setting), ${r.counts.not_applicable} not applicable (the settings are not there; not checkable), ${r.counts.manual} to be checked by hand, ${r.counts.not_evaluated} not evaluated.`,
    '',
    '| Requirement | Status | Title | Controls |',
    '| --- | --- | --- | --- |',
    ...r.rows.map(
      (row) =>
        `| ${md(row.id)} | ${REQUIREMENT_STATUS_LABELS[row.status]} | ${md(row.title)} | ${md(controlIds(row))} |`,
    ),
  ];
  const manual = r.rows.filter((row) => row.status === 'manual');
  if (manual.length > 0) {
    out.push('', '## To check by hand', '');
    for (const row of manual)
      for (const m of row.manual) {
        out.push(`### ${md(row.id)}: ${md(m.title)}`, '', md(m.why), '');
        m.steps.forEach((s, n) => out.push(`${n + 1}. ${md(s)}`));
        out.push('');
      }
  }
  const behind = r.rows.filter(
    (row) => row.results.length > 0 && row.status !== 'pass' && row.status !== 'not_applicable',
  );
  if (behind.length > 0) {
    out.push('', '## Not met', '');
    for (const row of behind)
      out.push(
        `- **${md(row.id)}** (${REQUIREMENT_STATUS_LABELS[row.status]}): ${row.results
          .map((x) => `${md(x.controlId)} on ${md(x.instanceId)}: ${outcomeLabel(x.outcome)}`)
          .join('; ')}`,
      );
  }
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

function renderFrameworkCsv(r: FrameworkReport): string {
  const rows = [
    ['framework', 'requirement', 'status', 'title', 'controls', 'manual'],
    ...r.rows.map((row) => [
      `${r.framework.id}`,
      row.id,
      row.status,
      row.title,
      row.controls.map((c) => c.id).join(' '),
      row.manual.map((m) => m.id).join(' '),
    ]),
  ];
  return rows.map((cells) => cells.map((c) => csvCell(sanitize(c))).join(',')).join('\r\n') + '\r\n';
}

/** `posture export --framework NAME`: json, markdown or csv of one framework. */
export function frameworkExport(
  ctx: Context,
  name: string,
  o: { format: string; output?: string | undefined },
): number {
  const r = frameworkReport(ctx, resolveFramework(name));
  let out: string;
  if (o.format === 'json')
    out = jsonText({
      schema: 'posture.framework/1',
      generatedAt: new Date().toISOString(),
      ...reportJson(r),
    });
  else if (o.format === 'markdown') out = renderFrameworkMarkdown(r, new Date());
  else if (o.format === 'csv') out = renderFrameworkCsv(r);
  else throw new UsageError(`--framework exports json, markdown or csv, not ${o.format}`);
  if (o.output === undefined) ctx.io.stdout.write(out);
  else writeFileAtomic(o.output, out);
  return 0;
}
