import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Nothing is written to a ref while rendering: React may render without committing (and renders
 * twice in strict mode), so a ref written in render can hold what was never shown. A write to
 * `.current` is allowed only inside a function handed to an effect hook or to useCallback (an event
 * handler): those run after a commit or on an event, never during render. Read from the syntax
 * tree, not matched as text.
 */

const AFTER_RENDER = new Set(['useEffect', 'useLayoutEffect', 'useInsertionEffect', 'useCallback']);

/** Whether an assignment target writes through `.current` (`r.current = …`, `r.current[k] = …`). */
function writesCurrent(target: ts.Expression): boolean {
  let e: ts.Expression = target;
  for (;;) {
    if (ts.isPropertyAccessExpression(e)) {
      if (e.name.text === 'current') return true;
      e = e.expression;
    } else if (
      ts.isElementAccessExpression(e) ||
      ts.isParenthesizedExpression(e) ||
      ts.isNonNullExpression(e)
    )
      e = e.expression;
    else return false;
  }
}

function handedToHook(fn: ts.Node): boolean {
  const call = fn.parent;
  if (!call || !ts.isCallExpression(call) || !call.arguments.includes(fn as ts.Expression)) return false;
  const callee = call.expression;
  const name = ts.isIdentifier(callee)
    ? callee.text
    : ts.isPropertyAccessExpression(callee)
      ? callee.name.text
      : '';
  return AFTER_RENDER.has(name);
}

function runsAfterRender(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node; n; n = n.parent)
    if (ts.isFunctionLike(n) && handedToHook(n)) return true;
  return false;
}

/** The `.current` writes that may run during render, as "file:line". */
export function refWritesInRender(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    let target: ts.Expression | undefined;
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      node.operatorToken.kind <= ts.SyntaxKind.LastAssignment
    )
      target = node.left;
    else if (
      (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) &&
      (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)
    )
      target = node.operand;
    else if (ts.isDeleteExpression(node)) target = node.expression;
    if (target && writesCurrent(target) && !runsAfterRender(node))
      found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sources(join(dir, d.name)) : /\.tsx?$/.test(d.name) ? [join(dir, d.name)] : [],
  );
}

describe('refs and render', () => {
  it('finds a ref written in render, in a closure render calls, or in useMemo', () => {
    const bad = `
      function App() {
        const stateRef = useRef(state);
        stateRef.current = state;
        const scroll = useRef({});
        const windowFor = (key) => { scroll.current[key] = 1; };
        const x = useMemo(() => { stateRef.current = 2; }, []);
        return null;
      }`;
    expect(refWritesInRender('bad.tsx', bad)).toEqual(['bad.tsx:4', 'bad.tsx:6', 'bad.tsx:7']);
  });

  it('allows writes in effects and in event handlers', () => {
    const good = `
      function App() {
        const latest = useRef(state);
        useLayoutEffect(() => { latest.current = state; });
        const onInput = useCallback(() => { latest.current = next; }, []);
        useEffect(() => { const f = () => { latest.current.count++; }; f(); }, []);
        return null;
      }`;
    expect(refWritesInRender('good.tsx', good)).toEqual([]);
  });

  it('no module of the console writes a ref during render', () => {
    const root = join(import.meta.dirname, '../../source/ui');
    const found = sources(root).flatMap((f) => refWritesInRender(relative(root, f), readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
  });
});
