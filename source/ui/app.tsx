import { statSync } from 'node:fs';
import { useInput, useStdin } from 'ink';
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useReducer,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react';
import type { Catalog } from '../catalog/index.js';
import type { Instance, StoreDoc } from '../domain/schemas.js';
import { collectActions, docScores } from '../domain/scoring.js';
import type { BackgroundPoller, PollProgress } from '../poller/background.js';
import type { Store } from '../store/store.js';
import { type Context, type Effect, reduce, selectAdded } from './controller.js';
import { useEffects } from './effects.js';
import { nextChange } from './clock.js';
import { loadHistory, saveHistory } from './command-history.js';
import { bindingsOf, type Keymap, keyNames } from './keys.js';
import { layout } from './layout.js';
import { once } from './memo.js';
import { rankedOf } from './model.js';
import { INITIAL, type UIState, VIEW_TITLES } from './state.js';
import { type Theme, ThemeContext } from './theme.js';
import { useBracketedPaste } from './use-bracketed-paste.js';
import { useTerminalSize } from './use-terminal-size.js';
import { actionById, DetailView, detailPage } from './views/detail.js';
import { Frame } from './views/frame.js';
import { overlayPage, pageWindow } from './views/pages.js';
import {
  ActionsView,
  AppsView,
  DialogView,
  DrawerView,
  PageView,
  HistoryView,
  ScoreView,
  TooSmall,
} from './views/screens.js';
import { FrameworksView } from './views/frameworks.js';

/**
 * The console's shell: it subscribes to the store and the poller, feeds keys to the reducer,
 * hands the effects to the one runner, and draws the current view in the frame.
 */

export interface AppProps {
  store: Store;
  catalog: Catalog;
  keymap: Keymap;
  theme: Theme;
  poller?: BackgroundPoller;
  /** Who status changes are recorded as (the OS user name). */
  user: string;
  /** The environment the console runs in (the add form refuses a token's value as a variable's name). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where the `:` history is kept across sessions (command-history.ts); absent: this session only. */
  historyFile?: string;
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

/**
 * Keys go to the reducer with the state and context the last frame was drawn from. They are kept
 * once the frame is committed (never while rendering); a key sets the state it leads to at once, so
 * a second key before the next frame starts from it.
 */
function useKeys(state: UIState, ctx: Context, setState: (s: UIState) => void, run: (e: Effect) => unknown) {
  const latest = useRef({ state, ctx });
  useLayoutEffect(() => {
    latest.current = { state, ctx };
  });
  // One handler for the console's life: a new one per render would make Ink detach and attach its
  // stdin listener on every key.
  const raw = useRawInput();
  const onInput = useCallback(
    (input: string, key: Parameters<typeof keyNames>[1]) => {
      const { ctx: now } = latest.current;
      const names = keyNames(input, key, { raw: raw.current, altBound: (name) => now.bindings.has(name) });
      if (names.length === 0) return;
      const { state: before, ctx: drawn } = latest.current;
      let s = before;
      const effects: Effect[] = [];
      for (const name of names) {
        const step = reduce(s, name, drawn);
        s = step.state;
        effects.push(...step.effects);
      }
      if (s !== before) {
        latest.current = { state: s, ctx: drawn };
        setState(s);
      }
      for (const e of effects) void run(e);
    },
    [run, setState, raw],
  );
  useInput(onInput);
}

/**
 * The bytes of the input event being handled. Ink cuts the ESC off the `input` it hands over, so
 * Esc then `/` in one read would look like `/` alone; its parser's event still has it. Our listener
 * goes first (prepended), so the ref holds this event's bytes when useInput's handler runs.
 */
function useRawInput() {
  const { internal_eventEmitter: events } = useStdin();
  const raw = useRef<string | undefined>(undefined);
  useEffect(() => {
    const keep = (input: string) => {
      raw.current = input;
    };
    events.prependListener('input', keep);
    return () => {
      events.removeListener('input', keep);
    };
  }, [events]);
  return raw;
}

/** The `:` history written back when a command line adds to it (not on every key). */
function useSavedHistory(file: string | undefined, history: UIState['history']) {
  const saved = useRef(history);
  useEffect(() => {
    if (!file || history === saved.current) return;
    saved.current = history;
    saveHistory(file, history ?? []);
  }, [file, history]);
}

/** Longest wait for a timer (setTimeout fires at once past 2^31 - 1 ms): a day. */
const LONGEST_WAIT = 86_400_000;

/**
 * Draw again at `at`, when a time on screen reads differently: one timer, none when nothing shown
 * depends on the time. A redraw whose text is unchanged writes nothing (Ink compares frames).
 */
function useRedrawAt(at: number) {
  const [drawn, redraw] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (!Number.isFinite(at)) return;
    // A few milliseconds late rather than early: early, the text would not have changed yet.
    const timer = setTimeout(redraw, Math.min(LONGEST_WAIT, Math.max(0, at - Date.now()) + 5));
    return () => clearTimeout(timer);
  }, [at, drawn]);
}

