import { resolve } from 'node:path';
import { type Context, UsageError } from './context.js';
import { renderCsv } from './formats/csv.js';
import { renderMarkdown } from './formats/markdown.js';
import { renderSarif } from './formats/sarif.js';
import { jsonText, writeFileAtomic } from './output.js';
import { buildExport } from './report.js';

export const FORMATS = ['json', 'csv', 'sarif', 'markdown'] as const;
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
  }
}

/** `posture export`: to stdout, or written whole to --output (mode 0600). */
export async function exportCommand(ctx: Context, o: ExportOptions): Promise<number> {
  if (o.output !== undefined) {
    const target = resolve(o.output);
    const store = resolve(ctx.store.file);
    if ([store, `${store}.bak`, `${store}.lock`].includes(target))
      throw new UsageError(`--output ${o.output} is the store itself; choose another file`);
  }
  const out = render(ctx, o.format);
  if (o.output === undefined) ctx.io.stdout.write(out);
  else writeFileAtomic(o.output, out);
  return 0;
}
