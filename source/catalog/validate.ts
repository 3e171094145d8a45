import { z } from 'zod';
import {
  type Control,
  ControlSchema,
  FrameworkSchema,
  type ManualCheck,
  ManualCheckSchema,
} from '../domain/schemas.js';
import { buildCatalog, type Catalog, CatalogError, FRAMEWORK_SOURCES, MANUAL_SOURCES } from './index.js';

/**
 * Check catalog sources against the schema (defaults filled in) and posture's own rules: each
 * control in its app's file, with its app's prefix, once. The build runs this on the shipped
 * catalog (a bad one fails the build with one line); the program then trusts what it ships.
 */
export function validateCatalog(
  sources: Record<string, unknown>,
  manualSources: Record<string, unknown> = MANUAL_SOURCES,
  frameworkSources: Record<string, unknown> = FRAMEWORK_SOURCES,
): Catalog {
  const controls: Control[] = [];
  for (const [app, raw] of Object.entries(sources)) {
    const parsed = z.array(ControlSchema).safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CatalogError(`catalog ${app}.json at ${issue?.path.join('.')}: ${issue?.message}`);
    }
    for (const c of parsed.data) {
      if (c.app !== app) throw new CatalogError(`catalog ${app}.json: control ${c.id} belongs to ${c.app}`);
      if (
        !c.id.startsWith(
          `${app === 'salesforce' ? 'sf' : app === 'servicenow' ? 'snow' : app === 'github' ? 'gh' : app}.`,
        )
      )
        throw new CatalogError(`catalog ${app}.json: control id ${c.id} must start with the app's prefix`);
      controls.push(c);
    }
  }
  const manual: ManualCheck[] = [];
  for (const [app, raw] of Object.entries(manualSources)) {
    const parsed = z.array(ManualCheckSchema).safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CatalogError(`catalog ${app}.manual.json at ${issue?.path.join('.')}: ${issue?.message}`);
    }
    for (const m of parsed.data) {
      if (m.app !== app || !m.id.startsWith(`${app}.`))
        throw new CatalogError(`catalog ${app}.manual.json: ${m.id} belongs to another app`);
      manual.push(m);
    }
  }
  const seen = new Set<string>();
  for (const c of [...controls, ...manual]) {
    if (seen.has(c.id)) throw new CatalogError(`catalog: duplicate control id ${c.id}`);
    seen.add(c.id);
  }
  validateFrameworks(frameworkSources, [...controls, ...manual]);
  return buildCatalog(controls, manual);
}

/**
 * Each framework against the schema, and every citation of its benchmark against its requirement
 * list: a control or manual check that cites an id the benchmark does not have fails the build,
 * so a requirement is never made up, nor a typo left to fall out of the framework view.
 */
function validateFrameworks(
  sources: Record<string, unknown>,
  citing: readonly { id: string; app: string; benchmarks: { name: string; id: string }[] }[],
): void {
  for (const [file, raw] of Object.entries(sources)) {
    const parsed = FrameworkSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CatalogError(`framework ${file}.json at ${issue?.path.join('.')}: ${issue?.message}`);
    }
    const f = parsed.data;
    if (f.id !== file) throw new CatalogError(`framework ${file}.json: its id is ${f.id}`);
    const ids = new Set<string>();
    for (const r of f.requirements) {
      if (ids.has(r.id)) throw new CatalogError(`framework ${file}.json: duplicate requirement ${r.id}`);
      ids.add(r.id);
    }
    for (const c of citing)
      for (const b of c.benchmarks)
        if (c.app === f.app && b.name === f.benchmark && !ids.has(b.id))
          throw new CatalogError(
            `catalog: ${c.id} cites ${f.benchmark} ${b.id}, which ${file}.json does not list`,
          );
  }
}
