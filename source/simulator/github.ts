import type { DemoTenant, VendorSim } from './types.js';

// Placeholder until the GitHub simulator lands: it answers every request with 501.
export const githubSim: VendorSim = {
  handle: () => ({ status: 501, body: { message: 'GitHub simulator not built yet' } }),
  error: (_req, status, message) => ({ status, body: { message } }),
  rateLimited: () => ({ status: 429, body: { message: 'rate limited' } }),
};

export const githubDemo: DemoTenant[] = [];
