import { Box, Text } from 'ink';
import type { Catalog } from '../../catalog/index.js';
import { controlAccess, missingRights } from '../../domain/access.js';
import { healthOf } from '../../domain/instances.js';
import { APP_LABELS, type Instance, type StoreDoc } from '../../domain/schemas.js';
import { fitCells, width as cellWidth, wrap } from '../../text/cells.js';
import { ago } from '../../text/format.js';
import { sanitize } from '../../text/sanitize.js';
import { keyLabel, keyOf } from '../hints.js';
import { helpRows, type Keymap, type KeyView } from '../keys.js';
import { LINE_COMMANDS } from '../line-commands.js';
import { adminUrl } from '../../domain/admin-url.js';
import { insightsText } from './panels.js';
import { scrollNote } from './lists.js';
import type { Overlay } from '../state.js';

/**
 * Pages that scroll in an overlay (the help, an instance's details): built as whole lines that fit
 * the width, never cut, then shown a window at a time with a note of how much is below.
 */

/** Rows of keys and what they do: two columns when every text fits in half the width, else one, wrapped. */
export function keyColumns(rows: readonly { keys: string; help: string }[], width: number): string[] {
  // The keys' column is as wide as its longest keys, within reason: longer ones get a line of their own.
  const keys = Math.min(22, Math.max(0, ...rows.map((r) => cellWidth(r.keys))));
  const col = Math.floor((width - 1) / 2);
  const fits = (r: { keys: string; help: string }) => keys + 1 + cellWidth(r.help) <= col;
  if (rows.every(fits)) {
    const half = Math.ceil(rows.length / 2);
    const fmt = (r: (typeof rows)[number] | undefined) =>
      r ? fitCells(`${fitCells(r.keys, keys)} ${r.help}`, col) : '';
    return Array.from({ length: half }, (_, i) => `${fmt(rows[i])} ${fmt(rows[i + half])}`.trimEnd());
  }
  const out: string[] = [];
  for (const r of rows) {
    const alone = cellWidth(r.keys) > keys;
    if (alone) out.push(r.keys);
    wrap(r.help, Math.max(10, width - keys - 1)).forEach((l, i) =>
      out.push(`${i === 0 && !alone ? fitCells(r.keys, keys) : ' '.repeat(keys)} ${l}`),
    );
  }
  return out;
}

/** The keys every text field takes (text-field.ts), and the command line's own. */
export const TEXT_FIELD_KEYS: readonly { keys: string; help: string }[] = [
  { keys: '← → ctrl-b/f', help: 'move the cursor' },
  { keys: 'Home ctrl-a', help: 'start of the field' },
  { keys: 'End ctrl-e', help: 'end of the field' },
  { keys: 'Backspace', help: 'delete before the cursor' },
  { keys: 'Delete ctrl-d', help: 'delete under the cursor' },
  { keys: 'ctrl-w', help: 'delete the word before' },
  { keys: 'ctrl-u / ctrl-k', help: 'delete to the start / end' },
  { keys: 'Tab', help: 'complete a : command' },
  { keys: '↑ ↓ ctrl-p/n', help: 'earlier : commands' },
  { keys: 'Enter / Esc', help: 'apply / cancel' },
];

/**
 * Help for where the console is: the keys that act in this view, every `:` command, the text
 * fields' keys, then the keys of the other views. All drawn from the keymap and LINE_COMMANDS.
 */
export function helpLines(keymap: Keymap, width: number, view?: KeyView): string[] {
  // Keys as a person reads them (Esc, PgUp, ctrl-w), as the footer names them.
  const named = (rows: { keys: string; help: string }[]) =>
    rows.map((r) => ({ ...r, keys: r.keys.split(' ').map(keyLabel).join(' ') }));
  const here = named(helpRows(keymap, view));
  const elsewhere = view ? named(helpRows(keymap)).filter((r) => !here.some((h) => h.help === r.help)) : [];
  const commands = LINE_COMMANDS.map((c) => ({
    keys: `:${c.name}${c.args ? ` ${c.args}` : ''}`,
    help: c.help,
  }));
  return [
    ...keyColumns(here, width),
    '',
    `Commands (${keyOf(keymap, 'command')} opens the command line)`,
    ...keyColumns(commands, width),
    '',
    'In text fields (filter, command line, forms)',
    ...keyColumns(TEXT_FIELD_KEYS, width),
    ...(elsewhere.length > 0 ? ['', 'In other views', ...keyColumns(elsewhere, width)] : []),
  ].map((l) => sanitize(l));
}

