import type { App } from '../domain/schemas.js';
import { githubDemo, githubSim } from './github.js';
import { m365Demo, m365Sim } from './m365.js';
import { oktaDemo, oktaSim } from './okta.js';
import { salesforceDemo, salesforceSim } from './salesforce.js';
import { servicenowDemo, servicenowSim } from './servicenow.js';
import type { DemoTenant, VendorSim } from './types.js';

export const VENDOR_SIMS: Record<App, VendorSim> = {
  okta: oktaSim,
  salesforce: salesforceSim,
  servicenow: servicenowSim,
  github: githubSim,
  m365: m365Sim,
};

export const DEMO_TENANTS: DemoTenant[] = [
  ...oktaDemo,
  ...salesforceDemo,
  ...servicenowDemo,
  ...githubDemo,
  ...m365Demo,
];
