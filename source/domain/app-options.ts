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
export const CONNECTOR_OPTIONS: Record<App, ConnectorOption[]> = {
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
  github: [{ name: 'org', description: 'the organisation login, e.g. "contoso"', required: true }],
};
