import { statSync } from 'node:fs';
import { namesOf } from '../paths.js';
import { type Context, UsageError } from './context.js';
import { renderCsv } from './formats/csv.js';
import { renderMarkdown } from './formats/markdown.js';
import { renderOcsf } from './formats/ocsf.js';
import { renderSarif } from './formats/sarif.js';
import { overGithubLimits } from './formats/sarif-limits.js';
import { type Indent, jsonPieces, jsonText, Slices, writeFileAtomicAsync } from './output.js';
import { buildExport, type ExportDoc, planExport } from './report.js';
import { findInstance } from '../domain/instances.js';

export const FORMATS = ['json', 'csv', 'sarif', 'markdown', 'ocsf'] as const;
export type Format = (typeof FORMATS)[number];

export interface ExportOptions {
  format: Format;
  output?: string | undefined;
  /** SARIF only: one instance's results (name or id), under its own category. */
  instance?: string | undefined;
  /** SARIF only: GitHub's analysis category (default "posture"). */
  category?: string | undefined;
}

export const DEFAULT_CATEGORY = 'posture';
const CATEGORY = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** Check --instance and --category before the store is opened: they only mean something for SARIF. */
export function parseSarifOptions(format: Format, instance?: string, category?: string) {
  if (format !== 'sarif' && (instance !== undefined || category !== undefined))
    throw new UsageError(
      `${instance !== undefined ? '--instance' : '--category'} applies to --format sarif only`,
    );
  if (category !== undefined && (category.length > 100 || !CATEGORY.test(category)))
    throw new UsageError(
      `--category must be letters, digits, ".", "_" and "-" in segments joined by "/", at most 100 characters (e.g. posture/contoso)`,
    );
}

/** Check --format before the store is opened: bad input must not touch anything. */
export function parseFormat(value: string | undefined): Format {
  if (value === undefined) throw new UsageError(`export needs --format (${FORMATS.join(', ')})`);
  const f = value.trim().toLowerCase();
  if (f === 'md') return 'markdown';
  if (!(FORMATS as readonly string[]).includes(f))
    throw new UsageError(`unknown format "${value}" (one of ${FORMATS.join(', ')})`);
  return f as Format;
}

/**
 * The export as pieces of text to write in order: JSON at fleet size is too long for one string,
 * and its pieces are made as they are taken (each written while the next is made).
 */
export function renderParts(
  ctx: Context,
  format: Format,
  now = new Date(),
  o: Partial<ExportOptions> & { indent?: Indent } = {},
): Iterable<string | Uint8Array> {
  if (format === 'json') {
    // The results made a slice at a time as they are stringified (report.ts planExport).
    const plan = planExport(ctx.store.doc, ctx.catalog, now);
    return jsonPieces({ ...plan.head, results: new Slices(plan.count, plan.results) }, o.indent ?? 2);
  }
  const doc = buildExport(ctx.store.doc, ctx.catalog, now);
  switch (format) {
    case 'csv':
      return [renderCsv(doc)];
    case 'sarif':
      return [sarifText(ctx, doc, o)];
    case 'markdown':
      return [renderMarkdown(doc, ctx.catalog)];
    case 'ocsf':
      return [renderOcsf(doc, ctx.catalog)];
  }
}

/**
 * The SARIF of the workspace, or of one instance under the category `<category>/<instance id>` so
 * that the uploads of different instances do not close each other's alerts.
 */
function sarifText(ctx: Context, doc: ExportDoc, o: Partial<ExportOptions>): string {
  let category = o.category ?? DEFAULT_CATEGORY;
  let scoped = doc;
  if (o.instance !== undefined) {
    const i = findInstance(ctx.store.doc, o.instance);
    if (!i) throw new UsageError(`unknown instance "${o.instance}" (see posture instances)`);
    category = `${category}/${encodeURIComponent(i.id)}`;
    scoped = {
      ...doc,
      instances: doc.instances.filter((x) => x.id === i.id),
      results: doc.results.filter((r) => r.instanceId === i.id),
    };
  }
  const log = renderSarif(scoped, ctx.catalog, { category });
  const out = jsonText(log);
  const over = overGithubLimits(log, out, o.instance !== undefined);
  if (over) throw new UsageError(over);
  return out;
}

/** `posture export`: to stdout, or written whole to --output (mode 0600). */
export async function exportCommand(ctx: Context, o: ExportOptions): Promise<number> {
  if (o.output !== undefined && isStoreFile(o.output, ctx.store.file))
    throw new UsageError(`--output ${o.output} is the store itself; choose another file`);
  // JSON for a person at a terminal is indented; for a file or a pipe (a tool) it is one line, a
  // third smaller: at 2,000 instances the indentation alone was 40 of 118 MB to make and write.
  const indent = o.output === undefined && ctx.io.stdout.isTTY === true ? 2 : 0;
  const out = renderParts(ctx, o.format, new Date(), { ...o, indent });
  // A stream may keep what it is given: a piece of JSON's buffer is reused (output.ts jsonPieces).
  if (o.output === undefined)
    for (const part of out) ctx.io.stdout.write(typeof part === 'string' ? part : Buffer.from(part));
  else await writeFileAtomicAsync(o.output, out);
  return 0;
}

/**
 * Whether writing `output` would replace the store, its last good copy or its lock. Compared by
 * the names the writes reach, links of the folders resolved ("link/store.json" through a link to
 * the store's folder is the store), and by file identity (a hard link, a case-insensitive disk).
 */
function isStoreFile(output: string, store: string): boolean {
  const guarded = [store, `${store}.bak`, `${store}.lock`];
  const names = new Set(guarded.flatMap(namesOf));
  if (namesOf(output).some((n) => names.has(n))) return true;
  const id = (file: string) => {
    try {
      const s = statSync(file);
      return `${s.dev}:${s.ino}`;
    } catch {
      return undefined;
    }
  };
  const target = id(output);
  return target !== undefined && guarded.some((g) => id(g) === target);
}
