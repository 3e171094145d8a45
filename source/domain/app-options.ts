import type { App } from './schemas.js';

/** An instance option a connector needs besides the URL and the secret (GitHub organisation…). */
export interface ConnectorOption {
  name: string;
  description: string;
  required: boolean;
}

/**
 * Each connector's instance options, apart from the connectors themselves: the console's forms and
 * the checks of a new instance read them without loading the HTTP client.
 */
/** A poll's budget, raised per instance for a tenant larger than the defaults allow (every app). */
const BUDGET_OPTIONS: ConnectorOption[] = [
  { name: 'maxRequests', description: 'requests one poll may send (default 25000)', required: false },
  { name: 'maxItems', description: 'list items one poll may collect (default 250000)', required: false },
  { name: 'maxMegabytes', description: 'megabytes one poll may read (default 256)', required: false },
];

const APP_OPTIONS: Record<App, ConnectorOption[]> = {
  okta: [{ name: 'auth', description: '"ssws" (default) or "bearer"', required: false }],
  salesforce: [
    {
      name: 'clientId',
      description: 'consumer key of the connected app with the client credentials flow enabled',
      required: true,
    },
  ],
  servicenow: [
    {
      name: 'username',
      description: 'integration user for basic auth (e.g. posture.reader)',
      required: false,
    },
    {
      name: 'auth',
      description: '"basic" (default) or "bearer" (the secret is an OAuth token)',
      required: false,
    },
  ],
  github: [
    { name: 'org', description: 'the organisation login, e.g. "contoso"', required: true },
    {
      name: 'repoDetails',
      description:
        '"on" (default) or "off": off skips the reads of each repository\'s CODEOWNERS, SECURITY.md, administrators, code scanning and branches (up to seven requests per repository); their controls are then unknown',
      required: false,
    },
  ],
  m365: [
    { name: 'tenantId', description: 'the directory (tenant) id, or a verified domain', required: true },
    { name: 'clientId', description: 'the application (client) id of the app registration', required: true },
    {
      name: 'cloud',
      description: '"global" (default), "usgov" (GCC), "usgovhigh" (GCC High), "dod" or "china"',
      required: false,
    },
  ],
};

export const CONNECTOR_OPTIONS: Record<App, ConnectorOption[]> = Object.fromEntries(
  Object.entries(APP_OPTIONS).map(([app, options]) => [app, [...options, ...BUDGET_OPTIONS]]),
) as Record<App, ConnectorOption[]>;
