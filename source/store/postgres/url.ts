/** Whether a store location is a PostgreSQL URL (the team back end) rather than a file path. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** The URL as messages show it: without its password (a URL that does not parse is shown as its scheme). */
export function withoutPassword(location: string): string {
  try {
    const url = new URL(location);
    url.password = '';
    return url.toString();
  } catch {
    return `${location.split('//')[0]}//…`;
  }
}
