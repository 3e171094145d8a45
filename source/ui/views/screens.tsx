import { Box, Text } from 'ink';
import { useMemo } from 'react';
import type { Catalog } from '../../catalog/index.js';
import { APP_LABELS } from '../../domain/schemas.js';
import type { ScoreViews } from '../../domain/scoring.js';
import {
  actionIds,
  type Context,
  currentRows,
  selectedIndex,
  selectedInstance,
  windowOf,
} from '../controller.js';
import { columnSortLabel, sortApps, sortInstances } from '../column-sort.js';
import { keymapOf, keyOf } from '../hints.js';
import { type Command, DEFAULT_KEYMAP, type Keymap } from '../keys.js';
import { dailyRows, type Layout, MIN_COLUMNS, MIN_ROWS, windowRows } from '../layout.js';
import { actionRows, appRows, countsInMode, describeFilter, drawerRows } from '../model.js';
import { scoreRows } from '../score-rows.js';
import { type UIState, VIEW_TITLES } from '../state.js';
import { truncate, width as cellWidth } from '../../text/cells.js';
import { sanitize } from '../../text/sanitize.js';
import { Screen } from './frame.js';
import {
  ActionRow,
  actionHeader,
  actionTexts,
  appHeader,
  appLine,
  Header,
  instanceHeader,
  instanceLine,
  Row,
  scrollNote,
  sortLabel,
  Table,
} from './lists.js';
import {
  accessLine,
  DailyTable,
  historyLines,
  OverlayPanel,
  pollLine,
  recommendationsLine,
  ScorePanel,
} from './panels.js';
import { PagePanel } from './pages.js';

/** The text whole when it fits, else cut with `more` (how to read the rest) at its end. */
export function cutOrMore(text: string, width: number, more: string): string {
  return cellWidth(text) <= width ? text : `${truncate(text, width - cellWidth(more) - 1)} ${more}`;
}

/** The console's views: each draws its title and its body, from the state and the shell's context. */

export interface ViewProps {
  state: UIState;
  ctx: Context;
  size: Layout;
}

export function TooSmall({
  size,
  help,
  keymap = DEFAULT_KEYMAP,
}: {
  size: Layout;
  help: boolean;
  keymap?: Keymap;
}) {
  const quit = keyOf(keymap, 'quit');
  const helpKey = keyOf(keymap, 'help');
  return (
    <Box flexDirection="column" height={Math.min(size.height, 6)}>
      <Text wrap="truncate-end">{`posture needs at least ${MIN_COLUMNS}x${MIN_ROWS}; this terminal is ${size.columns}x${size.rows}.`}</Text>
      <Text wrap="truncate-end">{`Enlarge the window, or press ${quit} to quit, ${helpKey} for help.`}</Text>
      {help && (
        <Text wrap="truncate-end">{`${quit} quits · ${helpKey} closes help · ctrl-c always quits`}</Text>
      )}
    </Box>
  );
}

export function AppsView({ state, ctx, size }: ViewProps) {
  const { width, listRows } = size;
  const sort = state.columnSorts?.apps;
  const list = sortApps(appRows(ctx.doc, ctx.appScores, state.appText, ctx.now), sort, ctx.doc, ctx.now);
  const { key, ids } = currentRows(state, ctx);
  const sel = selectedIndex(state, key, ids);
  const start = windowOf(state, ctx);
  const where = scrollNote(start, listRows, list.length);
  const sorted = columnSortLabel('apps', sort);
  const title = `${VIEW_TITLES.apps}${where ? ` · ${where}` : ''}${sorted ? ` · ${sorted}` : ''}${state.appText ? `  /${state.appText}` : ''}`;
  return (
    <Screen title={title} size={size}>
      <Table
        header={appHeader(width, sort)}
        rows={list}
        start={start}
        height={listRows}
        selected={sel}
        empty={
          state.appText
            ? `no app matches the filter (${keyOf(keymapOf(ctx.bindings), 'back')} clears it)`
            : 'no instances yet: add one with `posture connect`'
        }
        render={(r, selected) => (
          <Row key={r.id} text={appLine(r, width, ctx.now)} selected={selected} mark={state.appText} />
        )}
      />
    </Screen>
  );
}

export function DrawerView({ state, ctx, size, catalog }: ViewProps & { catalog: Catalog }) {
  const { doc, now } = ctx;
  const { width } = size;
  const sort = state.columnSorts?.drawer;
  const list = sortInstances(drawerRows(doc, state.app, state.drawerText), sort, doc, now);
  const { key, ids } = currentRows(state, ctx);
  const sel = selectedIndex(state, key, ids);
  const inst = selectedInstance(state, ctx);
  const single = doc.settings.instanceMode === 'single';
  const start = windowOf(state, ctx);
  const rows = windowRows('drawer', size.listRows);
  const where = scrollNote(start, rows, list.length);
  const sorted = columnSortLabel('drawer', sort);
  const title = `${APP_LABELS[state.app ?? 'okta']} · instances${where ? ` · ${where}` : ''}${sorted ? ` · ${sorted}` : ''}${single ? ' (single-instance mode: * = Secure Score instance)' : ''}${state.drawerText ? `  /${state.drawerText}` : ''}`;
  const keymap = keymapOf(ctx.bindings);
  // Cut lines say where the rest is: Enter shows the instance whole.
  const more = `(${keyOf(keymap, 'open')} shows all)`;
  return (
    <Screen title={title} size={size}>
      <Box flexDirection="column">
        <Table
          header={instanceHeader(width, sort)}
          rows={list}
          start={start}
          height={rows}
          selected={sel}
          empty="no instances"
          render={(i, selected) => (
            <Row
              key={i.id}
              text={instanceLine(i, doc, width, now)}
              selected={selected}
              dim={!countsInMode(doc, i)}
              mark={state.drawerText}
            />
          )}
        />
        <Text wrap="truncate-end">
          {cutOrMore(sanitize(accessLine(inst, doc, catalog, keymap)), width, more)}
        </Text>
        {/* One line each: a long vendor error no longer pushes the recommendations off the line. */}
        <Text wrap="truncate-end">
          {inst ? cutOrMore(sanitize(recommendationsLine(inst, doc)), width, more) : ''}
        </Text>
        <Text wrap="truncate-end">{inst ? cutOrMore(sanitize(pollLine(inst, now)), width, more) : ''}</Text>
      </Box>
    </Screen>
  );
}

