import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { App } from '../domain/schemas.js';
import { send } from './reply.js';
import type { Interceptor, SimRequest, Tenant, VendorSim } from './types.js';

export interface SimulatorOptions {
  tenants: Tenant[];
  vendors: Partial<Record<App, VendorSim>>;
  /** Answers requests before the vendor does (tests inject faults through it). */
  intercept?: Interceptor;
  port?: number;
  /** Serve https with this key and certificate (PEM), to test certificate checks and CA files. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /**
   * Each tenant also on a port of its own: a host of its own, as a vendor's tenants are
   * (`acme.okta.com`, `acme.service-now.com`). API budgets are kept per host (workers/quota.ts):
   * a fleet of tenants under one host shares one budget, which no vendor's fleet does.
   */
  hostPerTenant?: boolean;
  /** Requests the log keeps (`LOG_LIMIT`); 0 keeps none (a benchmark counts them: `served`). */
  logLimit?: number;
}

export interface RequestLog {
  tenant: string;
  method: string;
  path: string;
  query: string;
  headers: IncomingMessage['headers'];
}

/**
 * A loopback HTTP server that speaks each vendor's API for the demo tenants. Each tenant lives
 * under its own path prefix (`/okta-contoso-eu/api/v1/...`), so one server holds them all.
 */
/** Requests the log keeps: the demo's simulator runs as long as its console, polling all along. */
export const LOG_LIMIT = 20_000;

export class Simulator {
  /** The latest requests (tests read what a poll asked), the oldest dropped beyond the limit. */
  readonly log: RequestLog[] = [];
  /** Requests answered so far, logged or not. */
  served = 0;
  private server?: Server;
  private port = 0;
  /** A tenant's own listener and port (`hostPerTenant`). */
  private readonly own = new Map<string, { server: Server; port: number }>();
  private readonly tenants: Map<string, Tenant>;

  constructor(private readonly options: SimulatorOptions) {
    this.tenants = new Map(options.tenants.map((t) => [t.id, t]));
  }

  async start(): Promise<this> {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.route(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
    };
    const tls = this.options.tls;
    this.server = tls ? createTlsServer({ key: tls.key, cert: tls.cert }, handler) : createServer(handler);
    await new Promise<void>((resolve) => this.server!.listen(this.options.port ?? 0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    if (this.options.hostPerTenant)
      for (const id of this.tenants.keys()) {
        const server = tls
          ? createTlsServer({ key: tls.key, cert: tls.cert }, handler)
          : createServer(handler);
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        this.own.set(id, { server, port: (server.address() as AddressInfo).port });
      }
    return this;
  }

  get origin(): string {
    return `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  baseUrl(tenantId: string): string {
    const own = this.own.get(tenantId);
    const origin = own ? `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${own.port}` : this.origin;
    return `${origin}/${tenantId}`;
  }

  tenant(id: string): Tenant | undefined {
    return this.tenants.get(id);
  }

  async close(): Promise<void> {
    if (!this.server) return;
    const servers = [this.server, ...[...this.own.values()].map((o) => o.server)];
    await Promise.all(
      servers.map((server) => {
        server.closeAllConnections();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      }),
    );
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const [, tenantId = '', ...rest] = url.pathname.split('/');
    const tenant = this.tenants.get(tenantId);
    const path = `/${rest.join('/')}`;
    const body = await readBody(req);
    this.served++;
    const limit = this.options.logLimit ?? LOG_LIMIT;
    if (this.log.length >= limit) this.log.splice(0, Math.ceil(limit / 10));
    if (limit > 0)
      this.log.push({
        tenant: tenantId,
        method: req.method ?? 'GET',
        path,
        query: url.search,
        headers: req.headers,
      });
    if (!tenant) {
      send(res, { status: 404, body: { message: 'no such tenant on this simulator' } });
      return;
    }
    const vendor = this.options.vendors[tenant.app];
    if (!vendor) {
      send(res, { status: 501, body: { message: `no simulator for ${tenant.app}` } });
      return;
    }
    const sreq: SimRequest = {
      tenant,
      method: req.method ?? 'GET',
      path,
      query: url.searchParams,
      headers: req.headers,
      base: this.baseUrl(tenant.id),
      body,
    };
    if (await this.options.intercept?.intercept(sreq, req, res, vendor)) return;
    send(res, vendor.handle(sreq));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      if (data.length < 1_000_000) data += chunk;
    });
    req.on('end', () => resolve(data));
    req.on('error', () => resolve(data));
  });
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  return new Simulator(options).start();
}
