import chalk from 'chalk';
import { Box, Text, useIsScreenReaderEnabled } from 'ink';
import { memo } from 'react';
import { APP_LABELS, type Instance, STATE_LABELS, type StoreDoc } from '../../domain/schemas.js';
import type { Action } from '../../domain/scoring.js';
import { DESCENDING, type SortKey } from '../../domain/action-filter.js';
import { healthOf } from '../../domain/instances.js';
import { cell, fitCells, truncate, width as cellWidth } from '../../text/cells.js';
import { ago, percent, points } from '../../text/format.js';
import { matchParts, type Part } from '../../text/highlight.js';
import { sanitize } from '../../text/sanitize.js';
import { type ColumnSort, type SortedList, sortArrow } from '../column-sort.js';
import { lastCall } from '../memo.js';
import { type AppRow, countsInMode } from '../model.js';
import { severityColor, stateColor, useTheme } from '../theme.js';

/**
 * One list row: a single <Text> (cheap for Ink to lay out), inverse when selected. Its text is
 * built from sanitized parts; it passes the sanitizer again here, the last step before the
 * terminal, so that a part someone forgets cannot reach it (plain ASCII costs one test).
 */
export const Row = memo(function Row({
  text,
  selected,
  color,
  dim,
  mark,
}: {
  text: string;
  selected: boolean;
  color?: string;
  /** Shown but not counted (an instance single-instance mode leaves out). */
  dim?: boolean;
  /** The filter's text: its matches are drawn in reverse of the row (inverse, or plain on the selection). */
  mark?: string | undefined;
}) {
  const safe = sanitize(text);
  // A screen reader gets Ink's own elements: it reads the text without the styles.
  const reader = useIsScreenReaderEnabled();
  if (!mark)
    return (
      <Text
        inverse={selected}
        dimColor={dim ?? false}
        {...(color && !selected ? { color } : {})}
        wrap="truncate-end"
      >
        {safe}
      </Text>
    );
  const parts = matchParts(safe, sanitize(mark));
  return (
    <Text dimColor={dim ?? false} {...(color && !selected ? { color } : {})} wrap="truncate-end">
      {reader
        ? parts.map((p, i) => (
            <Text key={i} inverse={selected !== p.hit} underline={p.hit}>
              {p.text}
            </Text>
          ))
        : markedText(parts, selected)}
    </Text>
  );
});

/**
 * A row's parts styled as Ink styles a <Text inverse underline> child (underline, then inverse),
 * as one string: the same text reaches the terminal, without two React elements and an Ink
 * node per part to make, lay out and throw away at every filter key (each changes every row).
 */
function markedText(parts: readonly Part[], selected: boolean): string {
  let text = '';
  for (const p of parts) {
    const underlined = p.hit ? chalk.underline(p.text) : p.text;
    text += selected !== p.hit ? chalk.inverse(underlined) : underlined;
  }
  return text;
}

export function Header({ text }: { text: string }) {
  const t = useTheme();
  return (
    <Text bold {...(t.muted ? { color: t.muted } : {})} wrap="truncate-end">
      {text}
    </Text>
  );
}

interface WindowProps<T> {
  rows: readonly T[];
  start: number;
  height: number;
  selected: number;
  render: (row: T, selected: boolean, index: number) => React.ReactNode;
  empty: string;
}

/** Render rows [start, start + height) only: lists never hand Ink more than fits. */
export function Window<T>({ rows, start, height, selected, render, empty }: WindowProps<T>) {
  if (rows.length === 0) return <Text>{empty}</Text>;
  return (
    <Box flexDirection="column">
      {rows.slice(start, start + height).map((r, i) => render(r, start + i === selected, start + i))}
    </Box>
  );
}

/**
 * Where a window is in its list, for a title: "1–18 of 61 · 43 more ↓". Empty when everything
 * shows, so a list that does not scroll says nothing.
 */
export function scrollNote(start: number, shown: number, total: number): string {
  if (total <= shown) return '';
  const last = Math.min(total, start + shown);
  const below = total - last;
  return `${start + 1}–${last} of ${total}${below > 0 ? ` · ${below} more ↓` : ' ↑'}`;
}

/** A column header over a window of rows; `height` counts the rows, the header is extra. */
export function Table<T>({ header, ...window }: WindowProps<T> & { header: string }) {
  return (
    <Box flexDirection="column" height={window.height + 1}>
      <Header text={header} />
      <Window {...window} />
    </Box>
  );
}

export function appLine(r: AppRow, width: number, now: number): string {
  const h = r.health;
  const health = h.error
    ? `${h.error} error`
    : h.stale
      ? `${h.stale} stale`
      : h.never === r.instances
        ? 'not polled'
        : 'ok';
  const fixed = 12 + 11 + 12 + 12 + 10;
  return [
    fitCells(r.label, Math.max(12, width - fixed)),
    fitCells(`${r.instances} (${r.counted} on)`, 12),
    fitCells(health, 11),
    fitCells(ago(r.lastPoll, now), 12),
    fitCells(percent(r.score), 9, 'right'),
  ].join(' ');
}

