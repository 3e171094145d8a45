/**
 * One-line text fields (the filter, the command line, the forms) edited as readline edits them.
 * A field is its value and a cursor; the cursor counts characters (code points), not UTF-16 units,
 * so a pasted emoji is stepped over and deleted whole. Undefined means at the end: a field opened
 * with a value is typed on after it.
 */

export interface Field {
  value: string;
  cursor?: number | undefined;
}

/** Where the cursor is, in characters from the start. */
export function cursorOf(f: Field): number {
  const n = [...f.value].length;
  return f.cursor === undefined ? n : Math.max(0, Math.min(f.cursor, n));
}

/** The start of the word before `at` (readline's unix-word-rubout: back over spaces, then non-spaces). */
function wordStart(chars: readonly string[], at: number): number {
  let i = at;
  while (i > 0 && chars[i - 1] === ' ') i--;
  while (i > 0 && chars[i - 1] !== ' ') i--;
  return i;
}

/**
 * Apply one key to a field: a typed character (or `space`) is inserted at the cursor, at most `max`
 * characters in all; editing keys move or delete. Undefined when the key is not a field's key, so
 * the caller may give it another meaning (Enter, Esc, Tab, up/down).
 */
export function editField(f: Field, key: string, max = 200): Field | undefined {
  const chars = [...f.value];
  const at = cursorOf(f);
  const to = (value: readonly string[], cursor: number): Field => ({ value: value.join(''), cursor });
  switch (key) {
    case 'left':
    case 'ctrl+b':
      return to(chars, Math.max(0, at - 1));
    case 'right':
    case 'ctrl+f':
      return to(chars, Math.min(chars.length, at + 1));
    case 'home':
    case 'ctrl+a':
      return to(chars, 0);
    case 'end':
    case 'ctrl+e':
      return to(chars, chars.length);
    case 'backspace':
    case 'ctrl+h':
      return at === 0 ? to(chars, 0) : to([...chars.slice(0, at - 1), ...chars.slice(at)], at - 1);
    case 'delete':
    case 'ctrl+d':
      return to([...chars.slice(0, at), ...chars.slice(at + 1)], at);
    case 'ctrl+u':
      return to(chars.slice(at), 0);
    case 'ctrl+k':
      return to(chars.slice(0, at), at);
    case 'ctrl+w': {
      const from = wordStart(chars, at);
      return to([...chars.slice(0, from), ...chars.slice(at)], from);
    }
    default:
      break;
  }
  const ch = key === 'space' ? ' ' : key;
  if ([...ch].length !== 1 || ch < ' ') return undefined;
  if (chars.length >= max) return to(chars, at);
  return to([...chars.slice(0, at), ch, ...chars.slice(at)], at + 1);
}

/** The field cut at its cursor, for drawing: the text before, the character under it (a space at the end), the rest. */
export function splitAtCursor(f: Field): { before: string; under: string; after: string } {
  const chars = [...f.value];
  const at = cursorOf(f);
  return {
    before: chars.slice(0, at).join(''),
    under: chars[at] ?? ' ',
    after: chars.slice(at + 1).join(''),
  };
}
