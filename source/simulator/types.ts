import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { App } from '../domain/schemas.js';

/** A demo or test tenant: what the simulator serves for one instance. */
export interface Tenant {
  id: string;
  app: App;
  name: string;
  /** The secret the simulator accepts (a demo value; never a real token). */
  token: string;
  /** Largest page the simulated API returns, whatever `limit` asks for (to exercise paging). */
  pageSize?: number;
  /** Endpoints (path prefixes) this tenant's token may not read: they answer 403. */
  forbidden?: string[];
  /** Vendor-specific configuration, in the vendor's own wire format. */
  data: Record<string, unknown>;
}

export interface SimRequest {
  tenant: Tenant;
  method: string;
  /** Path below the tenant prefix, e.g. `/api/v1/policies`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The tenant's base URL, for absolute links. */
  base: string;
  body: string;
}

export interface SimReply {
  status: number;
  headers?: Record<string, string | string[]>;
  body: unknown;
}

/** One vendor's API as the simulator speaks it. */
export interface VendorSim {
  handle(req: SimRequest): SimReply;
  /** The vendor's error reply for a status (its own body format). */
  error(req: SimRequest, status: number, message: string): SimReply;
  /** The vendor's throttling reply, resetting `resetSeconds` from now. */
  rateLimited(req: SimRequest, resetSeconds: number): SimReply;
}

/**
 * Sees each request before the vendor answers it, and may answer it itself or hang up. The program
 * sets none; tests inject faults (latency, resets, broken bodies) through it.
 */
export interface Interceptor {
  /** True when it answered the request (or dropped it); false lets the vendor answer. */
  intercept(req: SimRequest, raw: IncomingMessage, res: ServerResponse, vendor: VendorSim): Promise<boolean>;
}

/** A tenant of the demo workspace, with how its instance is set up. */
export interface DemoTenant extends Tenant {
  /** The environment variable the demo instance reads its token from. */
  variable: string;
  recommendations: boolean;
  options?: Record<string, string>;
}
