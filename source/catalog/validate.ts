import { z } from 'zod';
import { type Control, ControlSchema } from '../domain/schemas.js';
import { buildCatalog, type Catalog, CatalogError } from './index.js';

/**
 * Check catalog sources against the schema (defaults filled in) and posture's own rules: each
 * control in its app's file, with its app's prefix, once. The build runs this on the shipped
 * catalog (a bad one fails the build with one line); the program then trusts what it ships.
 */
export function validateCatalog(sources: Record<string, unknown>): Catalog {
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
  const seen = new Set<string>();
  for (const c of controls) {
    if (seen.has(c.id)) throw new CatalogError(`catalog: duplicate control id ${c.id}`);
    seen.add(c.id);
  }
  return buildCatalog(controls);
}
