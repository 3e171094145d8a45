import { randomBytes } from 'node:crypto';
import { Box, Text, useApp, useInput } from 'ink';
import { useCallback, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { Catalog } from '../catalog/index.js';
import { instanceSlug } from '../domain/instances.js';
import { APP_LABELS, type StatusUpdate, type StoreDoc } from '../domain/schemas.js';
import { type Action, collectActions, rankActions, scoreViews } from '../domain/scoring.js';
import type { BackgroundPoller, PollProgress } from '../poller/background.js';
import type { Store } from '../store/store.js';
import { truncate } from '../text/cells.js';
import { percent, points } from '../text/format.js';
import { sanitize } from '../text/sanitize.js';
import {
  actionIds,
  bound,
  type Context,
  currentRows,
  type Effect,
  reduce,
  selectedIndex,
  selectedInstance,
} from './controller.js';
import { bindingsOf, type Keymap, keyNames } from './keys.js';
import { windowStart } from './list.js';
import { lastCall } from './memo.js';
import { actionRows, appRows, describeFilter, drawerRows } from './model.js';
import { INITIAL, TOP_VIEWS, type UIState, VIEW_TITLES } from './state.js';
import { type Theme, ThemeContext } from './theme.js';
import { useTerminalSize } from './use-terminal-size.js';
import {
  ActionRow,
  actionHeader,
  appHeader,
  appLine,
  Header,
  instanceHeader,
  instanceLine,
  Row,
  Table,
} from './views/lists.js';
import {
  DailyTable,
  detailLines,
  HelpPanel,
  historyLines,
  accessLine,
  lastErrorLine,
  OverlayPanel,
  ScorePanel,
} from './views/panels.js';

const SHORT_TITLES = ['Apps', 'Score', 'Actions', 'History'];
// Ranking sorts thousands of actions: done on first use after each change, not per frame.
const rankedOf = lastCall(rankActions);
const actionById = lastCall((actions: readonly Action[], id: string | undefined) =>
  actions.find((a) => a.id === id),
);
// An action's page is built once per action, tab, width and change, not on every scrolling key.
const detailOf = lastCall(
  (a: Action, tab: number, width: number, statuses: readonly StatusUpdate[], actions: readonly Action[]) =>
    detailLines(
      a,
      tab,
      width,
      statuses.filter((u) => u.instanceId === a.instance.id && u.controlId === a.control.id),
      actions.filter(
        (x) =>
          x.control.id === a.control.id &&
          x.id !== a.id &&
          (x.result.outcome === 'fail' || x.result.outcome === 'partial'),
      ),
    ),
);

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;

export interface AppProps {
  store: Store;
  catalog: Catalog;
  keymap: Keymap;
  theme: Theme;
  poller?: BackgroundPoller;
  /** Who status changes are recorded as (the OS user name). */
  user: string;
  /** Called with the quit request; the shell then unmounts. */
  onQuit?: () => void;
  initial?: Partial<UIState>;
}

const IDLE: PollProgress = { running: false, paused: false, done: 0, total: 0, failed: 0 };

// Subscriptions stay the same across renders: a new one each time would unsubscribe and
// subscribe again on every key.
function useStoreDoc(store: Store): StoreDoc {
  const subscribe = useCallback((cb: () => void) => store.subscribe(cb), [store]);
  return useSyncExternalStore(subscribe, () => store.doc);
}

function usePollProgress(poller: BackgroundPoller | undefined): PollProgress {
  const subscribe = useCallback((cb: () => void) => poller?.subscribe(cb) ?? (() => {}), [poller]);
  return useSyncExternalStore(subscribe, () => poller?.state ?? IDLE);
}

export function App(props: AppProps) {
  const { store, catalog, keymap, theme, poller, user } = props;
  const { exit } = useApp();
  const doc = useStoreDoc(store);
  const progress = usePollProgress(poller);
  const { columns, rows } = useTerminalSize();
  const [state, setState] = useState<UIState>({ ...INITIAL, ...props.initial });
  const stateRef = useRef(state);
  stateRef.current = state;

  const bindings = useMemo(() => bindingsOf(keymap), [keymap]);
  // Recomputed only when the document changes (a poll commit or an operator's change).
  // Scores need every action; only the list needs them ranked, and ranking sorts thousands: rank
  // on first use after each change (the first frame, Connected apps, does not need it).
  const scored = useMemo(() => collectActions(doc, catalog.byId, new Date()), [doc, catalog]);
  const views = useMemo(() => scoreViews(scored), [scored]);

  const tooSmall = columns < MIN_COLUMNS || rows < MIN_ROWS;
  const height = Math.max(3, rows - 1); // a frame as tall as the terminal makes Ink clear the scrollback
  const bodyRows = Math.max(1, height - 4);
  const listRows = Math.max(1, bodyRows - 1);
  // Never write into the last column: a full-width line leaves some terminals in a pending wrap.
  const width = columns - 1;

  const detailAction = state.view === 'detail' ? actionById(rankedOf(scored), state.detailId) : undefined;
  const detail =
    detailAction && detailOf(detailAction, state.detailTab, width, doc.statuses, rankedOf(scored));
  const detailRows = bodyRows - 2;
  const ctx: Context = {
    doc,
    scored,
    get actions() {
      return rankedOf(scored);
    },
    bindings,
    listRows,
    detailMaxScroll: Math.max(0, (detail?.length ?? 0) - detailRows),
    readOnly: store.readOnly,
    now: Date.now(),
  };
  const ctxRef = useRef(ctx);
  ctxRef.current = ctx;

  const run = useCallback(
    async (effect: Effect) => {
      const note = (message: string) => setState((s) => ({ ...s, message }));
      try {
        switch (effect.type) {
          case 'quit':
            props.onQuit?.();
            exit();
            return;
          case 'pause':
            poller?.togglePause();
            return;
          case 'poll':
            void poller?.pollNow(effect.instanceIds);
            return;
          case 'toggle':
            await store.update((d) => {
              const i = d.instances.find((x) => x.id === effect.instanceId);
              if (i) i.recommendations = !i.recommendations;
            });
            return;
          case 'secureScoreInstance':
            await store.update((d) => {
              const i = d.instances.find((x) => x.id === effect.instanceId);
              if (!i) return;
              d.settings.secureScoreInstance[i.app] = i.id;
              i.recommendations = true;
            });
            return;
          case 'status':
            await store.update((d) => {
              d.statuses.push({
                instanceId: effect.instanceId,
                controlId: effect.controlId,
                state: effect.state,
                reason: effect.reason,
                by: user,
                at: new Date().toISOString(),
                ...(effect.expires ? { expires: effect.expires } : {}),
              });
            });
            return;
          case 'add': {
            const id = `${instanceSlug(effect.instance)}-${randomBytes(3).toString('hex')}`;
            await store.update((d) => {
              d.instances.push({ ...effect.instance, id, createdAt: new Date().toISOString() });
            });
            // Read it at once: the drawer then says what its credential can evaluate, and what it lacks.
            void poller?.pollNow([id]);
            note(`added "${effect.instance.name}": reading it now to check what its credential can evaluate`);
            return;
          }
          case 'edit':
            await store.update((d) => {
              const i = d.instances.find((x) => x.id === effect.instanceId);
              if (!i) return;
              // What the form edits; the id, history, recommendations and last poll stay.
              i.name = effect.instance.name;
              i.baseUrl = effect.instance.baseUrl;
              i.credential = effect.instance.credential;
              i.options = effect.instance.options;
            });
            return;
          case 'mode':
            await store.update((d) => {
              d.settings.instanceMode = effect.mode;
            });
            return;
        }
      } catch (error) {
        note(`could not save: ${(error as Error).message}`);
      }
    },
    [store, poller, user, exit, props.onQuit],
  );

  const tooSmallRef = useRef(tooSmall);
  tooSmallRef.current = tooSmall;
  // One handler for the console's life: a new one per render would make Ink detach and attach its
  // stdin listener on every key.
  const onInput = useCallback(
    (input: string, key: Parameters<typeof keyNames>[1]) => {
      const names = keyNames(input, key);
      if (names.length === 0) return;
      let s = stateRef.current;
      const effects: Effect[] = [];
      for (const name of names) {
        // Too small to show anything: only quitting, help and Esc work.
        const allowed =
          name === 'escape' ||
          name === 'ctrl+c' ||
          bound(ctxRef.current, name, 'quit') ||
          bound(ctxRef.current, name, 'help');
        if (tooSmallRef.current && !allowed) continue;
        const step = reduce(s, name, ctxRef.current);
        s = step.state;
        effects.push(...step.effects);
      }
      if (s !== stateRef.current) {
        stateRef.current = s;
        setState(s);
      }
      for (const e of effects) void run(e);
    },
    [run],
  );
  useInput(onInput);

  // Keep the selected row in view and remember where each window starts.
  const scrollRef = useRef<Record<string, number>>({});

  if (tooSmall) {
    return (
      <Box flexDirection="column" height={Math.min(height, 6)}>
        <Text wrap="truncate-end">{`posture needs at least ${MIN_COLUMNS}x${MIN_ROWS}; this terminal is ${columns}x${rows}.`}</Text>
        <Text wrap="truncate-end">Enlarge the window, or press q to quit, ? for help.</Text>
        {state.overlay?.kind === 'help' && (
          <Text wrap="truncate-end">q quits · ? closes help · ctrl-c always quits</Text>
        )}
      </Box>
    );
  }

  const windowFor = (key: string, count: number, selected: number, h: number) => {
    const start = windowStart(count, selected, h, scrollRef.current[key] ?? 0);
    scrollRef.current[key] = start;
    return start;
  };

  let body: React.ReactNode;
  let title = VIEW_TITLES[state.view];
  const overlay = state.overlay;
  // The selected instance shows in the drawer and its menus; the selected action only in the status dialog.
  const inst = state.view === 'drawer' ? selectedInstance(state, ctx) : undefined;

  if (overlay?.kind === 'help') {
    body = <HelpPanel keymap={keymap} height={bodyRows} width={width} />;
    title = 'Help';
  } else if (overlay && overlay.kind !== 'input') {
    const action = overlay.kind === 'status' ? scored.find((a) => a.id === overlay.actionId) : undefined;
    body = <OverlayPanel overlay={overlay} doc={doc} instance={inst} action={action} />;
  } else if (state.view === 'apps') {
    const list = appRows(doc, scored, state.appText, ctx.now);
    const { key, ids } = currentRows(state, ctx);
    const sel = selectedIndex(state, key, ids);
    if (state.appText) title += `  /${state.appText}`;
    body = (
      <Table
        header={appHeader(width)}
        rows={list}
        start={windowFor(key, list.length, sel, listRows)}
        height={listRows}
        selected={sel}
        empty={
          state.appText
            ? 'no app matches the filter (Esc clears it)'
            : 'no instances yet: add one with `posture connect`'
        }
        render={(r, selected) => <Row key={r.id} text={appLine(r, width, ctx.now)} selected={selected} />}
      />
    );
  } else if (state.view === 'drawer') {
    const list = drawerRows(doc, state.app, state.drawerText);
    const { key, ids } = currentRows(state, ctx);
    const sel = selectedIndex(state, key, ids);
    title = `${APP_LABELS[state.app ?? 'okta']} · instances${doc.settings.instanceMode === 'single' ? ' (single-instance mode: * = Secure Score instance)' : ''}`;
    if (state.drawerText) title += `  /${state.drawerText}`;
    body = (
      <Box flexDirection="column">
        <Table
          header={instanceHeader(width)}
          rows={list}
          start={windowFor(key, list.length, sel, listRows - 2)}
          height={listRows - 2}
          selected={sel}
          empty="no instances"
          render={(i, selected) => (
            <Row key={i.id} text={instanceLine(i, doc, width, ctx.now)} selected={selected} />
          )}
        />
        <Text wrap="truncate-end">{truncate(accessLine(inst, doc, catalog), width)}</Text>
        <Text wrap="truncate-end">{truncate(lastErrorLine(inst, ctx.now), width)}</Text>
      </Box>
    );
  } else if (state.view === 'actions') {
    const actions = ctx.actions;
    const list = actionRows(actions, state.filter, state.sort);
    const sel = selectedIndex(state, 'actions', actionIds(list));
    const f = describeFilter(doc, state.filter);
    title = `Recommended actions (${list.length})${f ? ` · ${f}` : ''} · sort: ${state.sort}`;
    body = (
      <Table
        header={actionHeader(width)}
        rows={list}
        start={windowFor('actions', list.length, sel, listRows)}
        height={listRows}
        selected={sel}
        empty={
          actions.length === 0
            ? 'no recommendations: turn them on for an instance in its drawer (1, Enter, Space)'
            : 'no action matches the filters (:clear)'
        }
        render={(a, selected) => <ActionRow key={a.id} a={a} selected={selected} width={width} />}
      />
    );
  } else if (state.view === 'detail') {
    const a = detailAction;
    const lines = detail ?? [];
    if (!a)
      body = <Text>this action is no longer listed (its instance's recommendations were turned off)</Text>;
    else {
      const h = detailRows;
      const top = Math.min(state.detailScroll, ctx.detailMaxScroll);
      title = sanitize(`${a.control.title} — ${a.instance.name}`);
      const tabs = ['Overview', 'Implementation', 'History'];
      body = (
        <Box flexDirection="column">
          <Text wrap="truncate-end">
            {tabs.map((t, i) => (
              <Text key={t} inverse={i === state.detailTab} bold={i === state.detailTab}>{` ${t} `}</Text>
            ))}
            <Text>{'   Tab switches · j/k scrolls · s sets status'}</Text>
          </Text>
          <Text> </Text>
          {lines.slice(top, top + h).map((l, i) => (
            <Text key={i} wrap="truncate-end">
              {l.text || ' '}
            </Text>
          ))}
        </Box>
      );
    }
  } else if (state.view === 'score') {
    body = (
      <ScorePanel views={views} actions={scored} doc={doc} state={state} width={width} height={bodyRows} />
    );
  } else {
    const daily = Math.min(8, Math.max(3, Math.floor(bodyRows / 3)));
    const { key, ids } = currentRows(state, ctx);
    const sel = selectedIndex(state, key, ids);
    const h = Math.max(1, bodyRows - daily - 3);
    const start = windowFor(key, ids.length, sel, h);
    // Only the lines on screen are built: a fleet keeps tens of thousands of poll changes.
    const lines = historyLines(doc, width, start, h);
    body = (
      <Box flexDirection="column">
        <Header text="Score per day" />
        <Box height={daily} flexDirection="column">
          <DailyTable doc={doc} height={daily} />
        </Box>
        <Table
          header="Changes per poll (new · fixed · regressed)"
          rows={lines}
          start={0}
          height={h}
          selected={sel - start}
          empty="no changes recorded yet"
          render={(l, selected, i) => <Row key={start + i} text={l} selected={selected} />}
        />
      </Box>
    );
  }

  const c = views.current;
  const scoreText = `Secure Score ${percent(c)} (${points(c.achieved)}/${points(c.possible)})`;
  // Full tab names when they fit beside the score, short ones otherwise: the score stays whole.
  const long = TOP_VIEWS.map((v, i) => ` ${i + 1} ${VIEW_TITLES[v]} `);
  const labels =
    long.join('').length + scoreText.length + 2 <= width
      ? long
      : SHORT_TITLES.map((t, i) => ` ${i + 1} ${t} `);
  const tabBar = TOP_VIEWS.map((v, i) => ({
    label: labels[i]!,
    active:
      state.view === v ||
      (v === 'apps' && state.view === 'drawer') ||
      (v === 'actions' && state.view === 'detail'),
  }));
  const pollText = progress.running
    ? `polling ${progress.done}/${progress.total}${progress.failed ? ` (${progress.failed} failed)` : ''}`
    : progress.paused
      ? 'polling paused (p resumes)'
      : '';
  const notices = [
    store.notice ?? (store.readOnly ? 'read-only' : ''),
    pollText,
    progress.error ? sanitize(`polls not saved: ${progress.error}`) : '',
    state.message ? sanitize(state.message) : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const input = overlay?.kind === 'input' ? overlay : undefined;
  const hints = input
    ? `${input.purpose === 'command' ? ':' : '/'}${input.value}▏`
    : store.readOnly
      ? // Read-only: no key that would change anything is offered.
        state.view === 'detail'
        ? 'Tab tabs · j/k scroll · Esc back · ? help · q quit'
        : 'Enter open · / filter · : command · 1-4 views · Esc back · ? help · q quit'
      : state.view === 'drawer'
        ? 'Space on/off · . options · a add · r poll · Esc back · ? help'
        : state.view === 'actions'
          ? 'Enter open · / text · P/I product/instance · A accepted · o sort · s status · ? help'
          : state.view === 'detail'
            ? 'Tab tabs · j/k scroll · s status · Esc back · ? help'
            : 'Enter open · / filter · : command · 1-4 views · r poll · ? help · q quit';

  return (
    <ThemeContext.Provider value={theme}>
      <Box flexDirection="column" height={height} width={width}>
        <Text wrap="truncate-end">
          {tabBar.map((t) => (
            <Text key={t.label} inverse={t.active} bold={t.active}>
              {t.label}
            </Text>
          ))}
          <Text {...(theme.accent ? { color: theme.accent } : {})}>{`  ${scoreText}`}</Text>
        </Text>
        <Text bold wrap="truncate-end">
          {truncate(title, width)}
        </Text>
        <Box flexDirection="column" height={bodyRows}>
          {body}
        </Box>
        <Text wrap="truncate-end" {...(theme.muted ? { color: theme.muted } : {})}>
          {truncate(notices || ' ', width)}
        </Text>
        <Text wrap="truncate-end">{truncate(hints, width)}</Text>
      </Box>
    </ThemeContext.Provider>
  );
}
