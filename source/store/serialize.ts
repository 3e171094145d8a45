import type { StoreDoc } from '../domain/schemas.js';

/*
 * The state file's bytes, made without stringifying or encoding again what did not change. A
 * commit replaces what it touches and shares the rest with the document before it (immer's
 * copy-on-write; the poller freezes the results it stores), so an instance's results that are the
 * same object as at the last commit are the same bytes: kept by (frozen) object as UTF-8, and
 * forgotten with the object. At 2,000 instances (23 MB) joining the texts into one string and
 * encoding it again took most of a commit; the pieces are now copied into the file's buffer once.
 */
const encoded = new WeakMap<object, Buffer>();

function cached(value: unknown): Buffer {
  // Only frozen objects: the document is otherwise mutable outside a commit, and bytes kept for
  // an object changed in place would be stale. An array's `undefined` is written as JSON writes it.
  if (typeof value !== 'object' || value === null || !Object.isFrozen(value))
    return Buffer.from(JSON.stringify(value) ?? 'null');
  let bytes = encoded.get(value);
  if (bytes === undefined) {
    bytes = Buffer.from(JSON.stringify(value));
    encoded.set(value, bytes);
  }
  return bytes;
}

/** `JSON.stringify({ version, commit, ...doc })` as UTF-8, by parts. */
export function serializeStateBytes(doc: StoreDoc, commit: number): Buffer {
  const parts: Buffer[] = [];
  let text = `{"version":${JSON.stringify(doc.version)},"commit":${commit}`;
  const piece = (bytes: Buffer) => {
    parts.push(Buffer.from(text), bytes);
    text = '';
  };
  for (const [key, value] of Object.entries(doc)) {
    if (key === 'version' || value === undefined) continue;
    if (key === 'results' || key === 'instances') {
      // Per entry: one instance's change re-stringifies that instance only.
      text += `,${JSON.stringify(key)}:`;
      if (Array.isArray(value)) {
        text += '[';
        value.forEach((v, i) => {
          if (i > 0) text += ',';
          piece(cached(v));
        });
        text += ']';
      } else {
        text += '{';
        let first = true;
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          if (v === undefined) continue;
          text += `${first ? '' : ','}${JSON.stringify(k)}:`;
          first = false;
          piece(cached(v));
        }
        text += '}';
      }
    } else text += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
  }
  parts.push(Buffer.from(`${text}}`));
  return Buffer.concat(parts);
}

/** `JSON.stringify({ version, commit, ...doc })`, the same text. */
export function serializeState(doc: StoreDoc, commit: number): string {
  return serializeStateBytes(doc, commit).toString('utf8');
}
