/** Numbers and times as every output writes them: the console, the headless commands and the exports. */

/** A score's percentage, or a dash when nothing counts (structural, so that text/ needs nothing of the domain). */
export function percent(s: { readonly percent: number | null } | undefined): string {
  return s?.percent === null || s?.percent === undefined ? '–' : `${s.percent.toFixed(1)}%`;
}

export function points(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0$/, '');
}

export function ago(iso: string | undefined, now: number): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86_400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86_400)}d ago`;
}
