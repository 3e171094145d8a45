import { Box, Text } from 'ink';
import { memo } from 'react';
import { APP_LABELS, type Instance, STATE_LABELS, type StoreDoc } from '../../domain/schemas.js';
import type { Action } from '../../domain/scoring.js';
import { healthOf } from '../../domain/instances.js';
import { cell, fitCells } from '../../text/cells.js';
import { ago, percent, points } from '../../text/format.js';
import { matchParts } from '../../text/highlight.js';
import { sanitize } from '../../text/sanitize.js';
import type { AppRow } from '../model.js';
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
  mark,
}: {
  text: string;
  selected: boolean;
  color?: string;
  /** The filter's text: its matches are drawn in reverse of the row (inverse, or plain on the selection). */
  mark?: string | undefined;
}) {
  const safe = sanitize(text);
  if (!mark)
    return (
      <Text inverse={selected} {...(color && !selected ? { color } : {})} wrap="truncate-end">
        {safe}
      </Text>
    );
  return (
    <Text {...(color && !selected ? { color } : {})} wrap="truncate-end">
      {matchParts(safe, sanitize(mark)).map((p, i) => (
        <Text key={i} inverse={selected !== p.hit} underline={p.hit}>
          {p.text}
        </Text>
      ))}
    </Text>
  );
});

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

export function appHeader(width: number): string {
  const fixed = 12 + 11 + 12 + 12 + 10;
  return [
    fitCells('App', Math.max(12, width - fixed)),
    fitCells('Instances', 12),
    fitCells('Health', 11),
    fitCells('Last poll', 12),
    fitCells('Score', 9, 'right'),
  ].join(' ');
}

export function instanceLine(i: Instance, doc: StoreDoc, width: number, now: number): string {
  const rec = i.recommendations ? 'On' : 'Off';
  const single =
    doc.settings.instanceMode === 'single' && doc.settings.secureScoreInstance[i.app] === i.id ? '*' : ' ';
  const rest = 10 + 8 + 12 + 6 + 4;
  const name = Math.max(14, Math.floor((width - rest) * 0.45));
  const url = Math.max(10, width - rest - name);
  return [
    cell(i.name, name),
    cell(i.baseUrl, url),
    fitCells(healthOf(i, now), 6),
    fitCells(ago(i.lastPoll?.at, now), 10),
    fitCells(`${rec}${single}`, 5),
  ].join(' ');
}

export function instanceHeader(width: number): string {
  const rest = 10 + 8 + 12 + 6 + 4;
  const name = Math.max(14, Math.floor((width - rest) * 0.45));
  const url = Math.max(10, width - rest - name);
  return [
    fitCells('Instance', name),
    fitCells('Endpoint', url),
    fitCells('Health', 6),
    fitCells('Last poll', 10),
    'Recs ',
  ].join(' ');
}

/**
 * Columns of the Recommended actions table. Narrow terminals drop the product column (the
 * instance's name carries it) and shorten severity, so the title keeps room; wide ones add the result.
 */
export function actionColumns(width: number) {
  const narrow = width < 99; // below a 100-column terminal
  const wide = width >= 110;
  const fixed = 5 + (narrow ? 0 : 11) + (wide ? 9 : 0) + 9 + 15 + (narrow ? 5 : 9);
  const flexible = Math.max(30, width - fixed);
  const instance = Math.max(12, Math.floor(flexible * 0.38));
  const title = Math.max(16, flexible - instance - 1);
  return { narrow, wide, title, instance };
}

const SEVERITY_SHORT = { critical: 'crit', high: 'high', medium: 'med', low: 'low' } as const;

export function actionLine(a: Action, width: number): string {
  const c = actionColumns(width);
  const pts = a.achieved === null ? `–/${points(a.max)}` : `${points(a.achieved)}/${points(a.max)}`;
  const status = a.unverified ? `${STATE_LABELS[a.state]}*` : STATE_LABELS[a.state];
  return [
    fitCells(String(a.rank), 4, 'right'),
    cell(a.control.title, c.title),
    ...(c.narrow ? [] : [fitCells(APP_LABELS[a.instance.app], 10)]),
    cell(a.instance.name, c.instance),
    ...(c.wide ? [fitCells(a.result.outcome, 8)] : []),
    fitCells(pts, 8, 'right'),
    fitCells(status, 14),
    c.narrow ? fitCells(SEVERITY_SHORT[a.control.severity], 4) : fitCells(a.control.severity, 8),
  ].join(' ');
}

export function actionHeader(width: number): string {
  const c = actionColumns(width);
  return [
    fitCells('#', 4, 'right'),
    fitCells('Title', c.title),
    ...(c.narrow ? [] : [fitCells('Product', 10)]),
    fitCells('Instance', c.instance),
    ...(c.wide ? [fitCells('Result', 8)] : []),
    fitCells('Points', 8, 'right'),
    fitCells('Status', 14),
    c.narrow ? fitCells('Sev', 4) : fitCells('Severity', 8),
  ].join(' ');
}

// Memoised: moving the selection re-renders two rows, not the whole window.
export const ActionRow = memo(function ActionRow({
  a,
  selected,
  width,
  mark,
}: {
  a: Action;
  selected: boolean;
  width: number;
  mark?: string | undefined;
}) {
  const t = useTheme();
  const color =
    a.state === 'completed'
      ? t.ok
      : (stateColor(t, a.state) ??
        (a.control.severity === 'critical' ? severityColor(t, 'critical') : undefined));
  return <Row text={actionLine(a, width)} selected={selected} mark={mark} {...(color ? { color } : {})} />;
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
