import { spawn } from 'node:child_process';
import got, { RequestError } from 'got';
import { isLoopbackHost } from '../domain/schemas.js';
import { sanitize } from '../text/sanitize.js';

/**
 * The two ways an alert leaves posture: a POST to a webhook, or a program's stdin. A failure is an
 * AlertError whose message never holds the webhook's URL (Slack's carries its secret in the path):
 * only the host is named, and what went wrong.
 */
export class AlertError extends Error {}

// A webhook is one POST with a short answer: none of a vendor's paging, budgets or error bodies,
// so not the connectors' client; the same stance on TLS and redirects.
const client = got.extend({
  method: 'POST',
  responseType: 'text',
  throwHttpErrors: false,
  followRedirect: false,
  retry: { limit: 0 },
  https: { rejectUnauthorized: true },
});

/** The webhook URL a variable holds: https, or http on a loopback address; never quoted back. */
export function webhookUrl(variable: string, env: NodeJS.ProcessEnv): URL {
  const raw = env[variable]?.trim();
  if (!raw) throw new AlertError(`the variable ${variable} that should hold the webhook URL is not set`);
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))))
    throw new AlertError(
      `the variable ${variable} does not hold an https URL (http only on a loopback address)`,
    );
  return url;
}

const REASONS: Record<string, string> = {
  ETIMEDOUT: 'no answer in time',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS)',
  EPIPE: 'connection closed',
};

export async function postWebhook(url: URL, body: string, timeoutMs: number): Promise<void> {
  const where = `the webhook at ${url.host}`;
  let status: number;
  try {
    const res = await client(url, {
      body,
      headers: { 'content-type': 'application/json' },
      timeout: { connect: Math.min(5000, timeoutMs), request: timeoutMs },
    });
    status = res.statusCode;
  } catch (error) {
    // got's messages may quote the URL: only the error's code is used.
    const code = error instanceof RequestError ? error.code : '';
    throw new AlertError(`${where}: ${REASONS[code] ?? (code ? `error ${code}` : 'request failed')}`);
  }
  if (status < 200 || status >= 300) throw new AlertError(`${where} answered HTTP ${status}`);
}

/**
 * Run the alert program, without a shell, with the message on stdin; it has `timeoutMs` to exit 0.
 * Its output is not kept; the last line it wrote to stderr names a failure.
 */
export function runCommand(program: string, body: string, env: NodeJS.ProcessEnv, timeoutMs: number) {
  return new Promise<void>((resolve, reject) => {
    const name = sanitize(program);
    const child = spawn(program, [], { shell: false, env, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-2000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    // A program that exits without reading its stdin is its own business: EPIPE is not a failure.
    child.stdin.on('error', () => undefined);
    child.stdin.end(body);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new AlertError(`the alert command ${name} could not be run (${error.code ?? 'error'})`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      const last = sanitize(stderr.trim().split('\n').pop() ?? '').slice(0, 200);
      const how = signal === 'SIGKILL' ? `did not finish within ${timeoutMs} ms` : `exited ${code ?? signal}`;
      reject(new AlertError(`the alert command ${name} ${how}${last ? `: ${last}` : ''}`));
    });
  });
}
