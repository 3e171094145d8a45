import { SORTS } from '../domain/action-filter.js';
import {
  type AddField,
  type AddProblem,
  findInstance,
  type NewInstance,
  parseApp,
  parseState,
  singleModeRefusal,
  type StatFile,
  validateAdd,
} from '../domain/instances.js';
import {
  APP_LABELS,
  APPS,
  type App,
  type Instance,
  type PollChanges,
  SETTABLE_STATES,
  STATE_LABELS,
  type State,
  STATES,
  type StoreDoc,
} from '../domain/schemas.js';
import { adminUrl } from '../domain/admin-url.js';
import {
  type Action,
  countedInstances,
  mainInstances,
  mainsToChoose,
  type ScoreViews,
} from '../domain/scoring.js';
import { sortApps, sortInstances, stepSort } from './column-sort.js';
import { complete, remember as rememberLine } from './command-line.js';
import { actsInText, keyFor } from './hints.js';
import { type Command, PASTE_END, PASTE_START } from './keys.js';
import { windowRows } from './layout.js';
import { LINE_COMMANDS } from './line-commands.js';
import { windowStart } from './list.js';
import { type ScoreTarget, scoreRows, scoreTarget } from './score-rows.js';
import { sanitize } from '../text/sanitize.js';
import {
  frameworkNamed,
  frameworkReportOf,
  frameworkRowIds,
  nextFramework,
  shownFramework,
} from './framework-rows.js';
import { lastCall } from './memo.js';
import { actionRows, appRows, drawerRows } from './model.js';
import { INITIAL, type Overlay, TOP_VIEWS, type UIState, type View } from './state.js';
import { editField } from './text-field.js';
import { pendingRecommendations, recommendationsNote, remember, undoHint, undoLast } from './undo.js';

/**
 * The console's behaviour as a pure function: (state, key) → (state, effects). The Ink shell
 * renders the state and carries out the effects (store writes, polls, quit).
 */

// The add form's validation is shared with `posture connect`.
export { validateAdd };

export type Effect =
  | { type: 'quit' }
  /** Recommendations set to what the operator saw flipped (or put back): a value, never a flip. */
  | { type: 'toggle'; instanceId: string; on: boolean }
  | { type: 'poll'; instanceIds?: string[] }
  | { type: 'pause' }
  | { type: 'status'; instanceId: string; controlId: string; state: State; reason: string; expires?: string }
  | { type: 'secureScoreInstance'; instanceId: string }
  /** Undo of a main-instance choice: the app's recorded main, and the chosen one's recommendations. */
  | { type: 'restoreMain'; app: App; main: string | undefined; instanceId: string; recommendations: boolean }
  | { type: 'add'; instance: NewInstance }
  | { type: 'edit'; instanceId: string; instance: NewInstance }
  | { type: 'mode'; mode: 'single' | 'multiple' }
  /** Copy `text` to the clipboard (OSC 52); `what` names it in the message. */
  | { type: 'copy'; text: string; what: string }
  /** Open an http(s) URL in the host's browser; `copyKey` is offered where there is none. */
  | { type: 'browse'; url: string; what: string; copyKey: string };

export interface Context {
  doc: StoreDoc;
  /** Poll history, oldest first (read from its file on first use: the History view). */
  polls: readonly PollChanges[];
  /** The counted actions, unranked: for scores (built on first use: the first frame needs none). */
  scored: readonly Action[];
  /** Per app, the score views (summed without building actions): Connected apps. */
  appScores: ReadonlyMap<App, ScoreViews>;
  /** The same, ranked (computed on first use). */
  actions: readonly Action[];
  bindings: Map<string, Command[]>;
  /** Rows a list can show. */
  listRows: number;
  /**
   * How far an action's page (the one `state` opens, on its tab) scrolls before its last line
   * shows. A function of the state, not of the last frame: Enter then G in one read must reach the
   * end of the page Enter opened, before any frame of it was drawn.
   */
  detailMaxScroll: (state: Pick<UIState, 'detailId' | 'detailTab'>) => number;
  /** The same for the help or instance page `state` has open (0 when none; absent: 0). */
  overlayMaxScroll?: (state: Pick<UIState, 'overlay' | 'view'>) => number;
  readOnly: boolean;
  now: number;
  /** How the add form looks at the token and CA files it names (node's statSync in the console). */
  stat: StatFile;
  /** The console's environment: the add form refuses a token's value given as its variable's name. */
  env: Readonly<Record<string, string | undefined>>;
  /** Below the minimum size: only quitting, help and Esc work, and no list is shown. */
  tooSmall?: boolean;
}

export interface Step {
  state: UIState;
  effects: Effect[];
}

const REASON_REQUIRED: State[] = ['risk_accepted', 'third_party', 'alternate_mitigation'];

export type MenuItem = 'toggle' | 'poll' | 'access' | 'secureScoreInstance' | 'edit';

/** The drawer's options menu ("…") for one instance; single mode adds "Set as Secure Score instance". */
export function menuItems(doc: StoreDoc, instance: Instance | undefined): { id: MenuItem; label: string }[] {
  return [
    {
      id: 'toggle',
      label: instance?.recommendations
        ? 'Turn off Secure Score recommendations'
        : 'Turn on Secure Score recommendations',
    },
    { id: 'poll', label: 'Poll now' },
    ...(doc.settings.instanceMode === 'single'
      ? [{ id: 'secureScoreInstance' as const, label: 'Set as Secure Score instance' }]
      : []),
    { id: 'edit', label: 'Edit' },
    { id: 'access', label: 'What its credential can evaluate' },
  ];
}

/**
 * The add form's values for an existing instance, to edit it. They are the store's text: the form
 * holds them sanitized, so that it shows what saving would store.
 */
