import { statSync } from 'node:fs';
import { namesOf } from '../paths.js';
import { type Context, UsageError } from './context.js';
import { renderCsv } from './formats/csv.js';
import { renderMarkdown } from './formats/markdown.js';
import { renderOcsf } from './formats/ocsf.js';
import { renderSarif } from './formats/sarif.js';
import { jsonText, writeFileAtomic } from './output.js';
import { buildExport } from './report.js';

export const FORMATS = ['json', 'csv', 'sarif', 'markdown', 'ocsf'] as const;
export type Format = (typeof FORMATS)[number];

export interface ExportOptions {
  format: Format;
  output?: string | undefined;
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

export function render(ctx: Context, format: Format, now = new Date()): string {
  const doc = buildExport(ctx.store.doc, ctx.catalog, now);
  switch (format) {
    case 'json':
      return jsonText(doc);
    case 'csv':
      return renderCsv(doc);
    case 'sarif':
      return jsonText(renderSarif(doc, ctx.catalog));
    case 'markdown':
      return renderMarkdown(doc, ctx.catalog);
    case 'ocsf':
      return renderOcsf(doc, ctx.catalog);
  }
}

/** `posture export`: to stdout, or written whole to --output (mode 0600). */
export async function exportCommand(ctx: Context, o: ExportOptions): Promise<number> {
  if (o.output !== undefined && isStoreFile(o.output, ctx.store.file))
    throw new UsageError(`--output ${o.output} is the store itself; choose another file`);
  const out = render(ctx, o.format);
  if (o.output === undefined) ctx.io.stdout.write(out);
  else writeFileAtomic(o.output, out);
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
