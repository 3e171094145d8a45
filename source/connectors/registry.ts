import type { App } from '../domain/schemas.js';
import { github } from './github/index.js';
import { m365 } from './m365/index.js';
import { okta } from './okta/index.js';
import { salesforce } from './salesforce/index.js';
import { servicenow } from './servicenow/index.js';
import type { Connector } from './types.js';

export const CONNECTORS: Record<App, Connector> = { okta, salesforce, servicenow, github, m365 };
