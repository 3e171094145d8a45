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

/**
 * The first instant after `now` at which `ago(iso, ·)` reads differently: the console re-draws a
 * relative time then, and not before (Infinity when it never changes).
 */
export function agoChangesAt(iso: string | undefined, now: number): number {
  const t = iso ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(t)) return Infinity;
  const s = Math.max(0, Math.round((now - t) / 1000));
  // The next count of seconds whose text differs: each unit's rounding moves at its half.
  const next = (unit: number, cap: number) => Math.min(cap, (Math.round(s / unit) + 0.5) * unit);
  const target =
    s < 60 ? s + 1 : s < 3600 ? next(60, 3600) : s < 86_400 ? next(3600, 86_400) : next(86_400, Infinity);
  // `ago` rounds (now - t) / 1000: it reads `target` from half a second before.
  return t + (target - 0.5) * 1000;
}
