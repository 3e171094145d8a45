import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertMessage } from '../../source/domain/alerts.js';
import { disposeWhenDone } from './cleanup.js';

// What Slack puts in a webhook's path: the secret that must never be written anywhere.
export const CANARY = 'XcanarySECRET4f9b2e';

/** A loopback webhook receiver: answers each POST with the next of `statuses` (then the last), keeps bodies. */
export async function receiver(statuses: number[] = [200]) {
  const bodies: AlertMessage[] = [];
  let answered = 0;
  const server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.setEncoding('utf8').on('data', (d: string) => (text += d));
    req.on('end', () => {
      const status = statuses[Math.min(answered++, statuses.length - 1)]!;
      if (status === 200) bodies.push(JSON.parse(text) as AlertMessage);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const closed = () => new Promise<void>((resolve) => server.close(() => resolve()));
  disposeWhenDone(closed);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T0001/B0001/${CANARY}`,
    bodies,
    requests: () => answered,
    set: (s: number[]) => ((statuses = s), (answered = 0)),
    close: closed,
  };
}
