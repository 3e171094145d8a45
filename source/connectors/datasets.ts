import { z } from 'zod';
import type { Dataset, Gap } from '../domain/rules.js';
import { ConnectorError, type HttpClient, parseLinks } from './http.js';

const MAX_PAGES = 200;

/**
 * A body (or a part of one) that does not match what the connector reads: still a malformed
 * answer, but one a connector may confine to the item it is about (one repository's protection).
 */
export class ShapeError extends ConnectorError {
  constructor(message: string) {
    super(message, 'malformed');
    this.name = 'ShapeError';
  }
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const at = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
  return `${at}: ${issue?.message ?? 'invalid'}`;
}

/** Validate a response body; a body that does not match is an error for the whole instance. */
export function check<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new ShapeError(`unexpected response for ${what}${firstIssue(r.error)}`);
  return r.data;
}

/** A list item that is an object but not of the shape the connector reads, and why. */
export interface Malformed {
  raw: Record<string, unknown>;
  /** The first mismatch, as `at <path>: <message>` (or the message alone). */
  issue: string;
}

/** The items of a list that matched, and the object items that did not. */
export interface Checked<T> {
  items: T[];
  malformed: Malformed[];
}

/**
 * Validate a list item by item: an object item that does not match comes back apart, for the
 * connector to mark unseen, so that one malformed field fails only what depends on it. A body
 * that is not a list, or an item that is not an object (nothing to name it by), fails the list.
 */
export function checkItems<T>(schema: z.ZodType<T>, body: unknown, what: string): Checked<T> {
  const list = check(z.array(z.unknown()), body, what);
  const out: Checked<T> = { items: [], malformed: [] };
  list.forEach((raw, i) => {
    const r = schema.safeParse(raw);
    if (r.success) out.items.push(r.data);
    else if (raw !== null && typeof raw === 'object' && !Array.isArray(raw))
      out.malformed.push({
        raw: raw as Record<string, unknown>,
        issue: firstIssue(r.error).replace(/^:? /, ''),
      });
    else throw new ShapeError(`unexpected response for ${what} at ${i}${firstIssue(r.error)}`);
  });
  return out;
}

/** Every page of a list paged by `Link: <…>; rel="next"` headers (Okta, GitHub), its items counted. */
async function eachLinkedPage(
  client: HttpClient,
  path: string,
  query: Record<string, string | number>,
  what: string,
  onPage: (body: unknown) => number,
): Promise<void> {
  let next: string | undefined = client.url(path, query).href;
  for (let page = 0; next; page++) {
    if (page >= MAX_PAGES) throw new ConnectorError(`${what}: more than ${MAX_PAGES} pages`, 'malformed');
    const res = await client.get(next);
    client.collected(onPage(res.body));
    next = parseLinks(res.headers.link).next;
  }
}

/** A list paged by Link headers whose every item must match: one that does not fails the list. */
export async function linkPaged<T>(
  client: HttpClient,
  path: string,
  query: Record<string, string | number>,
  schema: z.ZodType<T[]>,
  what: string,
): Promise<T[]> {
  const items: T[] = [];
  await eachLinkedPage(client, path, query, what, (body) => {
    const page = check(schema, body, what);
    items.push(...page);
    return page.length;
  });
  return items;
}

/** A list paged by Link headers, checked item by item (checkItems). */
export async function linkPagedItems<T>(
  client: HttpClient,
  path: string,
  query: Record<string, string | number>,
  item: z.ZodType<T>,
  what: string,
): Promise<Checked<T>> {
  const out: Checked<T> = { items: [], malformed: [] };
  await eachLinkedPage(client, path, query, what, (body) => {
    const page = checkItems(item, body, what);
    out.items.push(...page.items);
    out.malformed.push(...page.malformed);
    return page.items.length + page.malformed.length;
  });
  return out;
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
