/**
 * Where JSON text is broken, said without quoting it. V8's own message echoes the text around
 * the error ("Unexpected token 'x', "{"token": x…" is not valid JSON"), and a file given as a
 * store or key bindings may hold a secret: what it says is never shown.
 */

type Expect = 'value' | 'value-or-]' | 'key' | 'key-or-}' | 'colon' | 'comma-or-close' | 'end';

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;

/** Scan JSON text: the offset and the problem at the first error, or undefined when it is valid. */
function firstError(text: string): { at: number; problem: string } | undefined {
  const stack: string[] = []; // open brackets, scanned without recursion: nesting is unbounded
  let i = 0;
  let expect: Expect = 'value';
  const after = (): Expect => (stack.length > 0 ? 'comma-or-close' : 'end');
  const fail = (problem: string, at = i) => ({ at, problem });
  for (;;) {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
    if (i >= text.length) return expect === 'end' ? undefined : fail('the text ends too early');
    const c = text[i]!;
    switch (expect) {
      case 'end':
        return fail('unexpected text after the value');
      case 'colon':
        if (c !== ':') return fail("expected ':'");
        i++;
        expect = 'value';
        continue;
      case 'comma-or-close': {
        const open = stack[stack.length - 1];
        if (c === ',') {
          i++;
          expect = open === '{' ? 'key' : 'value';
        } else if (c === (open === '{' ? '}' : ']')) {
          i++;
          stack.pop();
          expect = after();
        } else return fail(open === '{' ? "expected ',' or '}'" : "expected ',' or ']'");
        continue;
      }
      case 'key-or-}':
      case 'key': {
        if (c === '}' && expect === 'key-or-}') {
          i++;
          stack.pop();
          expect = after();
          continue;
        }
        if (c !== '"') return fail('expected a property name in double quotes');
        const error = string();
        if (error) return error;
        expect = 'colon';
        continue;
      }
      case 'value-or-]':
      case 'value': {
        if (c === ']' && expect === 'value-or-]') {
          i++;
          stack.pop();
          expect = after();
          continue;
        }
        if (c === '{' || c === '[') {
          stack.push(c);
          i++;
          expect = c === '{' ? 'key-or-}' : 'value-or-]';
          continue;
        }
        if (c === '"') {
          const error = string();
          if (error) return error;
        } else {
          const literal = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
          NUMBER.lastIndex = i;
          const length = literal?.length ?? (NUMBER.test(text) ? NUMBER.lastIndex - i : 0);
          if (length === 0) return fail('unexpected character');
          i += length;
        }
        expect = after();
        continue;
      }
    }
  }

  // A string from its opening quote at i; i ends past its closing quote.
  function string(): { at: number; problem: string } | undefined {
    const start = i++;
    for (;;) {
      if (i >= text.length) return fail('a string is not closed', start);
      const code = text.charCodeAt(i);
      if (code === 0x22) {
        i++;
        return undefined;
      }
      if (code < 0x20) return fail('a control character in a string');
      if (code === 0x5c) {
        const next = text[i + 1];
        if (next === 'u') {
          HEX4.lastIndex = i + 2;
          if (!HEX4.test(text)) return fail('a bad \\u escape');
          i += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) i += 2;
        else return fail('a bad escape');
        continue;
      }
      i++;
    }
  }
}

/** Parse JSON; on a syntax error, throw one that gives the line, the column and the problem only. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new SyntaxError(jsonSyntaxError(text));
  }
}

/** "line 3, column 14: expected ',' or '}'", or "the file is empty". */
export function jsonSyntaxError(text: string): string {
  if (text.trim() === '') return 'the file is empty';
  const error = firstError(text);
  if (!error) return 'not valid JSON'; // JSON.parse and this scanner disagree: say no more
  const before = text.slice(0, error.at);
  const line = before.split('\n').length;
  const column = error.at - (before.lastIndexOf('\n') + 1) + 1;
  return `line ${line}, column ${column}: ${error.problem}`;
}
