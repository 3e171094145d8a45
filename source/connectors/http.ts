import { fsReason, readRegularFileSync } from '../files.js';
import got, { type Headers, RequestError } from 'got';
import { PLAIN, sanitize } from '../text/sanitize.js';

/**
 * The one HTTP client. Every connector reads its vendor's API through it: a timeout on every
 * request, a cap on body size and on total time, bounded retries, each vendor's rate-limit
 * signal honoured against a deadline, error bodies turned into one clear line, secrets redacted.
 */

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export type ErrorKind =
  'auth' | 'forbidden' | 'not_found' | 'rate_limited' | 'http' | 'network' | 'tls' | 'malformed' | 'budget';

/** The vendor's side of an error, as its body sent it. */
export interface VendorDetail {
  /**
   * The vendor's error code (Okta E0000006, Salesforce INVALID_TYPE): what a connector decides on,
   * never the formatted message, which also carries names and text the vendor echoes back.
   */
  readonly code?: string | undefined;
  /** The vendor's own message, unformatted: what a vendor without codes (GitHub) said. */
  readonly vendorMessage?: string | undefined;
}

export class ConnectorError extends Error implements VendorDetail {
  readonly code?: string | undefined;
  readonly vendorMessage?: string | undefined;
  constructor(
    message: string,
    readonly kind: ErrorKind,
    readonly status?: number,
    /** What the vendor said; a connector that rewords an error passes the original here. */
    vendor?: VendorDetail,
  ) {
    super(message);
    this.name = 'ConnectorError';
    if (vendor?.code !== undefined) this.code = vendor.code;
    if (vendor?.vendorMessage !== undefined) this.vendorMessage = vendor.vendorMessage;
  }
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: unknown;
  url: string;
}

/**
 * A request body other than a form (a SOAP envelope): sent as is, and the answer kept as text.
 * `finalFaults`: a 5xx the vendor's readError recognises is an answer, not an outage (SOAP
 * sends every fault as a 500), so it is not retried.
 */
export interface RawBody {
  contentType: string;
  text: string;
  headers?: Record<string, string>;
  finalFaults?: boolean;
}

/** A vendor's error body, read as data. */
export interface VendorError {
  /** The vendor's own message (Okta errorSummary, Salesforce message, ServiceNow error.message…). */
  message: string;
  /** The vendor's error code (Okta errorCode, Salesforce errorCode…); absent when it sends none. */
  code?: string | undefined;
  /** The line people read after "<Vendor> <status>: ", with the details the vendor adds. */
  line: string;
}

/** How one vendor speaks about errors and throttling. */
export interface Vendor {
  name: string;
  /** What the vendor's error body says, if it is one of the vendor's error bodies. */
  readError(body: unknown): VendorError | undefined;
  /**
   * When a response is a rate limit, how long to wait (ms from now) before trying again;
   * undefined when it is not a rate limit.
   */
  rateLimitWait(res: HttpResponse, now: number): number | undefined;
  /** Extra headers the vendor requires on every request (User-Agent, API version…). */
  headers?: Record<string, string>;
}

export interface ClientOptions {
  baseUrl: string;
  vendor: Vendor;
  /** Authorization and other per-request headers; called before every request (tokens may refresh). */
  auth: () => Promise<Record<string, string>> | Record<string, string>;
  /** Called once on a 401; return true when credentials were refreshed and the request may be retried. */
  refresh?: () => Promise<boolean>;
  /** Strings that must never appear in a message (tokens, passwords). */
  secrets: () => string[];
  clock?: Clock;
  /** The whole poll of this instance must end by this time (ms since epoch). */
  deadline?: number;
  caFile?: string;
  maxBodyBytes?: number;
  requestTimeoutMs?: number;
  retries?: number;
  retryBaseMs?: number;
  /** What the whole poll of this instance may send, read and collect (see POLL_BUDGET). */
  maxPollRequests?: number;
  maxPollBytes?: number;
  maxPollItems?: number;
  /** What the poll has spent so far: one per instance's poll, shared by every client it uses. */
  spent?: PollSpending;
  /** Told of every response's status and headers (workers read the vendor's rate-limit headers from them). */
  onResponse?: ResponseObserver;
}

