import { Box, Text } from 'ink';
import {
  APP_LABELS,
  type Instance,
  outcomeLabel,
  type PollChanges,
  SETTABLE_STATES,
  STATE_LABELS,
  type StatusUpdate,
  type StoreDoc,
} from '../../domain/schemas.js';
import type { Catalog } from '../../catalog/index.js';
import { controlAccess, missingRights } from '../../domain/access.js';
import { failedOf } from '../../domain/rules.js';
import type { Action, ScoreViews } from '../../domain/scoring.js';
import { width as cellWidth, fitCells, truncate, wrap } from '../../text/cells.js';
import { ago, percent, points } from '../../text/format.js';
import { sanitize } from '../../text/sanitize.js';
import { ADD_FIELDS, menuItems } from '../controller.js';
import { keyOf } from '../hints.js';
import { DEFAULT_KEYMAP, type Keymap } from '../keys.js';
import { mainsOf, scoresByApp, scoresByInstance } from '../model.js';
import { scoreRows } from '../score-rows.js';
import type { Overlay, UIState } from '../state.js';
import { outcomeColor, useTheme } from '../theme.js';
import { FieldText } from './field.js';
import { Row, scrollNote } from './lists.js';

/** Failing items listed on an action's page; the rest are counted, and every export lists them all. */
const FAILING_SHOWN = 20;

/** Text panels: action detail, Secure Score, history, and the overlays. Each returns lines that fit `height`. */