/** How a page of `total` lines shows in `height` rows: the lines from `top`, and a note when it overflows. */
export function pageWindow(total: number, height: number, top: number) {
  if (total <= height) return { top: 0, shown: total, maxTop: 0, note: '' };
  const shown = Math.max(1, height - 1);
  const maxTop = total - shown;
  const at = Math.max(0, Math.min(top, maxTop));
  return { top: at, shown, maxTop, note: scrollNote(at, shown, total) };
}

/** A page in an overlay: a bold title, then the window of its lines, then where it is. */
export function PagePanel({
  title,
  lines,
  height,
  top,
  keymap,
}: {
  title: string;
  lines: readonly string[];
  height: number;
  top: number;
  keymap: Keymap;
}) {
  const page = pageWindow(lines.length, height - 1, top);
  const keys = `${keyOf(keymap, 'nav.down')}/${keyOf(keymap, 'nav.up')}`;
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {sanitize(title)}
      </Text>
      {lines.slice(page.top, page.top + page.shown).map((l, i) => (
        <Text key={i} wrap="truncate-end">
          {sanitize(l) || ' '}
        </Text>
      ))}
      {page.note && <Text dimColor wrap="truncate-end">{`${page.note} · ${keys} scroll`}</Text>}
    </Box>
  );
}

/**
 * An instance described whole (k9s's describe): every field, its last error and what its
 * credential lacks wrapped to the width, so a long vendor error reads in full at 80 columns.
 */
export function instanceLines(
  i: Instance,
  doc: StoreDoc,
  catalog: Catalog,
  width: number,
  now: number,
): string[] {
  const out: string[] = [];
  const field = (label: string, value: string) =>
    wrap(sanitize(value), Math.max(10, width - 14)).forEach((l, n) =>
      out.push(`${n ? '' : label.padEnd(13)}${n ? ' '.repeat(14) : ' '}${l}`),
    );
  field('Name', i.name);
  field('App', APP_LABELS[i.app]);
  field('Endpoint', i.baseUrl);
  const admin = adminUrl(i);
  if (admin) field('Admin page', admin);
  field('Health', healthOf(i, now));
  field('Recs', i.recommendations ? 'On' : 'Off');
  if (doc.settings.instanceMode === 'single') field('Counted', insightsText(i, doc));
  field(
    'Credential',
    i.credential.kind === 'env'
      ? `environment variable ${i.credential.variable}`
      : `file ${i.credential.path}`,
  );
  if (!i.lastPoll) field('Last poll', 'not polled yet');
  else {
    field(
      'Last poll',
      `${ago(i.lastPoll.at, now)} · ${i.lastPoll.at.slice(0, 16).replace('T', ' ')} UTC · ${i.lastPoll.outcome}`,
    );
    if (i.lastPoll.outcome === 'error') field('Error', i.lastPoll.error ?? 'no message');
  }
  const results = doc.results[i.id]?.results;
  if (!results) field('Evaluable', 'not checked yet');
  else {
    const access = controlAccess(catalog.forApp(i.app), results);
    field('Evaluable', `${access.filter((a) => a.evaluable).length} of ${access.length} controls`);
    const missing = missingRights(access);
    if (missing.length > 0) field('Lacks', missing.join('; '));
  }
  return out;
}

/** The page the open overlay shows, when it is one that scrolls: its title and its whole lines. */
export function overlayPage(
  overlay: Overlay | undefined,
  view: KeyView,
  doc: StoreDoc,
  catalog: Catalog,
  keymap: Keymap,
  width: number,
  now: number,
): { title: string; lines: string[] } | undefined {
  if (overlay?.kind === 'help')
    return {
      title: `Keys${view ? ' here' : ''} · ${keyOf(keymap, 'back')} closes this help`,
      lines: helpLines(keymap, width, view),
    };
  if (overlay?.kind === 'instance') {
    const i = doc.instances.find((x) => x.id === overlay.instanceId);
    return {
      title: `${sanitize(i?.name ?? 'instance gone')} · ${keyOf(keymap, 'back')} closes`,
      lines: i ? instanceLines(i, doc, catalog, width, now) : [],
    };
  }
  return undefined;
}
