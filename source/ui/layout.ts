import { scoreTopLines } from './score-rows.js';
import type { View } from './state.js';

/** How the console's frame divides the terminal: the shell sizes the views, the reducer scrolls them. */

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;

export interface Layout {
  columns: number;
  rows: number;
  /** Below the minimum size nothing but a notice is shown. */
  tooSmall: boolean;
  /** The frame's height: a frame as tall as the terminal makes Ink clear the scrollback. */
  height: number;
  /** Never write into the last column: a full-width line leaves some terminals in a pending wrap. */
  width: number;
  /** The rows between the title and the notices. */
  bodyRows: number;
  /** Rows a list can show under its header. */
  listRows: number;
  /** The lines of an action's page under its tabs. */
  detailRows: number;
}

export function layout(columns: number, rows: number): Layout {
  const height = Math.max(3, rows - 1);
  const bodyRows = Math.max(1, height - 4);
  return {
    columns,
    rows,
    tooSmall: columns < MIN_COLUMNS || rows < MIN_ROWS,
    height,
    width: columns - 1,
    bodyRows,
    listRows: Math.max(1, bodyRows - 1),
    detailRows: bodyRows - 2,
  };
}

/** The History view's score-per-day table: a third of the body, 3 to 8 days. */
export function dailyRows(listRows: number): number {
  return Math.min(8, Math.max(3, Math.floor((listRows + 1) / 3)));
}

/**
 * The Frameworks view's pane under its list: the selected requirement's controls, or how to check
 * it by hand. Left out on a short terminal, where the list needs every row.
 */
export function frameworkPaneRows(listRows: number): number {
  return listRows >= 14 ? 6 : 0;
}

/**
 * The rows of the list window a view shows, from the rows a list can show: the drawer keeps three
 * lines under its list for the selected instance, History puts its list under the daily table, and
 * the Secure Score view scrolls its instances only (`products` is how many rows show above them).
 */
export function windowRows(view: View, listRows: number, products = 0): number {
  if (view === 'drawer') return listRows - 3;
  // The Secure Score view scrolls its instances under its headline, trend and products.
  if (view === 'score') return Math.max(1, listRows + 1 - scoreTopLines(products));
  if (view === 'history') return Math.max(1, listRows + 1 - dailyRows(listRows) - 3);
  if (view === 'frameworks') return listRows - frameworkPaneRows(listRows);
  return listRows;
}
