/**
 * A line cut into the parts that match a filter's text and those that do not, case-insensitively,
 * for drawing the matches in a list's rows. Every occurrence on the line is a match: what the
 * filter found is what the eye finds.
 */
export interface Part {
  text: string;
  hit: boolean;
}

export function matchParts(line: string, query: string): Part[] {
  if (!query) return [{ text: line, hit: false }];
  const parts: Part[] = [];
  // Lower-casing keeps the length of all but a few scripts' letters; where it would not, no marks.
  const lower = line.toLowerCase();
  const q = query.toLowerCase();
  if (lower.length !== line.length) return [{ text: line, hit: false }];
  let from = 0;
  for (let at = lower.indexOf(q); at >= 0 && q; at = lower.indexOf(q, at + q.length)) {
    if (at > from) parts.push({ text: line.slice(from, at), hit: false });
    parts.push({ text: line.slice(at, at + q.length), hit: true });
    from = at + q.length;
  }
  if (from < line.length) parts.push({ text: line.slice(from), hit: false });
  return parts;
}