export function detailLines(
  a: Action,
  tab: number,
  width: number,
  history: readonly StatusUpdate[] = [],
  affected: readonly Action[] = [],
  score: { evaluatedAt?: string | undefined; possible?: number } = {},
): { text: string; color?: string | undefined }[] {
  const w = Math.max(20, width - 2);
  const out: { text: string; color?: string }[] = [];
  const para = (label: string, text: string) => {
    out.push({ text: label });
    for (const l of wrap(sanitize(text, { multiline: true }), w - 2)) out.push({ text: `  ${l}` });
  };
  // A labelled line wraps under its value, never cut: reasons, threats and benchmarks run long.
  const field = (label: string, value: string) =>
    wrap(sanitize(value), w - 12).forEach((l, i) =>
      out.push({ text: `${i ? '' : label.padEnd(11)}${i ? ' '.repeat(12) : ' '}${l}` }),
    );
  const c = a.control;
  if (tab === 0) {
    para('Description', c.description);
    out.push({ text: '' });
    field(
      'Status',
      `${STATE_LABELS[a.state]}${a.unverified ? " (unverified: full points on the operator's word)" : ''}`,
    );
    field(
      'Result',
      `${outcomeLabel(a.result.outcome)}${a.result.total !== undefined && c.scoring === 'proportional' ? ` (${a.result.count}/${a.result.total})` : ''}${a.result.reason ? ` — ${a.result.reason}` : ''}`,
    );
    if (a.result.missing) para('Missing right (grant it to evaluate this control)', a.result.missing);
    field(
      'Evaluated',
      score.evaluatedAt ? `${timeText(score.evaluatedAt)} UTC (its instance's last good poll)` : 'not yet',
    );
    field(
      'Points',
      `${a.achieved === null ? 'not counted' : points(a.achieved)} of ${points(a.max)} (${c.scoring})`,
    );
    field('Impact', impactText(a, score.possible));
    field('Product', `${APP_LABELS[a.instance.app]} · ${a.instance.name}`);
    // The catalog is a file: its words pass the sanitizer like the store's.
    field('Category', `${c.category} · severity ${c.severity}`);
    field('Threats', c.threats.join(', '));
    field('User impact', `${c.userImpact} · implementation cost ${c.implementationCost}`);
    field('Benchmarks', c.benchmarks.map((b) => `${b.name} ${b.id}`).join('; '));
    field(
      'Affected',
      affected.length === 0
        ? 'no other instance'
        : affected.map((x) => `${x.instance.name} (${outcomeLabel(x.result.outcome)})`).join(', '),
    );
    const failing = a.result.failing ?? [];
    if (failing.length > 0) {
      out.push({ text: '' });
      field('Failing', failedOf(a.result, c.rule.noun) ?? '');
      for (const f of failing.slice(0, FAILING_SHOWN))
        out.push({ text: `  ${truncate(sanitize(f.name), w - 4)}` });
      const more =
        (a.result.total ?? failing.length) - (a.result.count ?? 0) - Math.min(failing.length, FAILING_SHOWN);
      if (more > 0) out.push({ text: `  … and ${more} more (posture export lists them all)` });
    }
    out.push({ text: '' });
    out.push({ text: 'Evidence (values seen)' });
    if (a.result.evidence.length === 0) out.push({ text: '  none' });
    // Each value whole, wrapped under its item: evidence is what an operator checks a verdict by.
    for (const e of a.result.evidence)
      wrap(`${sanitize(e.item)}  ${sanitize(e.path)} = ${sanitize(e.value)}`, w - 6).forEach((l, i) =>
        out.push({ text: `${i ? '      ' : '  '}${l}` }),
      );
  } else if (tab === 1) {
    if (c.prerequisites.length > 0) {
      out.push({ text: 'Prerequisites' });
      for (const p of c.prerequisites)
        for (const [i, l] of wrap(sanitize(p), w - 4).entries())
          out.push({ text: `${i ? '   ' : ' - '}${l}` });
      out.push({ text: '' });
    }
    out.push({ text: 'Steps' });
    c.steps.forEach((s, n) => {
      wrap(sanitize(s), w - 5).forEach((l, i) => {
        out.push({ text: i === 0 ? `${String(n + 1).padStart(2)}. ${l}` : `    ${l}` });
      });
    });
    if (c.links.length > 0) {
      out.push({ text: '' });
      out.push({ text: 'Learn more' });
      for (const l of c.links) out.push({ text: `  ${truncate(sanitize(l), w - 2)}` });
    }
  } else {
    out.push({ text: 'Status history (newest first)' });
    if (history.length === 0) out.push({ text: '  no status changes: To address by default' });
    for (const u of [...history].reverse()) {
      out.push({
        text: `  ${timeText(u.at)}  ${STATE_LABELS[u.state]} by ${sanitize(u.by)}${u.expires ? ` until ${sanitize(u.expires.slice(0, 10))}` : ''}`,
      });
      if (u.reason) for (const l of wrap(sanitize(u.reason), w - 6)) out.push({ text: `      ${l}` });
    }
  }
  return out;
}

/**
 * What doing an action is worth: the points it has left, and what they add to the Secure Score
 * (points over every counted point), or why it is worth nothing now.
 */
export function impactText(a: Action, possible: number | undefined): string {
  if (a.result.outcome === 'not_applicable') return 'none: the setting is not there to score';
  if (a.achieved === null) return 'none while its result is not counted';
  const left = a.max - a.achieved;
  if (left <= 0) return 'none: every point is achieved';
  const pct = possible && possible > 0 ? ` · +${((left / possible) * 100).toFixed(2)}% Secure Score` : '';
  return `+${points(left)} points${pct}`;
}

/** A time from the store as `YYYY-MM-DD HH:MM`: its first characters, through the sanitizer (it is the store's text). */
const timeText = (iso: string) => sanitize(iso.slice(0, 16).replace('T', ' '));

const BARS = '▁▂▃▄▅▆▇█';

/**
 * One bar per value, scaled to the values' own range (lowest ▁, highest █): a score that moves
 * between 41% and 44% shows its movement, where a 0-100 scale would draw a flat line.
 */
export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return '';
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const top = BARS.length - 1;
  return values.map((x) => BARS[hi === lo ? top >> 1 : Math.round(((x - lo) / (hi - lo)) * top)]).join('');
}