export function formValues(i: Instance): Record<string, string> {
  return {
    app: i.app,
    name: sanitize(i.name),
    url: sanitize(i.baseUrl),
    variable: i.credential.kind === 'env' ? sanitize(i.credential.variable) : '',
    tokenFile: i.credential.kind === 'file' ? sanitize(i.credential.path) : '',
    caFile: sanitize(i.caFile ?? ''),
    extra: Object.entries(i.options)
      .map(([k, v]) => sanitize(`${k}=${v}`))
      .join(', '),
  };
}

export const ADD_FIELDS = [
  { key: 'app', label: 'App', hint: APPS.join(' | ') },
  { key: 'name', label: 'Name', hint: 'e.g. Okta Contoso EU' },
  { key: 'url', label: 'Base URL', hint: 'https://…' },
  { key: 'variable', label: 'Token variable', hint: 'name of the environment variable holding the secret' },
  { key: 'tokenFile', label: 'Token file', hint: 'or: absolute path of a file holding it, mode 0600' },
  {
    key: 'caFile',
    label: 'CA file (optional)',
    hint: "PEM file of a private CA that signs the tenant's certificate",
  },
  { key: 'extra', label: 'Options', hint: 'key=value, comma separated (e.g. org=contoso)' },
] as const;

const addFieldIndex = (field: AddField) => ADD_FIELDS.findIndex((f) => f.key === field);

// ---- selectors over the current state ----
export const actionIds = lastCall((rows: readonly Action[]) => rows.map((a) => a.id));
/** History rows are a log, newest first: they are tracked by position. */
const historyIds = lastCall((polls: readonly unknown[]) => polls.map((_, i) => String(i)));

export function currentRows(state: UIState, ctx: Context): { key: string; ids: string[] } {
  switch (state.view) {
    case 'apps':
      return {
        key: 'apps',
        ids: sortApps(
          appRows(ctx.doc, ctx.appScores, state.appText, ctx.now),
          state.columnSorts?.apps,
          ctx.doc,
          ctx.now,
        ).map((r) => r.id),
      };
    case 'drawer':
      return {
        key: `drawer:${state.app}`,
        ids: sortInstances(
          drawerRows(ctx.doc, state.app, state.drawerText),
          state.columnSorts?.drawer,
          ctx.doc,
          ctx.now,
        ).map((i) => i.id),
      };
    case 'actions':
      return {
        key: 'actions',
        ids: actionIds(actionRows(ctx.actions, state.filter, state.sort, state.sortReverse)),
      };
    case 'history':
      return { key: 'history', ids: historyIds(ctx.polls) };
    case 'score':
      return { key: 'score', ids: scoreRows(ctx.scored).ids };
    case 'frameworks': {
      const f = shownFramework(state.framework);
      return { key: `frameworks:${f?.id}`, ids: f ? frameworkRowIds(frameworkReportOf(ctx.scored, f)) : [] };
    }
    default:
      return { key: state.view, ids: [] };
  }
}

export function selectedIndex(state: UIState, key: string, ids: readonly string[]): number {
  const id = state.selected[key];
  if (id !== undefined) {
    const i = ids.indexOf(id);
    if (i >= 0) return i;
  }
  return Math.max(0, Math.min(state.index[key] ?? 0, ids.length - 1));
}

function select(state: UIState, key: string, ids: readonly string[], index: number): UIState {
  const i = Math.max(0, Math.min(index, ids.length - 1));
  return { ...state, selected: { ...state.selected, [key]: ids[i] }, index: { ...state.index, [key]: i } };
}

export function selectedInstance(state: UIState, ctx: Context): Instance | undefined {
  if (state.view !== 'drawer') return undefined;
  const { key, ids } = currentRows(state, ctx);
  const id = ids[selectedIndex(state, key, ids)];
  return ctx.doc.instances.find((i) => i.id === id);
}

export function selectedAction(state: UIState, ctx: Context): Action | undefined {
  if (state.view === 'detail') return ctx.actions.find((a) => a.id === state.detailId);
  if (state.view !== 'actions') return undefined;
  const rows = actionRows(ctx.actions, state.filter, state.sort, state.sortReverse);
  return rows[selectedIndex(state, 'actions', actionIds(rows))];
}

function go(state: UIState, view: View, push: boolean): UIState {
  return {
    ...state,
    view,
    stack: push ? [...state.stack, state.view] : [],
    overlay: undefined,
    message: undefined,
  };
}

function cycle<T>(list: readonly T[], current: T | undefined): T | undefined {
  if (list.length === 0) return undefined;
  if (current === undefined) return list[0];
  const i = list.indexOf(current);
  return i < 0 || i === list.length - 1 ? undefined : list[i + 1];
}

/** Whether the keymap binds `key` to `command` (overlays read the one keymap too). */
export const bound = (ctx: Pick<Context, 'bindings'>, key: string, command: Command) =>
  ctx.bindings.get(key)?.includes(command) ?? false;

/**
 * A dialog's choose and close keys: Enter and Esc always, and the keys the keymap gives `open` and
 * `back` (in a text field only those that type no character), as its hints say.
 */
const chooses = (ctx: Pick<Context, 'bindings'>, key: string, inText = false) =>
  key === 'enter' || (bound(ctx, key, 'open') && (!inText || actsInText(key)));
const closes = (ctx: Pick<Context, 'bindings'>, key: string, inText = false) =>
  key === 'escape' || (bound(ctx, key, 'back') && (!inText || actsInText(key)));
/** A form's field moves: the arrow or Tab it always takes, and the keymap's named keys for it. */
const moves = (ctx: Pick<Context, 'bindings'>, key: string, named: string, command: Command) =>
  key === named || (bound(ctx, key, command) && actsInText(key));

// ---- the reducer ----
const LISTS: readonly View[] = ['apps', 'drawer', 'actions', 'history', 'score', 'frameworks'];