/** Sees each response as it arrives, before it is read: status and headers only, never the body. */
export type ResponseObserver = (res: Pick<HttpResponse, 'status' | 'headers'>) => void;

/** Caps a caller may set for one poll (tests, slow links, a huge tenant); unset fields keep the defaults. */
export type HttpLimits = Partial<
  Pick<
    ClientOptions,
    | 'maxBodyBytes'
    | 'requestTimeoutMs'
    | 'retries'
    | 'retryBaseMs'
    | 'maxPollRequests'
    | 'maxPollBytes'
    | 'maxPollItems'
  >
>;

/**
 * What one instance's poll may spend in all, besides the per-request caps and the poll's time: a
 * tenant that fans out (50,000 policies, each a rules request) ends its own poll with one line
 * instead of taking the process to its heap limit. Sized for the largest real tenants, with room:
 * - requests: a GitHub organisation with 10,000 active repositories takes about 20,100 (the org,
 *   100 pages of repositories, up to two per repository for its default branch); Okta, ServiceNow
 *   and Salesforce take tens to hundreds.
 * - items (collected from paged lists): a Salesforce org with 100,000 active users lists them and
 *   their MFA methods, 200,000; GitHub's 10,000 repositories and their rules are well below that.
 * - bytes: GitHub lists a repository in about 6 KB, and its branch protection and rules in about
 *   4 KB more: about 100 MB for 10,000 repositories; 100,000 Salesforce users are about 50 MB.
 * What the poll keeps is a part of what it read, so its memory stays within a small multiple of
 * the bytes budget (and each page within the body cap) whatever the tenant sends.
 */
export const POLL_BUDGET = {
  requests: { limit: 'maxPollRequests', option: 'maxRequests', unit: 1, max: 25_000 },
  items: { limit: 'maxPollItems', option: 'maxItems', unit: 1, max: 250_000 },
  bytes: { limit: 'maxPollBytes', option: 'maxMegabytes', unit: 1024 * 1024, max: 256 * 1024 * 1024 },
} as const;
export type BudgetKind = keyof typeof POLL_BUDGET;

/** What one instance's poll has spent, and the error that ended it once it went over. */
export interface PollSpending {
  requests: number;
  bytes: number;
  items: number;
  over?: ConnectorError;
}

export function pollSpending(): PollSpending {
  return { requests: 0, bytes: 0, items: 0 };
}

/**
 * The poll budget an instance's options set (`maxRequests=40000`, `maxItems`, `maxMegabytes`): an
 * operator raises it for one large tenant. Throws a ConnectorError for a value that is not a count.
 */
export function budgetOptions(options: Readonly<Record<string, string>>): HttpLimits {
  const limits: HttpLimits = {};
  for (const b of Object.values(POLL_BUDGET)) {
    const raw = options[b.option];
    if (raw === undefined) continue;
    if (!/^\d{1,9}$/.test(raw.trim()) || Number(raw) < 1)
      throw new ConnectorError(
        `the instance option ${b.option} must be a whole number above 0, not ${JSON.stringify(raw)}`,
        'http',
      );
    limits[b.limit] = Number(raw) * b.unit;
  }
  return limits;
}

/** The status of an answer got was told was a 200 (below), by its response. */
const statusOf = new WeakMap<object, number>();

