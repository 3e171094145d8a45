import { createHash, createPrivateKey, randomUUID, sign, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { ConnectorError, header, retryAfterMs, type Vendor } from '../http.js';
import { isLoopbackHost } from '../../domain/schemas.js';

/**
 * Microsoft Graph v1.0 as the connector speaks it: OAuth 2.0 client credentials on the cloud's
 * Microsoft Entra login host (a client secret, or a certificate's signed assertion), lists paged
 * by an absolute `@odata.nextLink`, `{"error":{"code","message","innerError"}}` error bodies, and
 * throttling as a 429 (or 503) with `Retry-After` in seconds.
 */

/**
 * The national clouds, by the instance option `cloud`: the login host and the Graph host of each
 * ("National cloud deployments" in the Microsoft Graph documentation). GCC (`usgov`) uses the
 * global endpoints; GCC High and DoD sign in on login.microsoftonline.us.
 */
export const CLOUDS = {
  global: { login: 'https://login.microsoftonline.com', graph: 'https://graph.microsoft.com' },
  usgov: { login: 'https://login.microsoftonline.com', graph: 'https://graph.microsoft.com' },
  usgovhigh: { login: 'https://login.microsoftonline.us', graph: 'https://graph.microsoft.us' },
  dod: { login: 'https://login.microsoftonline.us', graph: 'https://dod-graph.microsoft.us' },
  china: { login: 'https://login.chinacloudapi.cn', graph: 'https://microsoftgraph.chinacloudapi.cn' },
} as const;
export type Cloud = keyof typeof CLOUDS;

const GraphErrorBody = z.looseObject({
  error: z.looseObject({ code: z.string(), message: z.string() }),
});
// The token endpoint answers in the OAuth form, with an AADSTS number in the description.
const OAuthError = z.looseObject({ error: z.string(), error_description: z.string().optional() });

export const graphVendor: Vendor = {
  name: 'Microsoft Graph',
  readError(body) {
    const graph = GraphErrorBody.safeParse(body);
    if (graph.success) {
      const { code, message } = graph.data.error;
      return { message, code, line: `${message} (${code})` };
    }
    const oauth = OAuthError.safeParse(body);
    if (!oauth.success) return undefined;
    const { error, error_description: description } = oauth.data;
    // The description runs on with a trace id and a timestamp: its first line says it.
    const first = description?.split(/\r?\n/)[0]?.trim();
    return first
      ? { message: first, code: error, line: `${first} (${error})` }
      : { message: error, code: error, line: error };
  },
  // Graph throttles with a 429 and a Retry-After in seconds; some services send a 503 with one.
  rateLimitWait(res, now) {
    if (res.status === 429) return retryAfterMs(res, now) ?? 10_000;
    if (res.status === 503 && header(res.headers, 'retry-after')) return retryAfterMs(res, now);
    return undefined;
  },
};

/** Where this instance signs in and reads Graph. */
export interface Endpoints {
  login: string;
  graph: string;
}

/**
 * The login and Graph endpoints of an instance. The instance's URL is the Graph endpoint of its
 * cloud; the client secret travels only to that cloud's login host. A loopback URL (the simulator,
 * a test) serves both itself.
 */
export function endpoints(baseUrl: string, cloudOption: string | undefined): Endpoints {
  const name = (cloudOption ?? 'global').trim() || 'global';
  if (!Object.hasOwn(CLOUDS, name))
    throw new ConnectorError(
      `the instance option cloud must be one of ${Object.keys(CLOUDS).join(', ')}, not ${JSON.stringify(name)}`,
      'http',
    );
  const cloud = CLOUDS[name as Cloud];
  const url = new URL(baseUrl);
  if (isLoopbackHost(url.hostname)) return { login: baseUrl, graph: baseUrl };
  if (url.origin !== cloud.graph)
    throw new ConnectorError(
      `the instance URL must be the Microsoft Graph endpoint of the ${name} cloud, ${cloud.graph} (it is ${url.origin})`,
      'auth',
    );
  return { login: cloud.login, graph: cloud.graph };
}

/** A PEM file holding the app's certificate and its private key: sign in with an assertion. */
export function isCertificate(secret: string): boolean {
  return /-----BEGIN CERTIFICATE-----/.test(secret) && /-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(secret);
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/**
 * The client assertion Microsoft Entra takes for a certificate credential: a JWT signed RS256 with
 * the key, `x5t` the certificate's SHA-1 thumbprint, `aud` the token endpoint, `iss` = `sub` = the
 * client id, a fresh `jti`, valid for ten minutes.
 */
export function clientAssertion(pem: string, clientId: string, audience: string, now: number): string {
  const certPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!certPem) throw new ConnectorError('the certificate file holds no certificate', 'auth');
  let key;
  let cert;
  try {
    key = createPrivateKey(pem);
    cert = new X509Certificate(certPem);
  } catch (error) {
    throw new ConnectorError(
      `the certificate file cannot be read as a PEM certificate and private key (${error instanceof Error ? error.message : String(error)})`,
      'auth',
    );
  }
  if (!cert.checkPrivateKey(key))
    throw new ConnectorError("the certificate file's private key does not belong to its certificate", 'auth');
  const x5t = b64url(createHash('sha1').update(cert.raw).digest());
  const iat = Math.floor(now / 1000);
  const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', x5t }));
  const body = b64url(
    JSON.stringify({
      aud: audience,
      iss: clientId,
      sub: clientId,
      jti: randomUUID(),
      nbf: iat,
      iat,
      exp: iat + 600,
    }),
  );
  const signature = sign('sha256', Buffer.from(`${head}.${body}`), key);
  return `${head}.${body}.${b64url(signature)}`;
}