/** The state with its list's window where the view shows it: the selection in view, moved as little as can be. */
function withWindow(state: UIState, ctx: Context): UIState {
  if (!LISTS.includes(state.view)) return state;
  const { key, ids } = currentRows(state, ctx);
  const previous = state.windows[key] ?? 0;
  // The Secure Score view's products always show: its window is over the instances below them.
  const fixed = state.view === 'score' ? scoreRows(ctx.scored).products.length : 0;
  const start = windowStart(
    ids.length - fixed,
    Math.max(0, selectedIndex(state, key, ids) - fixed),
    windowRows(state.view, ctx.listRows, fixed),
    previous,
  );
  return start === previous ? state : { ...state, windows: { ...state.windows, [key]: start } };
}

/** Where the list's window starts, as the view draws it (the state's memory, fitted to the list now). */
export function windowOf(state: UIState, ctx: Context): number {
  if (!LISTS.includes(state.view)) return 0;
  const { key } = currentRows(state, ctx);
  return withWindow(state, ctx).windows[key] ?? 0;
}

export function reduce(state: UIState, key: string, ctx: Context): Step {
  if (key === PASTE_START) return { state: { ...state, pasting: true }, effects: [] };
  if (state.pasting && (key === PASTE_END || key === 'escape')) {
    const { pasting: _, ...rest } = state;
    return { state: rest, effects: [] };
  }
  if (key === PASTE_END) return { state, effects: [] };
  if (state.pasting) {
    // Pasted text is text: it goes into the open field (its line breaks and tabs as spaces, so a
    // paste never submits a half-typed field), and nowhere when no field is open (never as keys).
    if (!inTextField(state)) return { state, effects: [] };
    const text = key === 'enter' || key === 'tab' ? 'space' : key;
    if (text !== 'space' && text !== 'backspace' && [...text].length !== 1) return { state, effects: [] };
    key = text;
  }
  if (ctx.tooSmall) {
    // Too small to show anything: only quitting, help and Esc work; no list moves unseen.
    const allowed =
      key === 'escape' || key === 'ctrl+c' || bound(ctx, key, 'quit') || bound(ctx, key, 'help');
    return allowed ? reduceKey(state, key, ctx) : { state, effects: [] };
  }
  // From the window the last frame showed (the list may have changed since the last key) to the next.
  const from = withWindow(state, ctx);
  const step = reduceKey(from, key, ctx);
  return { ...step, state: withWindow(step.state === from ? from : pinned(step.state, ctx), ctx) };
}

/**
 * The state with its list's selection held by id: a list shown with its cursor never moved (the
 * first row, by index) keeps the cursor on that row when the list changes under it (a poll
 * re-ranks, an instance is added, the store is reloaded), so that a key acts on the row the
 * operator chose, not on whatever came to that position.
 */
function pinned(state: UIState, ctx: Context): UIState {
  if (!LISTS.includes(state.view) || state.view === 'history') return state;
  const { key, ids } = currentRows(state, ctx);
  if (state.selected[key] !== undefined || ids.length === 0) return state;
  return { ...state, selected: { ...state.selected, [key]: ids[selectedIndex(state, key, ids)] } };
}

function reduceKey(state: UIState, key: string, ctx: Context): Step {
  if (key === 'ctrl+c') return { state, effects: [{ type: 'quit' }] };
  if (state.overlay) return overlayKey(state, state.overlay, key, ctx);
  const commands = ctx.bindings.get(key) ?? [];
  for (const c of commands) {
    const step = command(state, c, ctx);
    if (step) return step;
  }
  return { state, effects: [] };
}