export function App(props: AppProps) {
  const { store, catalog, keymap, theme, poller, user, onQuit } = props;
  const doc = useStoreDoc(store);
  const progress = usePollProgress(poller);
  const { columns, rows } = useTerminalSize();
  const [state, setState] = useState<UIState>(() => ({
    ...INITIAL,
    ...(props.historyFile ? { history: loadHistory(props.historyFile) } : {}),
    ...props.initial,
  }));
  useSavedHistory(props.historyFile, state.history);
  const note = useCallback(
    (message: string, whilePolling?: boolean) =>
      setState((s) => (whilePolling ? { ...s, pollNote: message } : { ...s, message })),
    [],
  );
  // The add form's new instance gets its id when committed: then the drawer's cursor goes on it.
  const onAdded = useCallback((i: Instance) => setState((s) => selectAdded(s, i)), []);
  const run = useEffects({ store, poller, user, onQuit, note, onAdded });

  const bindings = useMemo(() => bindingsOf(keymap), [keymap]);
  // Recomputed only when the document changes (a poll commit or an operator's change).
  // The first frame (the header, Connected apps) needs only sums: they are added up straight from
  // the results. The actions (30,000 at fleet size) are built on first use, by a view that lists
  // or breaks them down, and ranked on first use after that (ranking sorts thousands).
  // Both at one `now`, so an acceptance expiring in between cannot set them apart.
  const { scores, scoredNow } = useMemo(() => {
    const now = new Date();
    return {
      scores: store.earlyScores?.() ?? docScores(doc, catalog.byId, now),
      scoredNow: once(() => collectActions(doc, catalog.byId, now)),
    };
  }, [doc, catalog, store]);
  const views = scores.views;
  const size = layout(columns, rows);

  const pageOf = (s: Pick<UIState, 'detailId' | 'detailTab'>) => {
    const action = actionById(rankedOf(scoredNow()), s.detailId);
    return action
      ? detailPage(action, s.detailTab, size.width, doc.statuses, rankedOf(scoredNow()), doc.results)
      : [];
  };
  const action = state.view === 'detail' ? actionById(rankedOf(scoredNow()), state.detailId) : undefined;
  const page = action ? pageOf(state) : [];
  const maxScroll = (lines: readonly unknown[]) => Math.max(0, lines.length - size.detailRows);
  const overlayOf = (s: Pick<UIState, 'overlay' | 'view'>) =>
    overlayPage(s.overlay, s.view, doc, catalog, keymap, size.width, Date.now());
  const overlayText = overlayOf(state);
  const ctx: Context = {
    doc,
    // Read only when something looks at it (the History view).
    get polls() {
      return store.history();
    },
    get scored() {
      return scoredNow();
    },
    appScores: scores.byApp,
    get actions() {
      return rankedOf(scoredNow());
    },
    bindings,
    listRows: size.listRows,
    detailMaxScroll: (s) =>
      action && s.detailId === state.detailId && s.detailTab === state.detailTab
        ? maxScroll(page)
        : maxScroll(pageOf(s)),
    overlayMaxScroll: (s) => {
      const text = s.overlay === state.overlay && s.view === state.view ? overlayText : overlayOf(s);
      return text ? pageWindow(text.lines.length, size.bodyRows - 1, 0).maxTop : 0;
    },
    readOnly: store.readOnly,
    now: Date.now(),
    stat: statSync,
    env: props.env ?? process.env,
    tooSmall: size.tooSmall,
  };
  useKeys(state, ctx, setState, run);
  useBracketedPaste();
  useRedrawAt(nextChange(state, ctx, size));
  // A note on what a poll is doing stops being true when the poll ends (or when none started).
  useEffect(() => {
    if (!progress.running && state.pollNote) setState(({ pollNote: _, ...s }) => s);
  }, [progress.running, state.pollNote]);

  if (size.tooSmall) return <TooSmall size={size} help={state.overlay?.kind === 'help'} keymap={keymap} />;

  const common = { state, ctx, size };
  const overlay = state.overlay;
  const view =
    overlayText && (overlay?.kind === 'help' || overlay?.kind === 'instance') ? (
      <PageView
        title={overlay.kind === 'help' ? `Help · ${VIEW_TITLES[state.view]}` : VIEW_TITLES[state.view]}
        page={overlayText}
        top={overlay.scroll ?? 0}
        size={size}
        keymap={keymap}
      />
    ) : overlay && overlay.kind !== 'input' ? (
      <DialogView {...common} catalog={catalog} />
    ) : state.view === 'apps' ? (
      <AppsView {...common} />
    ) : state.view === 'drawer' ? (
      <DrawerView {...common} catalog={catalog} />
    ) : state.view === 'actions' ? (
      <ActionsView {...common} />
    ) : state.view === 'detail' ? (
      <DetailView
        state={state}
        action={action}
        lines={page}
        top={Math.min(state.detailScroll, maxScroll(page))}
        size={size}
      />
    ) : state.view === 'score' ? (
      <ScoreView {...common} views={views} />
    ) : state.view === 'frameworks' ? (
      <FrameworksView {...common} />
    ) : (
      <HistoryView {...common} />
    );

  return (
    <ThemeContext.Provider value={theme}>
      <Frame
        state={state}
        views={views}
        progress={progress}
        notice={store.notice}
        readOnly={store.readOnly}
        size={size}
        keymap={keymap}
      >
        {view}
      </Frame>
    </ThemeContext.Provider>
  );
}
