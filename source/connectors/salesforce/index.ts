import { ConnectorError } from '../http.js';
import type { Connector } from '../types.js';

// Placeholder until the Salesforce connector lands.
export const salesforce: Connector = {
  app: 'salesforce',
  secretLabel: 'token',
  options: [],
  async collect() {
    throw new ConnectorError('the Salesforce connector is not built yet', 'http');
  },
};