// What never changes between requests is merged once (got merges options on every request).
const client = got.extend({
  responseType: 'text',
  throwHttpErrors: false,
  followRedirect: false,
  retry: { limit: 0 },
  hooks: {
    // got spreads its cache options (four keys, all unset: no cache is used) first into the options
    // it builds for Node at every request; on Node 20 that literal then comes out in V8's slow
    // dictionary form, about 0.1 ms to build and slower for Node's own request to read (a
    // tenth of got's work a request, measured). Empty, the object is an ordinary fast one.
    beforeRequest: [
      (options) => {
        options.cacheOptions = {};
      },
    ],
    // Even with throwHttpErrors off, got builds an HTTPError for every answer outside 200-399 (a
    // stack captured, and formatted when its stream is destroyed with it) only to resolve with the
    // response. Least-privilege 403s and 404s are ordinary answers here: got sees a 200, and
    // `once` reads the status the server sent from `statusOf`.
    afterResponse: [
      (response) => {
        const status = response.statusCode;
        if (status < 200 || status > 399) {
          statusOf.set(response, status);
          response.statusCode = 200;
        }
        return response;
      },
    ],
  },
  // Certificates are always verified, whatever NODE_TLS_REJECT_UNAUTHORIZED says; a private CA
  // is trusted through the instance's CA file, never by turning verification off.
  https: { rejectUnauthorized: true },
});

const DEFAULTS: Required<HttpLimits> = {
  maxBodyBytes: 8 * 1024 * 1024,
  requestTimeoutMs: 30_000,
  retries: 2,
  retryBaseMs: 500,
  maxPollRequests: POLL_BUDGET.requests.max,
  maxPollBytes: POLL_BUDGET.bytes.max,
  maxPollItems: POLL_BUDGET.items.max,
};
const RETRYABLE_STATUS = new Set([500, 502, 503, 504, 408]);
const MAX_RATE_LIMIT_WAITS = 3;

function replaceSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('[redacted]');
  return out;
}

/**
 * Every secret cut out of `text`, as it is and as it would be shown. A vendor may echo a token with
 * an invisible character or an escape sequence inside it: the raw text does not hold it, but the
 * sanitizer that every output passes makes it whole. Then the sanitized text is what is kept (the
 * invisible characters would be removed before anyone saw them), redacted.
 */
export function redact(text: string, secrets: readonly string[]): string {
  return redactor(secrets)(text);
}

/** `redact` for many texts and the same secrets: their shown forms are worked out once. */
export function redactor(secrets: readonly string[]): (text: string) => string {
  // A secret the sanitizer would change (a tab, a decomposed accent) is looked for in both forms.
  const forms = [
    ...new Set(
      secrets.flatMap((s) => [s, sanitize(s), sanitize(s, { multiline: true })]).filter((s) => s.length >= 4),
    ),
  ];
  if (forms.length === 0) return (text) => text;
  return (text) => {
    let out = replaceSecrets(text, forms);
    // Printable ASCII is shown as it is: nothing hidden in it can join up into a secret.
    if (PLAIN.test(out)) return out;
    // Shown on several lines (descriptions, exports), then on one (tables: newlines become spaces).
    for (const multiline of [true, false]) {
      const shown = sanitize(out, { multiline });
      if (forms.some((s) => shown.includes(s))) out = replaceSecrets(shown, forms);
    }
    return out;
  };
}

/** Parse a Link header leniently: ServiceNow puts raw commas inside URLs, which got's parser rejects. */
export function parseLinks(header: string | string[] | undefined): Record<string, string> {
  const text = Array.isArray(header) ? header.join(', ') : (header ?? '');
  const links: Record<string, string> = {};
  for (const m of text.matchAll(/<([^>]*)>\s*((?:;\s*[a-z]+="?[^";]*"?\s*)+)/gi)) {
    const rel = /rel="?([^";]+)"?/i.exec(m[2] ?? '')?.[1];
    if (rel && m[1]) for (const r of rel.split(/\s+/)) links[r] ??= m[1];
  }
  return links;
}

