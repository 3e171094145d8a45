import type { DemoTenant, VendorSim } from './types.js';

// Placeholder until the ServiceNow simulator lands: it answers every request with 501.
export const servicenowSim: VendorSim = {
  handle: () => ({ status: 501, body: { message: 'ServiceNow simulator not built yet' } }),
  error: (_req, status, message) => ({ status, body: { message } }),
  rateLimited: () => ({ status: 429, body: { message: 'rate limited' } }),
};

export const servicenowDemo: DemoTenant[] = [];
