import type { ServerResponse } from 'node:http';
import type { SimReply } from './types.js';

export function send(res: ServerResponse, reply: SimReply): void {
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  const headers: Record<string, string | string[]> = {
    'content-type': 'application/json; charset=utf-8',
    date: new Date().toUTCString(),
    ...reply.headers,
  };
  res.writeHead(reply.status, headers);
  res.end(text);
}