function command(state: UIState, c: Command, ctx: Context): Step | undefined {
  const none: Effect[] = [];
  const ok = (s: UIState, effects: Effect[] = none): Step => ({ state: s, effects });
  const { key, ids } = currentRows(state, ctx);
  const at = selectedIndex(state, key, ids);
  const page = Math.max(1, ctx.listRows - 1);
  const mutate = (s: UIState, effects: Effect[]): Step =>
    // Read-only: nothing opens that could change the store; say why instead.
    ctx.readOnly ? ok({ ...state, message: 'read-only: changes are disabled' }) : ok(s, effects);

  switch (c) {
    case 'quit':
      return ok(state, [{ type: 'quit' }]);
    case 'help':
      return ok({ ...state, overlay: { kind: 'help' } });
    case 'view.apps':
    case 'view.score':
    case 'view.actions':
    case 'view.history':
      return ok(
        go(state, TOP_VIEWS[['view.apps', 'view.score', 'view.actions', 'view.history'].indexOf(c)]!, false),
      );
    case 'view.frameworks':
      return ok(go(state, 'frameworks', false));
    case 'command':
      return ok({ ...state, overlay: { kind: 'input', purpose: 'command', value: '' }, message: undefined });
    case 'filter': {
      if (state.view !== 'apps' && state.view !== 'drawer' && state.view !== 'actions') return undefined;
      const value =
        state.view === 'apps'
          ? state.appText
          : state.view === 'drawer'
            ? state.drawerText
            : state.filter.text;
      return ok({ ...state, overlay: { kind: 'input', purpose: 'filter', value }, message: undefined });
    }
    case 'back': {
      if (state.view === 'apps' && state.appText) return ok({ ...state, appText: '' });
      if (state.view === 'drawer' && state.drawerText) return ok({ ...state, drawerText: '' });
      if (state.view === 'actions' && state.filter.text)
        return ok({ ...state, filter: { ...state.filter, text: '' } });
      const prev = state.stack[state.stack.length - 1];
      if (!prev) return ok({ ...state, message: undefined });
      return ok({ ...state, view: prev, stack: state.stack.slice(0, -1), message: undefined });
    }
    case 'poll': {
      const inst = selectedInstance(state, ctx);
      const pollNote = inst ? `polling ${inst.name}…` : 'polling all instances…';
      return mutate({ ...state, pollNote, message: undefined }, [
        { type: 'poll', ...(inst ? { instanceIds: [inst.id] } : {}) },
      ]);
    }
    case 'pause':
      return ok(state, [{ type: 'pause' }]);
    default:
      break;
  }

  if (c === 'copy' || c === 'browse') return share(state, c, ctx);
  if (state.view === 'detail') return detailCommand(state, c, ctx);
  if (state.view === 'score' && c === 'score.view') {
    const views = ['current', 'planned', 'achievable'] as const;
    return ok({ ...state, scoreView: views[(views.indexOf(state.scoreView) + 1) % views.length]! });
  }

  switch (c) {
    case 'nav.up':
      return ok(select(state, key, ids, at - 1));
    case 'nav.down':
      return ok(select(state, key, ids, at + 1));
    case 'nav.top':
      return ok(select(state, key, ids, 0));
    case 'nav.bottom':
      return ok(select(state, key, ids, ids.length - 1));
    case 'nav.pageUp':
      return ok(select(state, key, ids, at - page));
    case 'nav.pageDown':
      return ok(select(state, key, ids, at + page));
    default:
      break;
  }

  if (state.view === 'score' && c === 'open') return drillDown(state, scoreTarget(ids[at]));
  if (state.view === 'frameworks') {
    if (c === 'framework.next') return ok({ ...state, framework: nextFramework(state.framework) });
    if (c === 'open' && ids[at]) return openRequirement(state, ctx, ids[at]);
  }
  if (state.view === 'apps' && c === 'open') {
    const app = ids[at] as App | undefined;
    return app ? ok({ ...go(state, 'drawer', true), app, drawerText: '' }) : undefined;
  }
  if (c === 'undo') return undoLast(state, ctx);
  if ((state.view === 'apps' || state.view === 'drawer') && c.startsWith('sort')) {
    const list = state.view;
    const step = c === 'sort' ? 'next' : c === 'sort.prev' ? 'prev' : 'reverse';
    const { [list]: _, ...others } = state.columnSorts ?? {};
    const sort = stepSort(list, state.columnSorts?.[list], step);
    return ok({ ...state, columnSorts: { ...others, ...(sort ? { [list]: sort } : {}) } });
  }
  if (state.view === 'drawer') {
    const inst = ctx.doc.instances.find((i) => i.id === ids[at]);
    if (c === 'toggle' && inst) return ctx.readOnly ? mutate(state, []) : toggled(state, inst, ctx);
    if (c === 'menu' && inst) return mutate({ ...state, overlay: { kind: 'menu', choice: 0 } }, []);
    // Enter describes the instance whole (k9s's describe): reading changes nothing, read-only too.
    if (c === 'open' && inst) return ok({ ...state, overlay: { kind: 'instance', instanceId: inst.id } });
    // Refused at once, not after every field is typed: nothing typed could make it possible.
    const refused = state.app && singleModeRefusal(ctx.doc, state.app);
    if (c === 'add' && refused && !ctx.readOnly)
      return ok({ ...state, message: `${refused.message} (:mode multiple allows more)` });
    if (c === 'add')
      return mutate(
        {
          ...state,
          overlay: { kind: 'add', field: 1, values: { app: state.app ?? 'okta' }, confirm: false },
        },
        [],
      );
  }
  if (state.view === 'actions') {
    const f = state.filter;
    if (c === 'open' && ids[at])
      return ok({ ...go(state, 'detail', true), detailId: ids[at], detailTab: 0, detailScroll: 0 });
    if (c === 'filter.product') {
      const apps = APPS.filter((a) => ctx.doc.instances.some((i) => i.app === a));
      const product = cycle(apps, f.product);
      const { product: _p, instance: _i, ...rest } = f;
      return ok({ ...state, filter: { ...rest, ...(product ? { product } : {}) } });
    }
    if (c === 'filter.instance') {
      // The instances whose actions are listed: in single-instance mode, one per app.
      const list = countedInstances(ctx.doc)
        .filter((i) => !f.product || i.app === f.product)
        .map((i) => i.id);
      const instance = cycle(list, f.instance);
      const { instance: _i, ...rest } = f;
      return ok({ ...state, filter: { ...rest, ...(instance ? { instance } : {}) } });
    }
    if (c === 'filter.accepted') return ok({ ...state, filter: { ...f, showAccepted: !f.showAccepted } });
    if (c === 'sort' || c === 'sort.prev') {
      const step = c === 'sort' ? 1 : SORTS.length - 1;
      // A new column starts in its own order: reversing is asked for each time.
      return ok({
        ...state,
        sort: SORTS[(SORTS.indexOf(state.sort) + step) % SORTS.length]!,
        sortReverse: false,
      });
    }
    if (c === 'sort.reverse') return ok({ ...state, sortReverse: !state.sortReverse });
    if (c === 'wide') return ok({ ...state, wide: !state.wide });
    if (c === 'status' && ids[at]) return openStatus(state, ctx);
  }
  return undefined;
}

/**
 * Space (or the menu's first item): the recommendations set to the opposite of what the operator
 * sees on the selected row, said, and remembered for undo.
 */
function toggled(state: UIState, inst: Instance, ctx: Context): Step {
  const seen = pendingRecommendations(state, inst) ?? inst.recommendations;
  const on = !seen;
  const uncounted =
    ctx.doc.settings.instanceMode === 'single' && mainInstances(ctx.doc).get(inst.app) !== inst
      ? ' (not counted: not the Secure Score instance)'
      : '';
  const s = remember(state, {
    kind: 'recommendations',
    instanceId: inst.id,
    name: inst.name,
    was: seen,
  });
  return {
    state: {
      ...s,
      overlay: undefined,
      message: `${recommendationsNote(inst.name, on)}${uncounted}${undoHint(ctx)}`,
    },
    effects: [{ type: 'toggle', instanceId: inst.id, on }],
  };
}

/** After an add is committed: the drawer's cursor on the new instance (its id is known only then). */
export function selectAdded(state: UIState, instance: Pick<Instance, 'id' | 'app'>): UIState {
  return { ...state, selected: { ...state.selected, [`drawer:${instance.app}`]: instance.id } };
}