/** The arrow of a sorted column of Connected apps or the drawer ('' on the others). */
const columnMark = (list: SortedList, sort: ColumnSort | undefined) => (column: number) =>
  sort?.column === column ? sortArrow(list, sort) : '';

export function appHeader(width: number, sort?: ColumnSort): string {
  const fixed = 12 + 11 + 12 + 12 + 10;
  const m = columnMark('apps', sort);
  return [
    label('App', Math.max(12, width - fixed), m(0)),
    label('Instances', 12, m(1)),
    label('Health', 11, m(2)),
    label('Last poll', 12, m(3)),
    label('Score', 9, m(4), 'right'),
  ].join(' ');
}

export function instanceLine(i: Instance, doc: StoreDoc, width: number, now: number): string {
  // Single-instance mode: the main instance is starred; another's On is bracketed, not counted.
  const single = doc.settings.instanceMode === 'single';
  const counts = countsInMode(doc, i);
  const rec = i.recommendations ? 'On' : 'Off';
  const recs = !single ? rec : counts ? `${rec}*` : `(${rec})`;
  const rest = 10 + 8 + 12 + 7 + 4;
  const name = Math.max(14, Math.floor((width - rest) * 0.45));
  const url = Math.max(10, width - rest - name);
  return [
    cell(i.name, name),
    cell(i.baseUrl, url),
    fitCells(healthOf(i, now), 7),
    fitCells(ago(i.lastPoll?.at, now), 10),
    fitCells(recs, 5),
  ].join(' ');
}

export function instanceHeader(width: number, sort?: ColumnSort): string {
  const rest = 10 + 8 + 12 + 7 + 4;
  const name = Math.max(14, Math.floor((width - rest) * 0.45));
  const url = Math.max(10, width - rest - name);
  const m = columnMark('drawer', sort);
  return [
    label('Instance', name, m(0)),
    label('Endpoint', url, m(1)),
    label('Health', 7, m(2)),
    label('Last poll', 10, m(3)),
    label('Recs', 5, m(4)),
  ].join(' ');
}

/** How wide the listed actions' texts are: columns take what their longest text needs, no more. */
export interface ActionTexts {
  title: number;
  instance: number;
  points: number;
  status: number;
}

const pointsText = (a: Action) =>
  a.achieved === null ? `–/${points(a.max)}` : `${points(a.achieved)}/${points(a.max)}`;
const statusText = (a: Action) => (a.unverified ? `${STATE_LABELS[a.state]}*` : STATE_LABELS[a.state]);

/** Measured once per document: the console passes all the actions, whatever the filter shows. */
export const actionTexts = lastCall((rows: readonly Action[]): ActionTexts => {
  const t = { title: 5, instance: 8, points: 6, status: 6 };
  // Each typed filter character makes a new list of up to 30,000 rows: what a row's width depends
  // on (its control, its instance, its points) has few distinct values, each measured once.
  for (const a of rows) {
    t.title = Math.max(t.title, widthOf(titleWidths, a.control, a.control.title));
    t.instance = Math.max(t.instance, widthOf(nameWidths, a.instance, a.instance.name));
    const achieved = a.achieved === null ? 1 : pointsLength(a.achieved);
    t.points = Math.max(t.points, achieved + 1 + pointsLength(a.max));
    t.status = Math.max(t.status, STATE_LABELS[a.state].length + (a.unverified ? 1 : 0));
  }
  return t;
});

const titleWidths = new Map<object, number>();
const nameWidths = new Map<object, number>();
const pointsLengths = new Map<number, number>();
function widthOf(cache: Map<object, number>, key: object, text: string): number {
  let w = cache.get(key);
  if (w === undefined) {
    if (cache.size >= 20_000) cache.clear(); // instances are replaced as the store changes
    cache.set(key, (w = cellWidth(sanitize(text))));
  }
  return w;
}
function pointsLength(n: number): number {
  let l = pointsLengths.get(n);
  if (l === undefined) {
    if (pointsLengths.size >= 20_000) pointsLengths.clear();
    pointsLengths.set(n, (l = points(n).length));
  }
  return l;
}

export interface ActionTableOptions {
  /** Every column, however narrow the terminal (ctrl-w). */
  wide?: boolean;
  /** The listed texts' widths; without them, columns take their usual widths. */
  texts?: ActionTexts;
}

/**
 * Columns of the Recommended actions table. Narrow terminals drop the product column (the
 * instance's name carries it) and shorten severity, so the title keeps room; wide ones, or wide
 * mode, add the result. Fixed columns are as wide as their longest text (the header's arrow
 * included), and the title and the instance share the rest: what one does not need, the other gets.
 */
