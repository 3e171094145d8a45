import github from '../../data/catalog/github.json' with { type: 'json' };
import m365 from '../../data/catalog/m365.json' with { type: 'json' };
import okta from '../../data/catalog/okta.json' with { type: 'json' };
import salesforce from '../../data/catalog/salesforce.json' with { type: 'json' };
import servicenow from '../../data/catalog/servicenow.json' with { type: 'json' };
import type { App, Control, Rule } from '../domain/schemas.js';

// The catalog ships inside the program (bundled JSON): one file to copy to a jump host.
const SOURCES: Record<App, unknown> = { okta, salesforce, servicenow, github, m365 };

export class CatalogError extends Error {}

export interface Catalog {
  controls: Control[];
  byId: Map<string, Control>;
  forApp(app: App): Control[];
}

export function buildCatalog(controls: Control[]): Catalog {
  const byId = new Map<string, Control>();
  for (const c of controls) byId.set(c.id, c);
  return { controls, byId, forApp: (app) => controls.filter((c) => c.app === app) };
}

/**
 * A control of the shipped catalog with the schema's defaults filled in. The build has checked the
 * catalog against the schema (validate.ts), so the program does not build zod's schemas for it
 * before its first frame; a test keeps these defaults equal to the schema's.
 */
export function withDefaults(raw: Control): Control {
  const rule: Rule = {
    ...raw.rule,
    where: raw.rule.where ?? [],
    mode: raw.rule.mode ?? 'all',
    onEmpty: raw.rule.onEmpty ?? 'unknown',
    noun: raw.rule.noun ?? 'items',
  };
  return { ...raw, prerequisites: raw.prerequisites ?? [], links: raw.links ?? [], rule };
}

/** The shipped catalog, checked by the build (scripts/build.mjs runs validate.ts on it). */
export function trustedCatalog(sources: Record<string, unknown> = SOURCES): Catalog {
  return buildCatalog(Object.values(sources).flatMap((list) => (list as Control[]).map(withDefaults)));
}

let cached: Catalog | undefined;
export function loadCatalog(): Catalog {
  cached ??= trustedCatalog();
  return cached;
}

export { SOURCES as CATALOG_SOURCES };