/**
 * Recommended actions filtered to a product or an instance of the Secure Score view, from the top
 * of the list; Esc comes back. The other filters go: the list is the whole of what was chosen.
 */
function drillDown(state: UIState, target: ScoreTarget | undefined): Step | undefined {
  if (!target) return undefined;
  const filter = { text: '', showAccepted: state.filter.showAccepted, ...target };
  const { actions: _s, ...selected } = state.selected;
  return {
    state: {
      ...go(state, 'actions', true),
      filter,
      selected,
      index: { ...state.index, actions: 0 },
      windows: { ...state.windows, actions: 0 },
    },
    effects: [],
  };
}

/**
 * Enter on a requirement: the action page when one counted action stands behind it, else the
 * Recommended actions of its app filtered to its control; a requirement checked by hand says so.
 */
function openRequirement(state: UIState, ctx: Context, requirementId: string): Step | undefined {
  const f = shownFramework(state.framework);
  const row = f && frameworkReportOf(ctx.scored, f).rows.find((r) => r.id === requirementId);
  if (!f || !row) return undefined;
  const said = (message: string): Step => ({ state: { ...state, message }, effects: [] });
  if (row.controls.length === 0)
    return said(
      row.manual.length
        ? `${row.id} is checked by hand: ${row.manual[0]!.title} (posture export --framework ${f.id} --format markdown says how)`
        : `${row.id}: no control checks it yet`,
    );
  const ids = new Set(row.controls.map((c) => c.id));
  const behind = ctx.actions.filter((a) => ids.has(a.control.id));
  if (behind.length === 1)
    return {
      state: { ...go(state, 'detail', true), detailId: behind[0]!.id, detailTab: 0, detailScroll: 0 },
      effects: [],
    };
  const step = drillDown(state, { product: f.app });
  // One control: the list narrowed to its title; several: its app's actions.
  const text = row.controls.length === 1 ? row.controls[0]!.title : '';
  return step && { ...step, state: { ...step.state, filter: { ...step.state.filter, text } } };
}