/**
 * The trend's lines: a label with the days and the range the bars are scaled to, then the bars.
 * Days keep the current score only, so another view says that its trend is the current one.
 */
export function trendLines(daily: StoreDoc['daily'], view: UIState['scoreView'], width: number): string[] {
  // A day on which nothing counted has no score: it is left out rather than drawn as 0%.
  const days = daily.filter((d) => d.possible > 0).slice(-Math.max(1, width - 2));
  const whose = view === 'current' ? 'Trend' : 'Trend of the current score';
  if (days.length === 0) return [`${whose}: no daily score yet`];
  const pct = days.map((d) => (d.achieved / d.possible) * 100);
  const first = days[0]!.day;
  const last = days[days.length - 1]!.day;
  const span = days.length === 1 ? first : `${first} … ${last}`;
  const range = `${Math.min(...pct).toFixed(1)}% … ${Math.max(...pct).toFixed(1)}%`;
  return [
    `${view === 'current' ? whose : `${whose},`} ${days.length} day${days.length === 1 ? '' : 's'} (${span}): ${range}`,
    `  ${sparkline(pct)}`,
    ...(view === 'current' ? [] : [`  days keep the current score only: there is no ${view} trend`]),
  ];
}

/**
 * The Secure Score view: the headline, the trend, then one list with a cursor (products, then
 * instances: Enter opens their actions). Products always show; the instances scroll in `rows`
 * lines from `start`, and their heading says when some are out of view.
 */
export function ScorePanel({
  views,
  actions,
  doc,
  state,
  width,
  height,
  selected = -1,
  start = 0,
  rows = height,
}: {
  views: ScoreViews;
  actions: readonly Action[];
  doc: StoreDoc;
  state: UIState;
  width: number;
  height: number;
  selected?: number;
  start?: number;
  rows?: number;
}) {
  const t = useTheme();
  const v = views[state.scoreView];
  const lines: { text: string; color?: string | undefined; bold?: boolean; selected?: boolean }[] = [];
  const label = { current: 'Current score', planned: 'Planned score', achievable: 'Achievable score' }[
    state.scoreView
  ];
  lines.push({
    text: `${label}: ${percent(v)}  (${points(v.achieved)} / ${points(v.possible)} points)`,
    bold: true,
    color: t.accent,
  });
  const all = `current ${percent(views.current)} · planned ${percent(views.planned)} · achievable ${percent(views.achievable)}`;
  const long = `${all} (possible without accepted risks: ${points(views.achievable.possible)})`;
  // Said whole, in fewer words where the long form would be cut.
  lines.push({
    text:
      cellWidth(long) <= width
        ? long
        : `${all} of ${points(views.achievable.possible)} without accepted risks`,
  });
  // Three lines for the trend whatever it says: the list below it stays where the reducer scrolls it.
  const trend = trendLines(doc.daily, state.scoreView, width);
  for (let i = 0; i < 3; i++) lines.push({ text: trend[i] ?? '' });
  lines.push({ text: '' });
  // The breakdown follows the headline's view: its parts add up to the headline's points.
  const row = (name: string, s: ScoreViews | undefined) => {
    const x = s?.[state.scoreView];
    return x
      ? `${name} ${fitCells(percent(x), 7, 'right')}  ${points(x.achieved)} / ${points(x.possible)}`
      : name;
  };
  const { products, instances } = scoreRows(actions);
  const byApp = scoresByApp(actions);
  const byInstance = scoresByInstance(actions);
  lines.push({ text: `By product (${state.scoreView})`, bold: true });
  products.forEach((app, n) =>
    lines.push({ text: `  ${row(fitCells(APP_LABELS[app], 14), byApp.get(app))}`, selected: n === selected }),
  );
  const where = scrollNote(start, rows, instances.length);
  lines.push({ text: `By instance (${state.scoreView})${where ? `  ${where}` : ''}`, bold: true });
  const names = new Map(doc.instances.map((i) => [i.id, sanitize(i.name)]));
  const nameWidth = Math.max(
    14,
    Math.min(width - 32, Math.max(0, ...instances.map((id) => cellWidth(names.get(id) ?? id)))),
  );
  instances.slice(start, start + rows).forEach((id, n) =>
    lines.push({
      text: `  ${row(fitCells(names.get(id) ?? sanitize(id), nameWidth), byInstance.get(id))}`,
      selected: products.length + start + n === selected,
    }),
  );
  if (actions.length === 0) lines.push({ text: '  no instance has Secure Score recommendations turned on' });
  return (
    <Box flexDirection="column">
      {lines.slice(0, height).map((l, i) =>
        l.selected ? (
          <Row key={i} text={l.text} selected />
        ) : (
          <Text key={i} {...(l.color ? { color: l.color } : {})} bold={l.bold ?? false} wrap="truncate-end">
            {sanitize(l.text) || ' '}
          </Text>
        ),
      )}
    </Box>
  );
}