export function header(headers: Headers, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Seconds-since-epoch header → ms from now, using the server's Date to avoid clock skew. */
export function waitUntilEpochSeconds(
  res: HttpResponse,
  name: string,
  now: number,
  padMs = 1000,
): number | undefined {
  const raw = header(res.headers, name);
  if (!raw || raw.includes(',')) return undefined; // duplicate headers: not trustworthy (OKTA-112507)
  const reset = Number(raw) * 1000;
  if (!Number.isFinite(reset)) return undefined;
  const date = Date.parse(header(res.headers, 'date') ?? '');
  const from = Number.isNaN(date) ? now : date;
  return Math.max(0, reset - from) + padMs;
}

/** Retry-After in ms from now, as delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(res: HttpResponse, now: number): number | undefined {
  const raw = header(res.headers, 'retry-after')?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.ceil(Number(raw) * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A request body sent as JSON rather than as a form. */
export class JsonBody {
  constructor(readonly value: unknown) {}
}

export class HttpClient {
  readonly baseUrl: string;
  /** Requests sent, retries included: tests keep this bounded. */
  requests = 0;
  private readonly o: ClientOptions & typeof DEFAULTS;
  private readonly spent: PollSpending;
  private readonly clock: Clock;
  private readonly ca?: string;
  /** The instance's origin: links elsewhere are refused. */
  private readonly origin: string;

  constructor(options: ClientOptions) {
    // A limit passed as undefined (an unset per-poll limit) keeps its default.
    this.o = {
      ...options,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
      retries: options.retries ?? DEFAULTS.retries,
      retryBaseMs: options.retryBaseMs ?? DEFAULTS.retryBaseMs,
      maxPollRequests: options.maxPollRequests ?? DEFAULTS.maxPollRequests,
      maxPollBytes: options.maxPollBytes ?? DEFAULTS.maxPollBytes,
      maxPollItems: options.maxPollItems ?? DEFAULTS.maxPollItems,
    };
    this.spent = options.spent ?? pollSpending();
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.origin = new URL(this.baseUrl).origin;
    this.clock = options.clock ?? systemClock;
    if (options.caFile) {
      try {
        // A regular file only: a FIFO named as the CA file would block the poll for ever.
        this.ca = readRegularFileSync(options.caFile);
      } catch (error) {
        this.fail(`the CA file ${options.caFile} cannot be read: ${fsReason(error)}`, 'tls');
      }
    }
  }

  private fail(message: string, kind: ErrorKind, status?: number, vendor?: VendorError): never {
    const secrets = this.o.secrets();
    // A vendor that echoes the request back may echo the credential: its own fields are redacted too.
    const detail = vendor && {
      code: vendor.code === undefined ? undefined : redact(vendor.code, secrets),
      vendorMessage: redact(vendor.message, secrets),
    };
    throw new ConnectorError(redact(message, secrets), kind, status, detail);
  }

  /**
   * Spend `n` of the poll's budget of `kind`; over it, the poll ends with one line. Once over, every
   * later request and page of the poll fails the same way, so no caller that catches it goes on.
   */
  private spend(kind: BudgetKind, n: number): void {
    const b = POLL_BUDGET[kind];
    const max = this.o[b.limit];
    if (this.spent.over === undefined && this.spent[kind] + n > max) {
      const noun = max === 1 ? kind.slice(0, -1) : kind;
      const shown = kind === 'bytes' ? `${bytes(max)} read` : `${max.toLocaleString('en-US')} ${noun}`;
      const next = Math.max(1, Math.ceil((2 * max) / b.unit));
      this.spent.over = new ConnectorError(
        `${this.o.vendor.name}: this poll went over its budget of ${shown} (a tenant this large needs the instance option ${b.option}=${next} or more)`,
        'budget',
      );
    }
    if (this.spent.over) throw this.spent.over;
    this.spent[kind] += n;
  }

  /** Count items a paged list collected against the poll's budget (before keeping them). */
  collected(n: number): void {
    this.spend('items', n);
  }

  url(pathOrUrl: string, query?: Record<string, string | number>): URL {
    const url = new URL(/^https?:\/\//.test(pathOrUrl) ? pathOrUrl : this.baseUrl + pathOrUrl);
    // Follow only links to the instance we were configured for: never send credentials elsewhere.
    if (url.origin !== this.origin)
      this.fail(`${this.o.vendor.name} sent a link to another host (${url.host})`, 'malformed');
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, String(v));
    return url;
  }

  private timeLeft(): number {
    return this.o.deadline === undefined ? Number.POSITIVE_INFINITY : this.o.deadline - this.clock.now();
  }

  async get(pathOrUrl: string, query?: Record<string, string | number>): Promise<HttpResponse> {
    return this.request('GET', pathOrUrl, query);
  }

  /** POST a JSON body (GitHub's GraphQL endpoint): paced, retried and budgeted as any request. */
  async postJson(pathOrUrl: string, json: unknown): Promise<HttpResponse> {
    return this.request('POST', pathOrUrl, undefined, new JsonBody(json));
  }

  async request(
    method: 'GET' | 'POST',
    pathOrUrl: string,
    query?: Record<string, string | number>,
    form?: Record<string, string> | JsonBody,
    raw?: RawBody,
  ): Promise<HttpResponse> {
    const url = this.url(pathOrUrl, query);
    // Failures (network, 5xx) spend the retries; a rate-limit wait or a token refresh does not.
    let failures = 0;
    let rateWaits = 0;
    let refreshed = false;
    for (;;) {
      const res = await this.once(method, url, form, raw);
      if ('retry' in res) {
        if (++failures > this.o.retries)
          this.fail(
            `${this.o.vendor.name} did not answer (${url.host}: ${res.retry}, ${failures} attempts)`,
            'network',
          );
        await this.backoff(failures);
        continue;
      }
      if (res.status >= 200 && res.status < 300) return raw ? res : this.parse(res);

      const body = raw ? res.body : tryJson(res.body as string);
      const parsed: HttpResponse = { ...res, body };
      const wait = this.o.vendor.rateLimitWait(parsed, this.clock.now());
      if (wait !== undefined) {
        const until = new Date(this.clock.now() + wait).toISOString();
        if (rateWaits >= MAX_RATE_LIMIT_WAITS || wait > this.timeLeft())
          this.fail(`rate limited by ${this.o.vendor.name} until ${until}`, 'rate_limited', res.status);
        rateWaits++;
        await this.clock.sleep(wait);
        continue;
      }
      if (res.status === 401 && this.o.refresh && !refreshed) {
        refreshed = true;
        if (await this.o.refresh()) continue;
      }
      const fault = raw?.finalFaults === true && this.o.vendor.readError(body) !== undefined;
      if (RETRYABLE_STATUS.has(res.status) && !fault && ++failures <= this.o.retries) {
        await this.backoff(failures);
        continue;
      }
      const vendorError = this.o.vendor.readError(body);
      const detail = vendorError?.line ?? statusText(res.status);
      const kind: ErrorKind =
        res.status === 401
          ? 'auth'
          : res.status === 403
            ? 'forbidden'
            : res.status === 404
              ? 'not_found'
              : 'http';
      this.fail(`${this.o.vendor.name} ${res.status}: ${oneLine(detail)}`, kind, res.status, vendorError);
    }
  }

  private async backoff(attempt: number): Promise<void> {
    const ms = this.o.retryBaseMs * 2 ** (attempt - 1);
    if (ms > this.timeLeft())
      this.fail(`${this.o.vendor.name} kept failing and the poll ran out of time`, 'network');
    await this.clock.sleep(ms);
  }

  private parse(res: HttpResponse): HttpResponse {
    const text = res.body as string;
    const type = header(res.headers, 'content-type') ?? '';
    try {
      return { ...res, body: JSON.parse(text) };
    } catch {
      const what = type.includes('html')
        ? 'an HTML page instead of JSON'
        : text.length === 0
          ? 'an empty body instead of JSON'
          : 'malformed or truncated JSON';
      this.fail(`${this.o.vendor.name} returned ${what} (${new URL(res.url).pathname})`, 'malformed');
    }
  }

  private async once(
    method: 'GET' | 'POST',
    url: URL,
    form?: Record<string, string> | JsonBody,
    raw?: RawBody,
  ): Promise<HttpResponse | { retry: string }> {
    this.spend('requests', 1);
    this.requests++;
    const timeout = Math.max(1, Math.min(this.o.requestTimeoutMs, this.timeLeft()));
    let tooLarge: 'body' | 'poll' | undefined;
    const headers = {
      accept: raw ? raw.contentType : 'application/json',
      ...this.o.vendor.headers,
      ...(await this.o.auth()),
      ...(raw ? { 'content-type': raw.contentType, ...raw.headers } : {}),
    };
    const req = client(url, {
      method,
      headers,
      ...(form instanceof JsonBody ? { json: form.value } : form ? { form } : {}),
      ...(raw ? { body: raw.text } : {}),
      // `request` caps the whole exchange, so a server trickling bytes cannot hold us past it.
      timeout: { connect: Math.min(10_000, timeout), request: timeout },
      ...(this.ca ? { https: { rejectUnauthorized: true, certificateAuthority: this.ca } } : {}),
    });
    // What this poll may still read: a body that would go over it is cut off like an oversized one.
    const pollLeft = this.o.maxPollBytes - this.spent.bytes;
    req.on('downloadProgress', (p) => {
      // A declared length over the cap is refused before its body is read.
      const size = Math.max(p.transferred, p.total ?? 0);
      if (size > this.o.maxBodyBytes || size > pollLeft) {
        tooLarge = size > this.o.maxBodyBytes ? 'body' : 'poll';
        req.cancel();
      }
    });
    try {
      const r = await req;
      const status = statusOf.get(r) ?? r.statusCode;
      this.spend('bytes', r.rawBody?.byteLength ?? Buffer.byteLength(r.body));
      this.o.onResponse?.({ status, headers: r.headers });
      return { status, headers: r.headers, body: r.body, url: r.url };
    } catch (error) {
      if (error instanceof ConnectorError) throw error;
      if (tooLarge === 'poll') this.spend('bytes', pollLeft + 1);
      if (tooLarge)
        this.fail(
          `${this.o.vendor.name} sent a response over ${bytes(this.o.maxBodyBytes)} (${url.pathname}); refused`,
          'malformed',
        );
      if (error instanceof RequestError) {
        const code = error.code;
        const why: Record<string, string> = {
          ETIMEDOUT: `no complete answer within ${this.o.requestTimeoutMs} ms`,
          ECONNRESET: 'connection reset',
          ECONNREFUSED: 'connection refused',
          EPIPE: 'connection closed',
          ERR_BODY_PARSE_FAILURE: 'unreadable body',
        };
        if (why[code]) {
          if (code === 'ETIMEDOUT' && this.timeLeft() <= 0)
            this.fail(`${this.o.vendor.name} did not answer in time`, 'network');
          return { retry: why[code] };
        }
        if (TLS_CODES.test(code))
          this.fail(
            `${this.o.vendor.name}'s TLS certificate at ${url.host} is not trusted (${oneLine(error.message)}); if it is signed by a private CA, set the instance's CA file`,
            'tls',
          );
        this.fail(`cannot reach ${this.o.vendor.name} at ${url.host}: ${oneLine(error.message)}`, 'network');
      }
      throw error;
    }
  }
}

// Node's certificate verification failures (self-signed, unknown issuer, expired, wrong host name…).
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS/;

function bytes(n: number): string {
  return n >= 1048576
    ? `${+(n / 1048576).toFixed(1)} MB`
    : n >= 1024
      ? `${+(n / 1024).toFixed(1)} KB`
      : `${n} bytes`;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function statusText(status: number): string {
  const t: Record<number, string> = {
    400: 'bad request',
    401: 'authentication failed',
    403: 'forbidden',
    404: 'not found',
    429: 'too many requests',
    500: 'server error',
    502: 'bad gateway',
    503: 'service unavailable',
    504: 'gateway timeout',
  };
  return t[status] ?? 'unexpected response';
}

function oneLine(s: string): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
