import type { StoreDoc } from '../domain/schemas.js';
import type { ScoreSummary } from '../domain/score-summary.js';
import { CLOSE, RESULTS_OPEN } from './format.js';

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

const summaryTexts = new WeakMap<ScoreSummary, string>();

function summaryText(s: ScoreSummary): string {
  let text = summaryTexts.get(s);
  if (text === undefined) {
    text = JSON.stringify(s);
    if (Object.isFrozen(s)) summaryTexts.set(s, text);
  }
  return text;
}

/**
 * The state file (format.ts) as UTF-8 pieces, in order: the version and commit, the document's
 * fields but its results, each instance's part of the scores when given, then its results an
 * instance a line. Joined and parsed, it is `{ version, commit, ...doc, scores }` with the results
 * last. The pieces are written as they are (one gathered write): joined, each commit made one more
 * buffer the size of the file (27 MB at 2,000 instances), which the collector freed late.
 */
export function serializeStateParts(
  doc: StoreDoc,
  commit: number,
  scores?: ReadonlyMap<string, ScoreSummary>,
): Buffer[] {
  const parts: Buffer[] = [];
  let text = `{"version":${JSON.stringify(doc.version)},"commit":${commit}`;
  const piece = (bytes: Buffer) => {
    parts.push(Buffer.from(text), bytes);
    text = '';
  };
  for (const [key, value] of Object.entries(doc)) {
    if (key === 'version' || key === 'results' || value === undefined) continue;
    if (key === 'instances' && Array.isArray(value)) {
      // Per entry: one instance's change re-stringifies that instance only.
      text += `,${JSON.stringify(key)}:[`;
      value.forEach((v, i) => {
        if (i > 0) text += ',';
        piece(cached(v));
      });
      text += ']';
    } else text += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
  }
  if (scores) {
    // Small: one text (a piece each, 2,000 small buffers cost more than they save).
    text += ',"scores":{';
    let first = true;
    for (const [id, s] of scores) {
      text += `${first ? '' : ','}${JSON.stringify(id)}:${summaryText(s)}`;
      first = false;
    }
    text += '}';
  }
  text += `${RESULTS_OPEN}\n`;
  let first = true;
  for (const [k, v] of Object.entries(doc.results)) {
    if (v === undefined) continue;
    text += `${first ? '' : ',\n'}${JSON.stringify(k)}:`;
    first = false;
    piece(cached(v));
  }
  parts.push(Buffer.from(`${text}${first ? '' : '\n'}${CLOSE}\n`));
  return parts;
}

/** `serializeStateParts` joined. */
export function serializeStateBytes(
  doc: StoreDoc,
  commit: number,
  scores?: ReadonlyMap<string, ScoreSummary>,
): Buffer {
  return Buffer.concat(serializeStateParts(doc, commit, scores));
}

/** `serializeStateBytes` as text. */
export function serializeState(
  doc: StoreDoc,
  commit: number,
  scores?: ReadonlyMap<string, ScoreSummary>,
): string {
  return serializeStateBytes(doc, commit, scores).toString('utf8');
}
