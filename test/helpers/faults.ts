import type { IncomingMessage, ServerResponse } from 'node:http';
import { send } from '../../source/simulator/reply.js';
import type { Interceptor, SimReply, SimRequest, VendorSim } from '../../source/simulator/types.js';

export const FAULT_KINDS = [
  'latency',
  'timeout',
  'status',
  'reset',
  'truncate',
  'html',
  'wrongTypes',
  'huge',
  'trickle',
  'rateLimit',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  kind: FaultKind;
  /** Only this tenant (default: all). */
  tenant?: string;
  /** Only paths containing this (default: all). */
  path?: string;
  /** How many requests it hits before it stops (default: all of them). */
  times?: number;
  /** latency: delay; trickle: gap between bytes. */
  ms?: number;
  /** status: the HTTP status to answer with. */
  status?: number;
  /**
   * status: the message in the vendor's error body (default "simulated failure"). `{authorization}`
   * becomes the request's Authorization header, as a vendor that echoes it back would send.
   */
  message?: string;
  /** rateLimit: seconds until the limit resets. */
  resetSeconds?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait until the client reads on or hangs up, leaving no listener behind (the loop waits often). */
function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.once('drain', done).once('close', done);
  });
}

/**
 * Fault injection per tenant and endpoint, applied before the vendor handler answers: the
 * simulator's interceptor in tests and benchmarks (the program never injects faults).
 */
export class FaultSet implements Interceptor {
  private faults: Fault[];
  constructor(faults: Fault[]) {
    this.faults = faults.map((f) => ({ ...f }));
  }

  add(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  clear(): void {
    this.faults = [];
  }

  private take(req: SimRequest): Fault | undefined {
    const f = this.faults.find(
      (f) =>
        (f.tenant === undefined || f.tenant === req.tenant.id) &&
        (f.path === undefined || req.path.includes(f.path)) &&
        (f.times === undefined || f.times > 0),
    );
    if (f?.times !== undefined) f.times--;
    return f;
  }

  /** Returns true when the fault answered the request (or swallowed it). */
  async intercept(
    req: SimRequest,
    raw: IncomingMessage,
    res: ServerResponse,
    vendor: VendorSim,
  ): Promise<boolean> {
    const f = this.take(req);
    if (!f) return false;
    switch (f.kind) {
      case 'latency':
        await sleep(f.ms ?? 100);
        return false;
      case 'timeout':
        // Hold the request open until the client gives up.
        await new Promise<void>((resolve) => raw.socket.once('close', () => resolve()));
        return true;
      case 'status':
        send(
          res,
          vendor.error(
            req,
            f.status ?? 500,
            (f.message ?? 'simulated failure').replaceAll('{authorization}', req.headers.authorization ?? ''),
          ),
        );
        return true;
      case 'rateLimit':
        send(res, vendor.rateLimited(req, f.resetSeconds ?? 30));
        return true;
      case 'html':
        send(res, {
          status: 200,
          headers: { 'content-type': 'text/html' },
          body: '<!DOCTYPE html><html><body><h1>Service Unavailable</h1><p>Maintenance in progress.</p></body></html>',
        });
        return true;
      case 'truncate':
      case 'reset': {
        const reply = vendor.handle(req);
        const text = JSON.stringify(reply.body);
        const cut = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
        if (f.kind === 'truncate') {
          send(res, { ...reply, status: 200, body: cut });
          return true;
        }
        // The whole body's length in bytes, then half of it: the client sees the connection drop mid-body.
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(text)),
        });
        res.write(cut);
        await sleep(5);
        raw.socket.destroy();
        return true;
      }
      case 'wrongTypes': {
        const reply = vendor.handle(req);
        const body = Array.isArray(reply.body) ? reply.body.map((_, i) => i) : ['not', 'an', 'object'];
        send(res, { ...reply, body });
        return true;
      }
      case 'huge': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = `${JSON.stringify({ id: 'x'.repeat(1000) })},`;
        res.write('[');
        // 64 MB unless the client hangs up first, which it should.
        for (let i = 0; i < 64 * 1024 && !res.destroyed; i++) {
          if (!res.write(chunk)) await drainOrClose(res);
        }
        res.end('{}]');
        return true;
      }
      case 'trickle': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const text = JSON.stringify(vendor.handle(req).body);
        for (const ch of text) {
          if (res.destroyed) return true;
          res.write(ch);
          await sleep(f.ms ?? 250);
        }
        res.end();
        return true;
      }
    }
  }
}

/** Answers the requests `match` picks with `reply`, as a vendor might; the vendor answers the rest. */
export function answering(match: (req: SimRequest) => boolean, reply: SimReply): Interceptor {
  return {
    async intercept(req, _raw, res) {
      if (!match(req)) return false;
      send(res, reply);
      return true;
    },
  };
}
