/**
 * A string as an SQL literal, the one escape of every literal we inline: the same text as
 * node-postgres' `escapeLiteral` gives, quotes doubled, and when it holds a backslash, backslashes
 * doubled in an E'' literal. pg copies the string a character at a time (a rope of as many pieces,
 * flattened when sent); a poll's results are tens of KB of JSON, inlined in its commit's
 * statements: two native replaces are about six times faster and leave one flat string.
 */
export function sqlLiteral(text: string): string {
  const quoted = text.replaceAll("'", "''");
  return text.includes('\\') ? ` E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}