export function ActionsView({ state, ctx, size }: ViewProps) {
  const { width, listRows } = size;
  const actions = ctx.actions;
  const list = actionRows(actions, state.filter, state.sort, state.sortReverse);
  const sel = selectedIndex(state, 'actions', actionIds(list));
  // Widths of all the actions, not of the filtered list: a subset's never exceed them, and they are
  // measured once per document instead of over up to 30,000 rows at the first filter key.
  const texts = actionTexts(actions);
  // One object while nothing changes: the rows are memoised on it.
  const options = useMemo(() => ({ wide: state.wide, texts }), [state.wide, texts]);
  const start = windowOf(state, ctx);
  const f = describeFilter(ctx.doc, state.filter);
  const where = scrollNote(start, listRows, list.length);
  const title = `Recommended actions (${list.length})${where ? ` · ${where}` : ''} · sort: ${sortLabel(state.sort, state.sortReverse)}${state.wide ? ' · wide' : ''}${f ? ` · ${f}` : ''}`;
  return (
    <Screen title={title} size={size}>
      <Table
        header={actionHeader(width, { ...options, sort: state.sort, reverse: state.sortReverse })}
        rows={list}
        start={start}
        height={listRows}
        selected={sel}
        empty={
          actions.length === 0
            ? `no recommendations: turn them on for an instance in its drawer (${['view.apps', 'open', 'toggle'].map((c) => keyOf(keymapOf(ctx.bindings), c as Command)).join(', ')})`
            : 'no action matches the filters (:clear)'
        }
        render={(a, selected) => (
          <ActionRow
            key={a.id}
            a={a}
            selected={selected}
            width={width}
            options={options}
            mark={state.filter.text}
          />
        )}
      />
    </Screen>
  );
}

export function ScoreView({ state, ctx, size, views }: ViewProps & { views: ScoreViews }) {
  const { key, ids } = currentRows(state, ctx);
  const products = scoreRows(ctx.scored).products.length;
  return (
    <Screen title={VIEW_TITLES.score} size={size}>
      <ScorePanel
        views={views}
        actions={ctx.scored}
        doc={ctx.doc}
        state={state}
        width={size.width}
        height={size.bodyRows}
        selected={selectedIndex(state, key, ids)}
        start={windowOf(state, ctx)}
        rows={windowRows('score', size.listRows, products)}
      />
    </Screen>
  );
}

export function HistoryView({ state, ctx, size }: ViewProps) {
  const { doc } = ctx;
  const daily = dailyRows(size.listRows);
  const { key, ids } = currentRows(state, ctx);
  const sel = selectedIndex(state, key, ids);
  const h = windowRows('history', size.listRows);
  const start = windowOf(state, ctx);
  // Only the lines on screen are built: a fleet keeps tens of thousands of poll changes.
  const lines = historyLines(doc, ctx.polls, size.width, start, h);
  const where = scrollNote(start, h, ids.length);
  return (
    <Screen title={VIEW_TITLES.history} size={size}>
      <Box flexDirection="column">
        <Header text="Score per day" />
        <Box height={daily} flexDirection="column">
          <DailyTable doc={doc} height={daily} />
        </Box>
        <Table
          header={`Changes per poll (new · fixed · regressed)${where ? ` · ${where}` : ''}`}
          rows={lines}
          start={0}
          height={h}
          selected={sel - start}
          empty="no changes recorded yet"
          render={(l, selected, i) => <Row key={start + i} text={l} selected={selected} />}
        />
      </Box>
    </Screen>
  );
}

/** A page that scrolls over the view (the help, an instance's details); `page` from overlayPage. */
export function PageView({
  title,
  page,
  top,
  size,
  keymap,
}: {
  title: string;
  page: { title: string; lines: string[] };
  top: number;
  size: Layout;
  keymap: Keymap;
}) {
  return (
    <Screen title={title} size={size}>
      <PagePanel title={page.title} lines={page.lines} height={size.bodyRows} top={top} keymap={keymap} />
    </Screen>
  );
}

/** The drawer's options menu, the status dialog and the add form, over the view they were opened on. */
export function DialogView({ state, ctx, size, catalog }: ViewProps & { catalog: Catalog }) {
  const overlay = state.overlay;
  if (!overlay) return null;
  // The selected instance shows in the drawer's menus; the selected action only in the status dialog.
  const instance = selectedInstance(state, ctx);
  const action = overlay.kind === 'status' ? ctx.scored.find((a) => a.id === overlay.actionId) : undefined;
  return (
    <Screen title={VIEW_TITLES[state.view]} size={size}>
      <OverlayPanel
        overlay={overlay}
        doc={ctx.doc}
        instance={instance}
        action={action}
        catalog={catalog}
        width={size.width}
        height={size.bodyRows}
        keymap={keymapOf(ctx.bindings)}
      />
    </Screen>
  );
}
