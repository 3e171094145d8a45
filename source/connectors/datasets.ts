import type { z } from 'zod';
import type { Dataset, Gap } from '../domain/rules.js';
import { ConnectorError, type HttpClient, parseLinks } from './http.js';

const MAX_PAGES = 200;

/** Validate a response body; a body that does not match is an error for the whole instance. */
export function check<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const r = schema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0];
    const at = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new ConnectorError(
      `unexpected response for ${what}${at}: ${issue?.message ?? 'invalid'}`,
      'malformed',
    );
  }
  return r.data;
}

/** A list paged by `Link: <…>; rel="next"` headers (Okta, GitHub). */
export async function linkPaged<T>(
  client: HttpClient,
  path: string,
  query: Record<string, string | number>,
  schema: z.ZodType<T[]>,
  what: string,
): Promise<T[]> {
  const items: T[] = [];
  let next: string | undefined = client.url(path, query).href;
  for (let page = 0; next; page++) {
    if (page >= MAX_PAGES) throw new ConnectorError(`${what}: more than ${MAX_PAGES} pages`, 'malformed');
    const res = await client.get(next);
    const got = check(schema, res.body, what);
    client.collected(got.length);
    items.push(...got);
    next = parseLinks(res.headers.link).next;
  }
  return items;
}

/** A 403 or 404: this token may not read it, or the tenant does not have it. Not an outage. */
export function unreadable(error: unknown): error is ConnectorError {
  return error instanceof ConnectorError && (error.kind === 'forbidden' || error.kind === 'not_found');
}

/** Why a 403 or 404 leaves a dataset unavailable; undefined for any other error. */
export function unreadableReason(error: ConnectorError): string | undefined {
  if (!unreadable(error)) return undefined;
  return error.kind === 'forbidden' ? 'the token may not read this' : 'not available on this tenant';
}

export interface DatasetOptions {
  /** The right (role, scope, permission) this dataset needs, named when the credential lacks it. */
  right?: string;
  /**
   * Why an error leaves the dataset unavailable (a reason, or a Gap naming the missing right);
   * undefined for an error that must fail the poll. By default a 403 or 404, and a 403 names `right`.
   */
  why?: (error: ConnectorError) => string | Gap | undefined;
}

/**
 * Read one dataset. An error `why` gives a reason for (by default a 403 or 404) leaves it
 * unavailable, and its controls come out unknown with that reason and the missing right; any
 * other error fails the instance's poll.
 */
export async function dataset(
  read: () => Promise<unknown[]>,
  options: DatasetOptions = {},
): Promise<Dataset> {
  try {
    return { ok: true, items: await read() };
  } catch (error) {
    if (!(error instanceof ConnectorError)) throw error;
    const why = options.why ?? defaultWhy(options.right);
    const gap = why(error);
    if (gap === undefined) throw error;
    const { reason, missing } = typeof gap === 'string' ? { reason: gap, missing: undefined } : gap;
    return { ok: false, reason: `${reason} (${error.message})`, ...(missing ? { missing } : {}) };
  }
}

function defaultWhy(right: string | undefined): (error: ConnectorError) => string | Gap | undefined {
  return (error) => {
    const reason = unreadableReason(error);
    if (reason === undefined) return undefined;
    if (error.kind === 'forbidden' && right)
      return { reason: `the token may not read this: it needs ${right}`, missing: right };
    return reason;
  };
}
