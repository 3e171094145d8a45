import { type ActionFilter, textPattern } from './action-filter.js';
import { APP_LABELS, STATE_LABELS } from './schemas.js';
import type { Action } from './scoring.js';

/**
 * The `/` text filter of a list of actions, by numbers. The four columns it searches (title,
 * product, instance, status) have few distinct values (a fleet lists 30,000 actions over 61
 * controls and 2,000 instances): each row's values are numbered once per list, so that a typed
 * character tests each distinct value once and then reads four small numbers per row, instead of
 * looking each row's values up in a map on every key.
 */
export interface TextIndex {
  readonly rows: readonly Action[];
  /** Per column, the distinct values' texts, and each row's value as a number. */
  readonly columns: readonly { readonly texts: readonly string[]; readonly of: Int32Array }[];
}

/** A column's value: its identity (the control, the instance, or the label) and its text. */
interface Column {
  key: (a: Action) => object | string;
  text: (a: Action) => string;
}
const COLUMNS: readonly Column[] = [
  { key: (a) => a.control, text: (a) => a.control.title },
  { key: (a) => APP_LABELS[a.instance.app], text: (a) => APP_LABELS[a.instance.app] },
  { key: (a) => a.instance, text: (a) => a.instance.name },
  { key: (a) => STATE_LABELS[a.state], text: (a) => STATE_LABELS[a.state] },
];

export function textIndex(rows: readonly Action[]): TextIndex {
  const columns = COLUMNS.map(({ key, text }) => {
    const numbers = new Map<object | string, number>();
    const texts: string[] = [];
    const of = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const a = rows[i]!;
      let n = numbers.get(key(a));
      if (n === undefined) {
        numbers.set(key(a), (n = texts.length));
        texts.push(text(a));
      }
      of[i] = n;
    }
    return { texts, of };
  });
  return { rows, columns };
}

/**
 * The positions in `index.rows` of the rows whose shown columns hold `text` (ignoring case, as
 * `filterActions` matches), in order; only among `within` when given (positions of a list this
 * one narrows: a longer text matches a subset of what a text it holds matched).
 */
export function matchingPositions(index: TextIndex, text: string, within?: Int32Array): Int32Array {
  const q = textPattern(text);
  const hits = index.columns.map(({ texts }) => Uint8Array.from(texts, (t) => (q.test(t) ? 1 : 0)));
  const [c0, c1, c2, c3] = index.columns.map((c) => c.of) as [Int32Array, Int32Array, Int32Array, Int32Array];
  const [h0, h1, h2, h3] = hits as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const n = within ? within.length : index.rows.length;
  const out = new Int32Array(n);
  let kept = 0;
  for (let k = 0; k < n; k++) {
    const i = within ? within[k]! : k;
    if (h0[c0[i]!]! | h1[c1[i]!]! | h2[c2[i]!]! | h3[c3[i]!]!) out[kept++] = i;
  }
  return out.subarray(0, kept);
}

/** The filter without its text: what the index's rows are chosen by. */
export const withoutText = (f: ActionFilter): ActionFilter => (f.text ? { ...f, text: '' } : f);
