import github from '../../data/catalog/github.json' with { type: 'json' };
import m365 from '../../data/catalog/m365.json' with { type: 'json' };
import okta from '../../data/catalog/okta.json' with { type: 'json' };
import salesforce from '../../data/catalog/salesforce.json' with { type: 'json' };
import servicenow from '../../data/catalog/servicenow.json' with { type: 'json' };
import oktaManual from '../../data/catalog/okta.manual.json' with { type: 'json' };
import m365Manual from '../../data/catalog/m365.manual.json' with { type: 'json' };
import salesforceManual from '../../data/catalog/salesforce.manual.json' with { type: 'json' };
import servicenowManual from '../../data/catalog/servicenow.manual.json' with { type: 'json' };
import githubManual from '../../data/catalog/github.manual.json' with { type: 'json' };
import oktaStig from '../../data/frameworks/disa-okta-idaas-stig-v1r2.json' with { type: 'json' };
import scubaEntraId from '../../data/frameworks/cisa-scuba-entra-id.json' with { type: 'json' };
import scubaExchangeOnline from '../../data/frameworks/cisa-scuba-exchange-online.json' with { type: 'json' };
import scubaSecuritySuite from '../../data/frameworks/cisa-scuba-security-suite.json' with { type: 'json' };
import scubaSharePoint from '../../data/frameworks/cisa-scuba-sharepoint.json' with { type: 'json' };
import scubaTeams from '../../data/frameworks/cisa-scuba-teams.json' with { type: 'json' };
import sfHealthCheck from '../../data/frameworks/salesforce-health-check-baseline.json' with { type: 'json' };
import sfBenchmark from '../../data/frameworks/security-benchmark-for-salesforce.json' with { type: 'json' };
import servicenowHardening from '../../data/frameworks/servicenow-hardening-australia.json' with { type: 'json' };
import cisGithub from '../../data/frameworks/cis-github-1-2-0.json' with { type: 'json' };
import type { App, Control, Framework, ManualCheck, Rule } from '../domain/schemas.js';

// The catalog ships inside the program (bundled JSON): one file to copy to a jump host.
const SOURCES: Record<App, unknown> = { okta, salesforce, servicenow, github, m365 };
/** Per app, the requirements no API answers (ManualCheckSchema): shown, never scored. */
const MANUAL_SOURCES: Partial<Record<App, unknown>> = {
  okta: oktaManual,
  m365: m365Manual,
  salesforce: salesforceManual,
  servicenow: servicenowManual,
  github: githubManual,
};
/** The frameworks, each a benchmark's requirement list (FrameworkSchema), by file name. */
const FRAMEWORK_SOURCES: Record<string, unknown> = {
  'disa-okta-idaas-stig-v1r2': oktaStig,
  'cisa-scuba-entra-id': scubaEntraId,
  'cisa-scuba-sharepoint': scubaSharePoint,
  'cisa-scuba-exchange-online': scubaExchangeOnline,
  'cisa-scuba-teams': scubaTeams,
  'cisa-scuba-security-suite': scubaSecuritySuite,
  'salesforce-health-check-baseline': sfHealthCheck,
  'security-benchmark-for-salesforce': sfBenchmark,
  'servicenow-hardening-australia': servicenowHardening,
  'cis-github-1-2-0': cisGithub,
};

export class CatalogError extends Error {}

export interface Catalog {
  controls: Control[];
  /** Requirements checked by hand: never in `controls`, so never scored, alerted or exported as findings. */
  manual: ManualCheck[];
  byId: Map<string, Control>;
  forApp(app: App): Control[];
}

export function buildCatalog(controls: Control[], manual: ManualCheck[] = []): Catalog {
  const byId = new Map<string, Control>();
  for (const c of controls) byId.set(c.id, c);
  return { controls, manual, byId, forApp: (app) => controls.filter((c) => c.app === app) };
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
export function trustedCatalog(
  sources: Record<string, unknown> = SOURCES,
  manual: Record<string, unknown> = MANUAL_SOURCES,
): Catalog {
  return buildCatalog(
    Object.values(sources).flatMap((list) => (list as Control[]).map(withDefaults)),
    Object.values(manual).flatMap((list) =>
      (list as ManualCheck[]).map((m) => ({ ...m, links: m.links ?? [] })),
    ),
  );
}

let frameworks: Framework[] | undefined;
/** The shipped frameworks, checked by the build with the catalog (validate.ts). */
export function loadFrameworks(): Framework[] {
  frameworks ??= Object.values(FRAMEWORK_SOURCES) as Framework[];
  return frameworks;
}

let cached: Catalog | undefined;
export function loadCatalog(): Catalog {
  cached ??= trustedCatalog();
  return cached;
}

export { FRAMEWORK_SOURCES, MANUAL_SOURCES, SOURCES as CATALOG_SOURCES };