/** What the copy and browse keys act on here: the selected row's id or link. */
function shared(state: UIState, ctx: Context): { what: string; text: string; url?: string } | undefined {
  if (state.view === 'drawer') {
    const inst = selectedInstance(state, ctx);
    if (!inst) return undefined;
    const url = adminUrl(inst);
    return url ? { what: `admin URL of ${inst.name}`, text: url, url } : { what: 'name', text: inst.name };
  }
  const a = selectedAction(state, ctx);
  if (!a) return undefined;
  // On the action's page, its reference link (the catalog's, not the tenant's text).
  const link = state.view === 'detail' ? a.control.links.find((l) => /^https?:\/\//.test(l)) : undefined;
  return link
    ? { what: 'reference link', text: link, url: link }
    : { what: 'control id', text: a.control.id };
}

function share(state: UIState, c: 'copy' | 'browse', ctx: Context): Step | undefined {
  const target = shared(state, ctx);
  // Said rather than nothing done: an empty list (or a filter that hides every row) has no row to act on.
  if (!target)
    return {
      state: {
        ...state,
        message: `nothing to ${c === 'copy' ? 'copy' : 'open'}: no ${state.view === 'drawer' ? 'instance' : 'action'} is selected`,
      },
      effects: [],
    };
  if (c === 'copy') return { state, effects: [{ type: 'copy', text: target.text, what: target.what }] };
  const copyKey = keyFor(ctx, 'copy') ?? 'copy';
  if (!target.url)
    return {
      state: { ...state, message: `no link to open here (${copyKey} copies the ${target.what})` },
      effects: [],
    };
  return { state, effects: [{ type: 'browse', url: target.url, what: target.what, copyKey }] };
}

function openStatus(state: UIState, ctx: Context): Step {
  if (ctx.readOnly) return { state: { ...state, message: 'read-only: changes are disabled' }, effects: [] };
  const action = selectedAction(state, ctx);
  if (!action) return { state, effects: [] };
  if (action.state === 'completed')
    return {
      state: { ...state, message: 'Completed is set by the system: all points are achieved' },
      effects: [],
    };
  if (action.state === 'not_applicable')
    return {
      state: { ...state, message: 'Not applicable is set by the system: the setting is not there' },
      effects: [],
    };
  return {
    state: {
      ...state,
      overlay: { kind: 'status', actionId: action.id, step: 'pick', choice: 0, reason: '', expiry: '' },
    },
    effects: [],
  };
}

const TABS = 3;
function detailCommand(state: UIState, c: Command, ctx: Context): Step | undefined {
  const ok = (s: UIState): Step => ({ state: s, effects: [] });
  // Kept within the page: past its end, a key back up would seem to do nothing.
  const max = ctx.detailMaxScroll(state);
  const scroll = (to: number) => ok({ ...state, detailScroll: Math.max(0, Math.min(to, max)) });
  switch (c) {
    case 'tab.next':
      return ok({ ...state, detailTab: (state.detailTab + 1) % TABS, detailScroll: 0 });
    case 'tab.prev':
      return ok({ ...state, detailTab: (state.detailTab + TABS - 1) % TABS, detailScroll: 0 });
    case 'nav.down':
      return scroll(state.detailScroll + 1);
    case 'nav.up':
      return scroll(state.detailScroll - 1);
    case 'nav.pageDown':
      return scroll(state.detailScroll + ctx.listRows - 1);
    case 'nav.pageUp':
      return scroll(state.detailScroll - ctx.listRows + 1);
    case 'nav.top':
      return scroll(0);
    case 'nav.bottom':
      return scroll(max);
    case 'status':
      return openStatus(state, ctx);
    default:
      return undefined;
  }
}

// ---- overlays ----
/** A page's first line after a moving key, kept within the page (past its end, up would seem dead). */
function pageScroll(state: UIState, top: number, key: string, ctx: Context): number {
  const max = ctx.overlayMaxScroll?.(state) ?? 0;
  const page = Math.max(1, ctx.listRows - 1);
  const to = bound(ctx, key, 'nav.down')
    ? top + 1
    : bound(ctx, key, 'nav.up')
      ? top - 1
      : bound(ctx, key, 'nav.pageDown')
        ? top + page
        : bound(ctx, key, 'nav.pageUp')
          ? top - page
          : bound(ctx, key, 'nav.top')
            ? 0
            : bound(ctx, key, 'nav.bottom')
              ? max
              : top;
  return Math.max(0, Math.min(to, max));
}

function overlayKey(state: UIState, o: Overlay, key: string, ctx: Context): Step {
  const ok = (s: UIState, effects: Effect[] = []): Step => ({ state: s, effects });
  const close = (patch: Partial<UIState> = {}) => ok({ ...state, overlay: undefined, ...patch });

  if (o.kind === 'help' || o.kind === 'instance') {
    if (closes(ctx, key) || chooses(ctx, key) || (o.kind === 'help' && bound(ctx, key, 'help')))
      return close();
    if (o.kind === 'help' && bound(ctx, key, 'quit')) return close();
    const scroll = pageScroll(state, o.scroll ?? 0, key, ctx);
    return scroll === (o.scroll ?? 0) ? ok(state) : ok({ ...state, overlay: { ...o, scroll } });
  }

  if (o.kind === 'access') return closes(ctx, key) || chooses(ctx, key) ? close() : ok(state);

  if (o.kind === 'menu') {
    const inst = selectedInstance(state, ctx);
    const items = menuItems(ctx.doc, inst);
    if (closes(ctx, key)) return close();
    if (bound(ctx, key, 'nav.up'))
      return ok({ ...state, overlay: { ...o, choice: Math.max(0, o.choice - 1) } });
    if (bound(ctx, key, 'nav.down'))
      return ok({ ...state, overlay: { ...o, choice: Math.min(items.length - 1, o.choice + 1) } });
    if (chooses(ctx, key) && inst) {
      const what = items[o.choice]?.id;
      // Reading what a credential can evaluate changes nothing: read-only consoles may too.
      if (what === 'access')
        return ok({ ...state, overlay: { kind: 'access', app: inst.app, name: inst.name } });
      if (ctx.readOnly) return close({ message: 'read-only: changes are disabled' });
      if (what === 'toggle') return toggled(state, inst, ctx);
      if (what === 'poll')
        return ok({ ...state, overlay: undefined, pollNote: `polling ${inst.name}…`, message: undefined }, [
          { type: 'poll', instanceIds: [inst.id] },
        ]);
      if (what === 'edit')
        return ok({
          ...state,
          overlay: { kind: 'add', field: 1, values: formValues(inst), confirm: false, editId: inst.id },
        });
      if (what === 'secureScoreInstance') {
        const s = remember(state, {
          kind: 'main',
          app: inst.app,
          instanceId: inst.id,
          was: ctx.doc.settings.secureScoreInstance[inst.app],
          wasOn: inst.recommendations,
        });
        return ok(
          {
            ...s,
            overlay: undefined,
            message: `${inst.name} is the Secure Score instance for ${APP_LABELS[inst.app]}${undoHint(ctx)}`,
          },
          [{ type: 'secureScoreInstance', instanceId: inst.id }],
        );
      }
    }
    return ok(state);
  }

  if (o.kind === 'input') return inputKey(state, o, key, ctx);
  if (o.kind === 'status') return statusKey(state, o, key, ctx);
  return addKey(state, o, key, ctx);
}

/** Whether typed keys go to a text field (the filter, the command line, a dialog's field). */
export function inTextField(state: UIState): boolean {
  const o = state.overlay;
  if (o?.kind === 'input') return true;
  if (o?.kind === 'status') return o.step !== 'pick';
  return o?.kind === 'add' && !o.confirm;
}

function withText(state: UIState, value: string): UIState {
  if (state.view === 'apps') return { ...state, appText: value };
  if (state.view === 'drawer') return { ...state, drawerText: value };
  return { ...state, filter: { ...state.filter, text: value } };
}

function inputKey(state: UIState, o: Extract<Overlay, { kind: 'input' }>, key: string, ctx: Context): Step {
  if (key === 'escape') {
    const s = { ...state, overlay: undefined };
    return { state: o.purpose === 'filter' ? withText(s, '') : s, effects: [] };
  }
  if (key === 'enter') {
    if (o.purpose === 'filter')
      return { state: { ...withText(state, o.value), overlay: undefined }, effects: [] };
    return runCommand(
      { ...state, overlay: undefined, history: rememberLine(state.history, o.value) },
      o.value,
      ctx,
    );
  }
  if (o.purpose === 'command') {
    const step = commandLineKey(state, o, key, ctx);
    if (step) return step;
  }
  const field = editField(o, key);
  if (field === undefined) return { state, effects: [] };
  const { value } = field;
  const next = { ...state, overlay: { ...o, ...field, candidates: undefined } };
  // Filters apply as you type.
  return { state: o.purpose === 'filter' ? withText(next, value) : next, effects: [] };
}

/** Tab completes the command line; up and down walk the session's history of it. */
function commandLineKey(
  state: UIState,
  o: Extract<Overlay, { kind: 'input' }>,
  key: string,
  ctx: Context,
): Step | undefined {
  const set = (patch: Partial<typeof o>): Step => ({
    state: { ...state, overlay: { ...o, ...patch } },
    effects: [],
  });
  if (key === 'tab') {
    const done = complete(o.value, ctx.doc);
    return set({ value: done.line, cursor: undefined, candidates: done.candidates });
  }
  const history = state.history ?? [];
  if (key === 'up' || key === 'ctrl+p') {
    const at = (o.recalled?.at ?? -1) + 1;
    if (at >= history.length) return { state, effects: [] };
    const draft = o.recalled?.draft ?? o.value;
    return set({ value: history[at]!, cursor: undefined, recalled: { at, draft }, candidates: undefined });
  }
  if (key === 'down' || key === 'ctrl+n') {
    if (!o.recalled) return { state, effects: [] };
    const at = o.recalled.at - 1;
    if (at < 0) return set({ value: o.recalled.draft, cursor: undefined, recalled: undefined });
    return set({ value: history[at]!, cursor: undefined, recalled: { ...o.recalled, at } });
  }
  return undefined;
}

/** Split a command line into words, honouring double quotes: `instance "Okta Contoso EU"`. */
export function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

export function runCommand(state: UIState, line: string, ctx: Context): Step {
  const [name = '', ...args] = words(line.trim().replace(/^:/, ''));
  const arg = args.join(' ');
  const msg = (message: string): Step => ({ state: { ...state, message }, effects: [] });
  const onActions = (s: UIState): UIState => (s.view === 'actions' ? s : go(s, 'actions', false));
  switch (name) {
    case 'q':
    case 'quit':
      return { state, effects: [{ type: 'quit' }] };
    case '':
      return { state, effects: [] };
    case 'apps':
    case 'score':
    case 'actions':
    case 'history':
      return { state: go(state, name, false), effects: [] };
    case 'mode': {
      const mode = ctx.doc.settings.instanceMode;
      if (!arg) return msg(modeNote(mode));
      if (arg !== 'single' && arg !== 'multiple') return msg('usage: :mode single | :mode multiple');
      if (arg === mode) return msg(`already on: ${modeNote(mode)}`);
      if (ctx.readOnly) return msg('read-only: changes are disabled');
      return { state: { ...state, message: switchNote(arg, ctx) }, effects: [{ type: 'mode', mode: arg }] };
    }
    case 'clear':
      return { state: { ...state, filter: INITIAL.filter, appText: '', drawerText: '' }, effects: [] };
    case 'framework': {
      const f = arg ? frameworkNamed(arg) : shownFramework(state.framework);
      if (!f) return msg(`no framework named "${sanitize(arg)}" (Tab lists them)`);
      return { state: { ...go(state, 'frameworks', false), framework: f.id }, effects: [] };
    }
    case 'product': {
      if (!arg) {
        const { product: _p, ...rest } = state.filter;
        return { state: onActions({ ...state, filter: rest }), effects: [] };
      }
      const app = parseApp(arg);
      if (!app) return msg(`unknown product "${arg}" (one of ${APPS.join(', ')})`);
      const { instance: _i, ...rest } = state.filter;
      return { state: onActions({ ...state, filter: { ...rest, product: app } }), effects: [] };
    }
    case 'instance': {
      if (!arg) {
        const { instance: _i, ...rest } = state.filter;
        return { state: onActions({ ...state, filter: rest }), effects: [] };
      }
      const inst = findInstance(ctx.doc, arg);
      if (!inst) return msg(`no instance named "${arg}"`);
      return { state: onActions({ ...state, filter: { ...state.filter, instance: inst.id } }), effects: [] };
    }
    case 'status': {
      if (!arg) {
        const { status: _s, ...rest } = state.filter;
        return { state: onActions({ ...state, filter: rest }), effects: [] };
      }
      const st = parseState(arg);
      if (!st) return msg(`unknown status "${arg}" (${STATES.join(', ')})`);
      return { state: onActions({ ...state, filter: { ...state.filter, status: st } }), effects: [] };
    }
    default:
      return msg(`unknown command ":${name}" (${LINE_COMMANDS.map((c) => c.name).join(', ')})`);
  }
}

/** Which mode is on and what counts in it (`:mode` without an argument): one line at 80 columns. */
function modeNote(mode: 'single' | 'multiple'): string {
  return mode === 'multiple'
    ? 'multiple-instance mode is on: each instance with recommendations on counts'
    : "single-instance mode is on: only each app's Secure Score instance counts";
}

/** What switching does, naming the main instances it chooses where an app had none. */
function switchNote(mode: 'single' | 'multiple', ctx: Context): string {
  if (mode === 'multiple') return 'multiple-instance mode: every instance with recommendations on counts';
  const chosen = [...mainsToChoose(ctx.doc)].map(([app, i]) => `${APP_LABELS[app]}: ${i.name}`);
  const menu = keyFor(ctx, 'menu') ?? 'options';
  return chosen.length
    ? `single-instance mode: Secure Score instances chosen: ${chosen.join(', ')} (${menu} in the drawer changes them)`
    : `single-instance mode: only each app's Secure Score instance counts (${menu} in the drawer sets it)`;
}

function statusKey(state: UIState, o: Extract<Overlay, { kind: 'status' }>, key: string, ctx: Context): Step {
  const set = (patch: Partial<typeof o>): Step => ({
    state: { ...state, overlay: { ...o, ...patch } },
    effects: [],
  });
  if (closes(ctx, key, o.step !== 'pick')) return { state: { ...state, overlay: undefined }, effects: [] };
  const action = ctx.scored.find((a) => a.id === o.actionId);
  if (!action) return { state: { ...state, overlay: undefined }, effects: [] };
  const before = remember(state, {
    kind: 'status',
    instanceId: action.instance.id,
    controlId: action.control.id,
    title: action.control.title,
    name: action.instance.name,
    was: action.update?.state ?? 'to_address',
    reason: action.update?.reason ?? '',
    ...(action.update?.expires ? { expires: action.update.expires } : {}),
  });
  const finish = (st: State, reason: string, expires?: string): Step => ({
    state: { ...before, overlay: undefined, message: `status set to ${STATE_LABELS[st]}${undoHint(ctx)}` },
    effects: [
      {
        type: 'status',
        instanceId: action.instance.id,
        controlId: action.control.id,
        state: st,
        reason,
        ...(expires ? { expires } : {}),
      },
    ],
  });

  if (o.step === 'pick') {
    if (bound(ctx, key, 'nav.up')) return set({ choice: Math.max(0, o.choice - 1) });
    if (bound(ctx, key, 'nav.down'))
      return set({ choice: Math.min(SETTABLE_STATES.length - 1, o.choice + 1) });
    if (chooses(ctx, key)) {
      const st = SETTABLE_STATES[o.choice]!;
      if (REASON_REQUIRED.includes(st)) return set({ step: 'reason', state: st, error: undefined });
      return finish(st, '');
    }
    return { state, effects: [] };
  }
  if (o.step === 'reason') {
    if (chooses(ctx, key, true)) {
      if (o.reason.trim().length < 3) return set({ error: 'a reason is required (at least 3 characters)' });
      if (o.state === 'risk_accepted') return set({ step: 'expiry', error: undefined });
      return finish(o.state!, o.reason.trim());
    }
    const reason = editField({ value: o.reason, cursor: o.reasonCursor }, key, 500);
    return reason === undefined
      ? { state, effects: [] }
      : set({ reason: reason.value, reasonCursor: reason.cursor, error: undefined });
  }
  // expiry
  if (chooses(ctx, key, true)) {
    const err = checkExpiry(o.expiry, ctx.now);
    if (err) return set({ error: err });
    return finish('risk_accepted', o.reason.trim(), new Date(`${o.expiry}T23:59:59.999Z`).toISOString());
  }
  const expiry = editField({ value: o.expiry, cursor: o.expiryCursor }, key, 10);
  return expiry === undefined
    ? { state, effects: [] }
    : set({ expiry: expiry.value, expiryCursor: expiry.cursor, error: undefined });
}

export function checkExpiry(text: string, now: number): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return 'the expiry date must be YYYY-MM-DD';
  const t = Date.parse(`${text}T23:59:59.999Z`);
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== text) return 'not a real date';
  if (t <= now) return 'the expiry date must be in the future';
  if (t > now + 3 * 366 * 86_400_000) return 'the expiry date must be within 3 years';
  return undefined;
}