/** Lines `from` to `from + count` of the per-poll changes, newest first: only what is on screen. */
export function historyLines(
  doc: StoreDoc,
  polls: readonly PollChanges[],
  width: number,
  from: number,
  count: number,
): string[] {
  const names = new Map(doc.instances.map((i) => [i.id, i.name]));
  const lines: string[] = [];
  const last = polls.length - 1;
  for (let n = from; n < Math.min(from + count, polls.length); n++) {
    const p = polls[last - n]!;
    const counts = { new: 0, fixed: 0, regressed: 0 };
    for (const c of p.changes) counts[c.kind]++;
    const detail = p.changes
      .slice(0, 4)
      .map((c) => `${c.kind} ${sanitize(c.controlId)}`)
      .join(', ');
    lines.push(
      truncate(
        `${timeText(p.at)}  ${fitCells(sanitize(names.get(p.instanceId) ?? p.instanceId), 24)} +${counts.new} new  ${counts.fixed} fixed  ${counts.regressed} regressed  ${detail}`,
        width,
      ),
    );
  }
  return lines;
}

export function DailyTable({ doc, height }: { doc: StoreDoc; height: number }) {
  const days = doc.daily.slice(-Math.max(0, height));
  return (
    <Box flexDirection="column">
      {days.reverse().map((d) => (
        <Text
          key={d.day}
        >{`${sanitize(d.day)}  ${fitCells(d.possible > 0 ? `${((d.achieved / d.possible) * 100).toFixed(1)}%` : '–', 7, 'right')}  ${points(d.achieved)} / ${points(d.possible)}`}</Text>
      ))}
    </Box>
  );
}

/** Rows in two columns, each a key and what it does. */
/**
 * The access overlay's lines: a summary, the rights to grant, then each control the credential
 * could not evaluate (with what it lacks) before those it could, cut to `height` lines.
 */
export function accessLines(
  i: Instance,
  doc: StoreDoc,
  catalog: Catalog,
  width: number,
  height: number,
): string[] {
  const results = doc.results[i.id]?.results;
  if (!results) return ['Not read yet: Poll now reads it (posture doctor checks it without saving).'];
  const access = controlAccess(catalog.forApp(i.app), results);
  const missing = missingRights(access);
  const head = [
    `${access.filter((a) => a.evaluable).length} of ${access.length} controls evaluable at the last poll`,
    ...(missing.length > 0 ? wrap(`Grant: ${missing.join('; ')}`, width) : []),
  ];
  const rows = [...access]
    .sort((a, b) => Number(a.evaluable) - Number(b.evaluable))
    .map((a) =>
      a.evaluable
        ? `yes  ${a.title} (${outcomeLabel(a.outcome)})`
        : `no   ${a.title}: ${a.missing ? `needs ${a.missing}` : (a.reason ?? 'not evaluated')}`,
    );
  const room = Math.max(1, height - head.length);
  const shown =
    rows.length > room ? [...rows.slice(0, room - 1), `… and ${rows.length - room + 1} more`] : rows;
  return [...head, ...shown].map((l) => truncate(sanitize(l), width));
}

