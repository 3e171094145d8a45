import { loadFrameworks } from '../catalog/index.js';
import { APPS, STATES, type StoreDoc } from '../domain/schemas.js';
import { sanitize } from '../text/sanitize.js';

/**
 * The `:` command line's commands and what Tab completes their argument from. runCommand (in
 * controller.ts) runs them; this is the list Tab and the unknown-command message read.
 */
const ARGS: Record<string, ((doc: StoreDoc) => readonly string[]) | undefined> = {
  product: () => APPS,
  instance: (doc) => doc.instances.map((i) => sanitize(i.name)),
  status: () => STATES,
  mode: () => ['single', 'multiple'],
  clear: undefined,
  apps: undefined,
  score: undefined,
  actions: undefined,
  history: undefined,
  framework: () => loadFrameworks().map((f) => f.id),
  q: undefined,
  quit: undefined,
};
export const LINE_COMMANDS = Object.keys(ARGS);

/** The session's command history keeps this many lines. */
export const HISTORY = 100;

/** The history with `line` run last (a repeat of the last line is kept once). */
export function remember(history: readonly string[] | undefined, line: string): readonly string[] {
  const t = line.trim();
  if (!t) return history ?? [];
  return [t, ...(history ?? []).filter((h, i) => i > 0 || h !== t)].slice(0, HISTORY);
}

/** The longest start the candidates share, ignoring case; spelt as the first candidate spells it. */
function sharedStart(candidates: readonly string[]): string {
  const [first = '', ...rest] = candidates;
  let n = first.length;
  for (const c of rest) {
    let i = 0;
    while (i < n && i < c.length && c[i]!.toLowerCase() === first[i]!.toLowerCase()) i++;
    n = i;
  }
  return first.slice(0, n);
}

/** An argument as the command line reads it back: quoted when it holds a space. */
const quoted = (arg: string, whole: boolean) => (/\s/.test(arg) ? `"${arg}${whole ? '"' : ''}` : arg);

/**
 * Tab on the command line: the line completed as far as the candidates agree, and the candidates
 * when more than one remains (none when nothing matches, or when the line is complete).
 */
export function complete(line: string, doc: StoreDoc): { line: string; candidates: readonly string[] } {
  const space = line.search(/\s/);
  if (space < 0) {
    const found = LINE_COMMANDS.filter((c) => c.startsWith(line.toLowerCase()));
    if (found.length === 1) return { line: `${found[0]}${ARGS[found[0]!] ? ' ' : ''}`, candidates: [] };
    return { line: found.length > 1 ? sharedStart(found) : line, candidates: found.length > 1 ? found : [] };
  }
  const name = line.slice(0, space).toLowerCase();
  const list = ARGS[name]?.(doc) ?? [];
  const typed = line.slice(space).trimStart().replace(/^"/, '').replace(/"$/, '').toLowerCase();
  const found = [...new Set(list)].filter((a) => a.toLowerCase().startsWith(typed));
  if (found.length === 0) return { line, candidates: [] };
  if (found.length === 1) return { line: `${name} ${quoted(found[0]!, true)}`, candidates: [] };
  const start = sharedStart(found);
  const longer = start.length > typed.length;
  return { line: longer ? `${name} ${quoted(start, false)}` : line, candidates: found };
}
