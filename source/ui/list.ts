/** The first visible row of a window of `height` rows that keeps `selected` in view. */
export function windowStart(count: number, selected: number, height: number, previous = 0): number {
  if (height <= 0 || count <= height) return 0;
  let start = Math.min(previous, count - height);
  // Leaving the window scrolls by half a page, not one row: most moves then redraw two rows
  // instead of every row (bytes matter over SSH).
  const jump = Math.max(1, Math.floor(height / 2));
  if (selected < start) start = selected - (start - selected >= height ? 0 : jump - 1);
  if (selected >= start + height)
    start = selected - height + (selected - start - height >= height ? 1 : jump);
  return Math.max(0, Math.min(start, count - height));
}