function addKey(state: UIState, o: Extract<Overlay, { kind: 'add' }>, key: string, ctx: Context): Step {
  const set = (patch: Partial<typeof o>): Step => ({
    state: { ...state, overlay: { ...o, ...patch } },
    effects: [],
  });
  // A secret typed where a name belongs is cleared from the form, not left on the screen.
  const refused = (p: AddProblem, patch: Partial<typeof o> = {}): Step =>
    set({
      ...patch,
      error: p.error,
      ...(p.secret ? { values: { ...o.values, [p.field]: '' }, field: addFieldIndex(p.field) } : {}),
    });
  if (closes(ctx, key, true))
    return {
      state: {
        ...state,
        overlay: undefined,
        message: o.editId ? 'nothing was changed' : 'nothing was added',
      },
      effects: [],
    };
  if (o.confirm) {
    if (key === 'y' || key === 'enter') {
      const checked = validateAdd(o.values, ctx.doc, { stat: ctx.stat, env: ctx.env });
      if ('error' in checked) return refused(checked, { confirm: false });
      const { app, name } = checked.instance;
      // The drawer it lands in shows the new instance: its app's, with no filter that hides it (the
      // cursor goes on it once the store gives it an id: selectAdded).
      const hidden = state.drawerText !== '' && !name.toLowerCase().includes(state.drawerText.toLowerCase());
      const space = keyFor(ctx, 'toggle');
      return {
        // The new instance is read at once; what its credential can evaluate shows as it arrives.
        state: {
          ...state,
          app,
          ...(hidden ? { drawerText: '' } : {}),
          overlay: { kind: 'access', app, name },
          message: `added ${name}${hidden ? ' (the drawer filter that hid it is cleared)' : ''}${space ? `; turn on its recommendations with ${space}` : ''}`,
        },
        effects: [{ type: 'add', instance: checked.instance }],
      };
    }
    if (key === 'n') return set({ confirm: false });
    return { state, effects: [] };
  }
  // A field is entered with the cursor at its end.
  if (moves(ctx, key, 'up', 'nav.up') || moves(ctx, key, 'shift+tab', 'tab.prev'))
    return set({ field: Math.max(0, o.field - 1), cursor: undefined });
  // Leaving the app: an app single-instance mode refuses is said here, before the other fields.
  const appRefused = () => {
    const app = o.field === 0 && !o.editId ? parseApp(o.values.app ?? '') : undefined;
    return app && singleModeRefusal(ctx.doc, app);
  };
  const next = moves(ctx, key, 'down', 'nav.down') || moves(ctx, key, 'tab', 'tab.next');
  const enter = chooses(ctx, key, true);
  if (next || (enter && o.field < ADD_FIELDS.length - 1)) {
    const refusedApp = appRefused();
    if (refusedApp) return set({ error: refusedApp.error });
  }
  if (next) return set({ field: Math.min(ADD_FIELDS.length - 1, o.field + 1), cursor: undefined });
  if (enter) {
    if (o.field < ADD_FIELDS.length - 1) return set({ field: o.field + 1, cursor: undefined });
    const checked = validateAdd(o.values, ctx.doc, { editing: o.editId, stat: ctx.stat, env: ctx.env });
    if ('error' in checked) return refused(checked);
    // Editing changes nothing permanent: saved at once. Adding asks first (see the form).
    if (o.editId)
      return {
        state: { ...state, overlay: undefined, message: `saved ${checked.instance.name}` },
        effects: [{ type: 'edit', instanceId: o.editId, instance: checked.instance }],
      };
    return set({ confirm: true, error: undefined });
  }
  const f = ADD_FIELDS[o.field]!.key;
  if (o.editId && f === 'app') return { state, effects: [] }; // an instance never changes app
  const field = editField({ value: o.values[f] ?? '', cursor: o.cursor }, key, 300);
  return field === undefined
    ? { state, effects: [] }
    : set({ values: { ...o.values, [f]: field.value }, cursor: field.cursor, error: undefined });
}
