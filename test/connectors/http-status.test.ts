import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConnectorError, HttpClient } from '../../source/connectors/http.js';
import { oktaVendor } from '../../source/connectors/okta/index.js';
import { disposeWhenDone } from '../helpers/cleanup.js';

/**
 * got is told an answer outside 200-399 is a 200 (so that it builds no HTTPError for it): what
 * the client returns, throws and tells its observer must still be the status the server sent.
 */
async function server(): Promise<string> {
  const s = createServer((req, res) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/forbidden')
      send(403, { errorCode: 'E0000006', errorSummary: 'You do not have permission', errorCauses: [] });
    else if (req.url === '/missing')
      send(404, { errorCode: 'E0000007', errorSummary: 'Not found', errorCauses: [] });
    else if (req.url === '/moved') send(302, {}, { location: '/ok' });
    else send(200, { ok: true });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  disposeWhenDone(() => new Promise<void>((r) => s.close(() => r())));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

describe('the HTTP client and statuses outside 2xx', () => {
  it('keeps the status the server sent: thrown, observed, and the next 200 read as one', async () => {
    const seen: number[] = [];
    const client = new HttpClient({
      baseUrl: await server(),
      vendor: oktaVendor,
      auth: () => ({}),
      secrets: () => [],
      onResponse: (res) => seen.push(res.status),
    });
    const forbidden = await client.get('/forbidden').catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(ConnectorError);
    expect(forbidden).toMatchObject({ kind: 'forbidden', status: 403, code: 'E0000006' });
    await expect(client.get('/missing')).rejects.toMatchObject({ kind: 'not_found', status: 404 });
    // Redirects are not followed: a 302 is an answer of its own (got resolves it without the hook).
    await expect(client.get('/moved')).rejects.toMatchObject({ kind: 'http', status: 302 });
    expect(await client.get('/ok')).toMatchObject({ status: 200, body: { ok: true } });
    expect(seen).toEqual([403, 404, 302, 200]);
  });
});
