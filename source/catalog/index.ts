import { z } from 'zod';
import github from '../../data/catalog/github.json' with { type: 'json' };
import m365 from '../../data/catalog/m365.json' with { type: 'json' };
import okta from '../../data/catalog/okta.json' with { type: 'json' };
import salesforce from '../../data/catalog/salesforce.json' with { type: 'json' };
import servicenow from '../../data/catalog/servicenow.json' with { type: 'json' };
import { type App, type Control, ControlSchema } from '../domain/schemas.js';

// The catalog ships inside the program (bundled JSON): one file to copy to a jump host.
const SOURCES: Record<App, unknown> = { okta, salesforce, servicenow, github, m365 };

export class CatalogError extends Error {}

export interface Catalog {
  controls: Control[];
  byId: Map<string, Control>;
  forApp(app: App): Control[];
}

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
  const byId = new Map<string, Control>();
  for (const c of controls) {
    if (byId.has(c.id)) throw new CatalogError(`catalog: duplicate control id ${c.id}`);
    byId.set(c.id, c);
  }
  return { controls, byId, forApp: (app) => controls.filter((c) => c.app === app) };
}

let cached: Catalog | undefined;
export function loadCatalog(): Catalog {
  cached ??= validateCatalog(SOURCES);
  return cached;
}
