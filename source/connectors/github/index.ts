import { ConnectorError } from '../http.js';
import type { Connector } from '../types.js';

// Placeholder until the GitHub connector lands.
export const github: Connector = {
  app: 'github',
  secretLabel: 'token',
  options: [],
  async collect() {
    throw new ConnectorError('the GitHub connector is not built yet', 'http');
  },
};
