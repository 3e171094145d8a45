/** Cursor paging over a list, keyed by an item field: the `after` cursor Okta uses. */
export function cursorPage<T>(
  items: readonly T[],
  after: string | null,
  limit: number,
  cursorOf: (item: T) => string,
): { page: T[]; next?: string } {
  let start = 0;
  if (after) {
    const i = items.findIndex((it) => cursorOf(it) === after);
    start = i < 0 ? items.length : i + 1;
  }
  const page = items.slice(start, start + limit);
  const last = page[page.length - 1];
  return start + limit < items.length && last !== undefined ? { page, next: cursorOf(last) } : { page };
}

/** The page size the simulated API uses: the client's `limit`, capped by the tenant's page size. */
export function pageLimit(query: URLSearchParams, fallback: number, cap?: number): number {
  const asked = Number(query.get('limit') ?? query.get('per_page') ?? query.get('sysparm_limit') ?? fallback);
  const n = Number.isInteger(asked) && asked > 0 ? asked : fallback;
  return Math.min(n, cap ?? n);
}