export function OverlayPanel({
  overlay,
  doc,
  instance,
  action,
  catalog,
  width = 80,
  height = 16,
  keymap = DEFAULT_KEYMAP,
}: {
  overlay: Overlay;
  doc: StoreDoc;
  instance?: Instance | undefined;
  action?: Action | undefined;
  catalog?: Catalog;
  width?: number;
  height?: number;
  /** Where the dialog's hints take their keys from. */
  keymap?: Keymap;
}) {
  const t = useTheme();
  // Keys a dialog names: in a text field, those that type no character (see hints.ts).
  const choose = keyOf(keymap, 'open');
  const close = keyOf(keymap, 'back');
  const confirmInText = keyOf(keymap, 'open', { always: 'enter' });
  const closeInText = keyOf(keymap, 'back', { always: 'escape' });
  if (overlay.kind === 'access') {
    const i = doc.instances.find((x) => x.app === overlay.app && x.name === overlay.name);
    return (
      <Box flexDirection="column" borderStyle="single" paddingX={1}>
        <Text bold wrap="truncate-end">{`Credential of ${sanitize(i?.name ?? '')}`}</Text>
        {i && catalog
          ? accessLines(i, doc, catalog, width - 4, height - 4).map((l, n) => (
              <Text key={n} wrap="truncate-end">
                {l}
              </Text>
            ))
          : null}
        <Text>{`${close} closes`}</Text>
      </Box>
    );
  }
  if (overlay.kind === 'menu') {
    const items = menuItems(doc, instance).map((m) => m.label);
    return (
      <Box flexDirection="column" borderStyle="single" paddingX={1}>
        <Text bold>{`… ${sanitize(instance?.name ?? '')}`}</Text>
        {items.map((label, i) => (
          <Row key={label} text={label} selected={i === overlay.choice} />
        ))}
        <Text>{`${choose} chooses · ${close} closes`}</Text>
      </Box>
    );
  }
  if (overlay.kind === 'status') {
    return (
      <Box flexDirection="column" borderStyle="single" paddingX={1}>
        <Text
          bold
          wrap="truncate-end"
        >{`Set status: ${sanitize(action?.control.title ?? '')} — ${sanitize(action?.instance.name ?? '')}`}</Text>
        {overlay.step === 'pick' &&
          SETTABLE_STATES.map((s, i) => (
            <Row key={s} text={STATE_LABELS[s]} selected={i === overlay.choice} />
          ))}
        {overlay.step !== 'pick' && <Text>{`Status: ${STATE_LABELS[overlay.state ?? 'to_address']}`}</Text>}
        {overlay.step === 'reason' && (
          <FieldText prefix="Reason: " field={{ value: overlay.reason, cursor: overlay.reasonCursor }} />
        )}
        {overlay.step === 'expiry' && (
          <Text wrap="truncate-end">{`Reason: ${sanitize(overlay.reason)}`}</Text>
        )}
        {overlay.step === 'expiry' && (
          <FieldText
            prefix="Expires (YYYY-MM-DD): "
            field={{ value: overlay.expiry, cursor: overlay.expiryCursor }}
          />
        )}
        {overlay.error && <Text {...(t.bad ? { color: t.bad } : {})}>{`! ${sanitize(overlay.error)}`}</Text>}
        <Text>
          {overlay.step === 'pick'
            ? `${choose} chooses · ${close} cancels`
            : `${confirmInText} confirms · ${closeInText} cancels`}
        </Text>
      </Box>
    );
  }
  if (overlay.kind === 'add') {
    const multiple = doc.settings.instanceMode === 'multiple';
    return (
      <Box flexDirection="column" borderStyle="single" paddingX={1}>
        <Text bold>
          Add an instance (the secret itself is never stored: give the name of its environment variable, or of
          a file only you can read)
        </Text>
        {ADD_FIELDS.map((f, i) =>
          // The field being typed in: its label in bold and its cursor drawn (not an inverse row,
          // which would hide the cursor's inverse cell).
          i === overlay.field && !overlay.confirm ? (
            <FieldText
              key={f.key}
              bold
              prefix={`${fitCells(f.label, 19)} `}
              field={{ value: overlay.values[f.key] ?? '', cursor: overlay.cursor }}
              suffix={`   ${f.hint}`}
            />
          ) : (
            <Row
              key={f.key}
              text={`${fitCells(f.label, 19)} ${sanitize(overlay.values[f.key])}${i === overlay.field ? `   ${f.hint}` : ''}`}
              selected={false}
            />
          ),
        )}
        {overlay.error && <Text {...(t.bad ? { color: t.bad } : {})}>{`! ${sanitize(overlay.error)}`}</Text>}
        {overlay.confirm ? (
          <Text bold {...(t.warn ? { color: t.warn } : {})}>
            {multiple
              ? 'Adding an instance is permanent: it can be turned off later but never deleted, so its history stays auditable. Add it? (y/n)'
              : 'Add this instance? (y/n)'}
          </Text>
        ) : (
          <Text>{`${keyOf(keymap, 'nav.up', { always: 'up' })}/${keyOf(keymap, 'nav.down', { always: 'down' })} or ${keyOf(keymap, 'tab.next', { always: 'tab' })} moves · ${confirmInText} next / submit · ${closeInText} cancels`}</Text>
        )}
      </Box>
    );
  }
  return null;
}