export function actionColumns(width: number, opts: ActionTableOptions = {}) {
  const wideMode = opts.wide ?? false;
  const narrow = !wideMode && width < 99; // below a 100-column terminal
  const wide = wideMode || width >= 110;
  const t = opts.texts ?? { title: 200, instance: 200, points: 8, status: 14 };
  const pts = Math.min(11, Math.max(7, t.points));
  // Wide mode shows whole statuses ("Resolved through alternate mitigation").
  const status = Math.min(wideMode ? 38 : 14, Math.max(7, t.status));
  const sev = narrow ? 4 : 9;
  const count = 6 + (narrow ? 0 : 1) + (wide ? 1 : 0);
  const fixed = 4 + (narrow ? 0 : 10) + (wide ? 8 : 0) + pts + status + sev + (count - 1);
  const flexible = Math.max(wideMode ? 20 : 30, width - fixed);
  let instance = Math.min(t.instance, Math.max(12, Math.floor(flexible * 0.38)));
  let title = flexible - instance - 1;
  if (title > t.title) {
    instance = Math.min(t.instance, instance + title - t.title);
    title = flexible - instance - 1;
  }
  return {
    narrow,
    wide,
    title: Math.max(8, title),
    instance: Math.max(6, instance),
    points: pts,
    status,
    sev,
  };
}

const SEVERITY_SHORT = { critical: 'crit', high: 'high', medium: 'med', low: 'low' } as const;

export function actionLine(a: Action, width: number, opts: ActionTableOptions = {}): string {
  const c = actionColumns(width, opts);
  return [
    fitCells(String(a.rank), 4, 'right'),
    cell(a.control.title, c.title),
    ...(c.narrow ? [] : [fitCells(APP_LABELS[a.instance.app], 10)]),
    cell(a.instance.name, c.instance),
    ...(c.wide ? [fitCells(a.result.outcome === 'not_applicable' ? 'n/a' : a.result.outcome, 8)] : []),
    fitCells(pointsText(a), c.points, 'right'),
    fitCells(statusText(a), c.status),
    c.narrow ? fitCells(SEVERITY_SHORT[a.control.severity], c.sev) : fitCells(a.control.severity, c.sev),
  ].join(' ');
}

/** Whether the column's arrow points down: its values run from the largest to the smallest. */
const arrow = (sort: SortKey, reverse: boolean) => (DESCENDING[sort] !== reverse ? '↓' : '↑');

/** A header's label with the sort arrow, the label cut rather than the arrow. */
function label(text: string, cells: number, marked: string, align: 'left' | 'right' = 'left'): string {
  return fitCells(marked ? `${truncate(text, cells - 1)}${marked}` : text, cells, align);
}

export function actionHeader(
  width: number,
  opts: ActionTableOptions & { sort?: SortKey; reverse?: boolean } = {},
): string {
  const c = actionColumns(width, opts);
  const m = (k: SortKey) => (opts.sort === k ? arrow(k, opts.reverse ?? false) : '');
  return [
    label('#', 4, m('rank'), 'right'),
    label('Title', c.title, m('title')),
    ...(c.narrow ? [] : [label('Product', 10, m('product'))]),
    label('Instance', c.instance, m('instance')),
    ...(c.wide ? [label('Result', 8, m('result'))] : []),
    label('Points', c.points, m('points'), 'right'),
    label('Status', c.status, m('status')),
    label(c.narrow ? 'Sev' : 'Severity', c.sev, m('severity')),
  ].join(' ');
}

/** "points ↓": the sort, said in a title (a narrow table may not show the sorted column). */
export const sortLabel = (sort: SortKey, reverse: boolean) => `${sort} ${arrow(sort, reverse)}`;

// Memoised: moving the selection re-renders two rows, not the whole window.
export const ActionRow = memo(function ActionRow({
  a,
  selected,
  width,
  options,
  mark,
}: {
  a: Action;
  selected: boolean;
  width: number;
  options?: ActionTableOptions;
  mark?: string | undefined;
}) {
  const t = useTheme();
  const color =
    a.state === 'completed'
      ? t.ok
      : (stateColor(t, a.state) ??
        (a.control.severity === 'critical' ? severityColor(t, 'critical') : undefined));
  return (
    <Row text={actionLine(a, width, options)} selected={selected} mark={mark} {...(color ? { color } : {})} />
  );
});

export function SafeText({
  children,
  color,
  bold,
}: {
  children: unknown;
  color?: string | undefined;
  bold?: boolean;
}) {
  return (
    <Text {...(color ? { color } : {})} {...(bold ? { bold } : {})} wrap="truncate-end">
      {sanitize(children)}
    </Text>
  );
}
