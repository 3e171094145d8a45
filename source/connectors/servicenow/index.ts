import { ConnectorError } from '../http.js';
import type { Connector } from '../types.js';

// Placeholder until the ServiceNow connector lands.
export const servicenow: Connector = {
  app: 'servicenow',
  secretLabel: 'token',
  options: [],
  async collect() {
    throw new ConnectorError('the ServiceNow connector is not built yet', 'http');
  },
};
