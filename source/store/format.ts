import type { ScoreSummary } from '../domain/score-summary.js';

/*
 * The state file (schema version 3) is one JSON document, laid out a part a line so that it can be
 * read a line at a time: the first line holds everything but the results (version, commit,
 * settings, instances, statuses, daily points, alert queue, and each instance's part of the scores),
 * then one line per instance's results, then the closing line:
 *
 *   {"version":3,"commit":7,"settings":{…},"instances":[…],…,"scores":{…},"results":{
 *   "okta-0":{"polledAt":"…","results":[…]},
 *   "okta-1":{"polledAt":"…","results":[…]}
 *   }}
 *
 * A console draws its first frame from the first line (2 MB of 23 at 2,000 instances) and parses
 * the results after it, a slice at a time. Being one document, the whole file parses as JSON too:
 * an older posture reads its version and refuses it in one line, and a file reformatted by hand
 * (no longer a part a line) is read whole. The lines are a fast path that gives what the whole
 * parse gives, or nothing.
 */

/** How the first line ends: the results object opened. */
export const RESULTS_OPEN = ',"results":{';
/** The closing line. */
export const CLOSE = '}}';

/** The file cut into its first line (parsed) and its result lines (not yet parsed). */
export interface StateLines {
  head: Record<string, unknown>;
  /** One instance's results a line, `"id":{…}` with the comma between them removed. */
  lines: string[];
}

/** The file's lines, or undefined when it is not laid out a part a line (read it whole instead). */
export function splitState(text: string): StateLines | undefined {
  const nl = text.indexOf('\n');
  if (nl < 0) return undefined;
  const first = text.slice(0, nl);
  if (!first.endsWith(RESULTS_OPEN)) return undefined;
  let head: unknown;
  try {
    head = JSON.parse(`${first.slice(0, -RESULTS_OPEN.length)}}`);
  } catch {
    return undefined;
  }
  if (typeof head !== 'object' || head === null || Array.isArray(head)) return undefined;
  const lines = text.slice(nl + 1).split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.pop() !== CLOSE) return undefined;
  // A comma after every line but the last: anything else is not the layout we write.
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const last = i === lines.length - 1;
    if (line.endsWith(',') === last || line.length < 2) return undefined;
    if (!last) lines[i] = line.slice(0, -1);
  }
  return { head: head as Record<string, unknown>, lines };
}

/** Parse result lines into `into`; false when one does not parse (read the file whole for why). */
export function parseResultLines(lines: readonly string[], into: Record<string, unknown>): boolean {
  for (const line of lines) if (!parseResultLine(line, into)) return false;
  return true;
}

export function parseResultLine(line: string, into: Record<string, unknown>): boolean {
  let entry: unknown;
  try {
    entry = JSON.parse(`{${line}}`);
  } catch {
    return false;
  }
  // A later key replaces an earlier one, as in the whole parse.
  for (const [k, v] of Object.entries(entry as Record<string, unknown>)) into[k] = v;
  return true;
}

/** Each instance's part of the scores as read from the first line: only what has the summary's shape. */
export function summariesIn(value: unknown): Map<string, ScoreSummary> {
  const out = new Map<string, ScoreSummary>();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const [id, s] of Object.entries(value as Record<string, unknown>)) if (isSummary(s)) out.set(id, s);
  return out;
}

function isSummary(s: unknown): s is ScoreSummary {
  if (typeof s !== 'object' || s === null) return false;
  const { app, sums, counted, catalog, until } = s as Record<string, unknown>;
  if (typeof app !== 'string' || typeof catalog !== 'string' || typeof counted !== 'number') return false;
  if (until !== undefined && typeof until !== 'number') return false;
  if (typeof sums !== 'object' || sums === null) return false;
  const n = sums as Record<string, unknown>;
  return ['achieved', 'possible', 'planned', 'accepted'].every((k) => Number.isFinite(n[k]));
}
