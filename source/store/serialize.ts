import type { StoreDoc } from '../domain/schemas.js';

/*
 * The state file's text, made without stringifying again what did not change. A commit replaces
 * what it touches and shares the rest with the document before it (immer's copy-on-write; the
 * poller freezes the results it stores), so an instance's results that are the same object as at
 * the last commit are the same text: kept by (frozen) object, and forgotten with the object.
 */
const texts = new WeakMap<object, string>();

function cached(value: unknown): string {
  // Only frozen objects: the document is otherwise mutable outside a commit, and a text kept for
  // an object changed in place would be stale.
  if (typeof value !== 'object' || value === null || !Object.isFrozen(value)) return JSON.stringify(value);
  let text = texts.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    texts.set(value, text);
  }
  return text;
}

/** `JSON.stringify({ version, commit, ...doc })`, the same text, by parts. */
export function serializeState(doc: StoreDoc, commit: number): string {
  const parts: string[] = [`"version":${JSON.stringify(doc.version)}`, `"commit":${commit}`];
  for (const [key, value] of Object.entries(doc)) {
    if (key === 'version' || value === undefined) continue;
    if (key === 'results' || key === 'instances') {
      // Per entry: one instance's change re-stringifies that instance only.
      const inner = Array.isArray(value)
        ? `[${value.map(cached).join(',')}]`
        : `{${Object.entries(value as Record<string, unknown>)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => `${JSON.stringify(k)}:${cached(v)}`)
            .join(',')}}`;
      parts.push(`${JSON.stringify(key)}:${inner}`);
    } else parts.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
  }
  return `{${parts.join(',')}}`;
}