/**
 * What the instance's credential could evaluate at its last good poll, and the rights it lacks:
 * the drawer's answer to "can I trust this instance's score?".
 */
export function accessLine(
  i: Instance | undefined,
  doc: StoreDoc,
  catalog: Catalog,
  keymap: Keymap = DEFAULT_KEYMAP,
): string {
  if (!i) return '';
  const results = doc.results[i.id]?.results;
  if (!results)
    return `Credential: not checked yet (${keyOf(keymap, 'poll')} polls it now; posture doctor checks it without saving)`;
  const access = controlAccess(catalog.forApp(i.app), results);
  const evaluable = access.filter((a) => a.evaluable).length;
  const missing = missingRights(access);
  return sanitize(
    `Credential: ${evaluable} of ${access.length} controls evaluable${missing.length > 0 ? ` · lacks ${missing.join('; ')}` : ''}`,
  );
}

/**
 * Single-instance mode's field of the selected instance, as the classic portal names it: whether
 * it is its app's main instance, and if not, which one is.
 */
export function insightsText(i: Instance, doc: StoreDoc): string {
  const main = mainsOf(doc).get(i.app);
  if (main === i) return 'Secure Score insights: Main instance';
  if (!main) return 'Secure Score insights: not counted (no main instance chosen)';
  return `Secure Score insights: not counted (main instance: ${sanitize(main.name)})`;
}

export function lastErrorLine(i: Instance | undefined, now: number, doc?: StoreDoc): string {
  if (!i) return '';
  return `${recommendationsLine(i, doc)} · ${pollLine(i, now)}`;
}

/** The selected instance's recommendations, and in single-instance mode whether they count. */
export function recommendationsLine(i: Instance, doc?: StoreDoc): string {
  const insights = doc?.settings.instanceMode === 'single' ? ` · ${insightsText(i, doc)}` : '';
  return `Secure Score recommendations: ${i.recommendations ? 'On' : 'Off'}${insights}`;
}

/** The selected instance's last poll, with its error (the drawer's own line: errors run long). */
export function pollLine(i: Instance, now: number): string {
  return i.lastPoll
    ? i.lastPoll.outcome === 'error'
      ? `last poll ${ago(i.lastPoll.at, now)} failed: ${sanitize(i.lastPoll.error)}`
      : `last poll ${ago(i.lastPoll.at, now)} ok`
    : 'not polled yet';
}

export { outcomeColor };
