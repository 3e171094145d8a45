import {
  type App,
  APPS,
  type Control,
  type Instance,
  type Result,
  type Severity,
  type State,
  type StatusUpdate,
  type StoreDoc,
  SYSTEM_STATES,
} from './schemas.js';
import { orderByKeys } from './rank-order.js';

/** Points a result earns on its own, or null when it must not count (unknown, error, not applicable). */
export function resultPoints(control: Control, result: Result): number | null {
  switch (result.outcome) {
    case 'pass':
      return control.maxPoints;
    case 'fail':
      return 0;
    case 'partial': {
      const total = result.total ?? 0;
      if (total === 0) return 0;
      return round2((control.maxPoints * (result.count ?? 0)) / total);
    }
    default:
      return null;
  }
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** The id of a recommended action: one instance's one control. */
export const actionKey = (instanceId: string, controlId: string) => `${instanceId}\u0000${controlId}`;

/** The latest status update per (instance, control). Updates are append-only and in time order. */
export function latestUpdates(updates: readonly StatusUpdate[]): Map<string, StatusUpdate> {
  const m = new Map<string, StatusUpdate>();
  for (const u of updates) m.set(actionKey(u.instanceId, u.controlId), u);
  return m;
}

/**
 * The state an action is in now: expired acceptances return to To address; full points mean
 * Completed; a setting that is not there is Not applicable, whatever an operator said of it before.
 */
export function effectiveState(
  latest: StatusUpdate | undefined,
  result: Result | undefined,
  now: Date,
): State {
  if (result?.outcome === 'pass') return 'completed';
  if (result?.outcome === 'not_applicable') return 'not_applicable';
  if (!latest) return 'to_address';
  if (latest.state === 'risk_accepted' && latest.expires && Date.parse(latest.expires) <= now.getTime())
    return 'to_address';
  return SYSTEM_STATES.includes(latest.state) ? 'to_address' : latest.state;
}

export interface Action {
  id: string;
  instance: Instance;
  control: Control;
  result: Result;
  state: State;
  update?: StatusUpdate;
  /** Points earned now (null: not counted). */
  achieved: number | null;
  max: number;
  /** Full points granted on the operator's word (third party / alternate mitigation). */
  unverified: boolean;
  rank: number;
}

/**
 * Single-instance mode's main instance per app (the classic portal's "Secure Score insights: Main
 * instance"): the one chosen, or else the app's only instance: with one instance there is nothing
 * to choose, and a score left empty for want of a choice would be wrong. An app with several
 * instances and none chosen has none.
 */
export function mainInstances(doc: StoreDoc): Map<App, Instance> {
  const byApp = new Map<App, Instance[]>();
  // Pushed, not copied per instance (a copy each: 2.5 million at 5,000 instances, at every poll's commit).
  for (const i of doc.instances) {
    const list = byApp.get(i.app);
    if (list) list.push(i);
    else byApp.set(i.app, [i]);
  }
  const mains = new Map<App, Instance>();
  for (const [app, list] of byApp) {
    const chosen = doc.settings.secureScoreInstance[app];
    const main = list.find((i) => i.id === chosen) ?? (list.length === 1 ? list[0] : undefined);
    if (main) mains.set(app, main);
  }
  return mains;
}

/** Whether `i` is its app's main instance in single-instance mode. */
export const isMainInstance = (doc: StoreDoc, i: Instance): boolean => mainInstances(doc).get(i.app) === i;

/**
 * The main instances to record on switching to single-instance mode, for the apps that have none:
 * the first instance whose recommendations are on (what counted a moment ago), else the first.
 */
export function mainsToChoose(doc: StoreDoc): Map<App, Instance> {
  const mains = mainInstances(doc);
  const chosen = new Map<App, Instance>();
  for (const i of doc.instances) {
    if (mains.has(i.app)) continue;
    const current = chosen.get(i.app);
    if (!current || (!current.recommendations && i.recommendations)) chosen.set(i.app, i);
  }
  return chosen;
}

/** Instances whose recommendations count towards the Secure Score. */
export function countedInstances(doc: StoreDoc): Instance[] {
  if (doc.settings.instanceMode === 'single') {
    const mains = mainInstances(doc);
    return doc.instances.filter((i) => i.recommendations && mains.get(i.app) === i);
  }
  return doc.instances.filter((i) => i.recommendations);
}

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const IMPACT_ORDER = { low: 0, moderate: 1, high: 2 } as const;

/** Recommended actions for the counted instances, ranked: most points left first. */
export function buildActions(doc: StoreDoc, catalog: ReadonlyMap<string, Control>, now: Date): Action[] {
  return rankActions(collectActions(doc, catalog, now));
}

/** The actions of the counted instances, unranked: enough for scores (ranking costs a sort). */
export function collectActions(doc: StoreDoc, catalog: ReadonlyMap<string, Control>, now: Date): Action[] {
  const latest = latestByInstance(doc.statuses);
  const actions: Action[] = [];
  for (const instance of countedInstances(doc)) {
    const results = doc.results[instance.id]?.results ?? [];
    const mine = latest.get(instance.id);
    for (const result of results) {
      const control = catalog.get(result.controlId);
      if (!control) continue; // a control dropped from the catalog
      const update = mine?.get(control.id);
      const { state, achieved, unverified } = judged(control, result, update, now);
      const action: Action = {
        id: actionKey(instance.id, control.id),
        instance,
        control,
        result,
        state,
        achieved,
        max: control.maxPoints,
        unverified,
        rank: 0,
      };
      // Set, not spread: a spread copies the whole object (30,000 of them at 2,000 instances).
      if (update) action.update = update;
      actions.push(action);
    }
  }
  return actions;
}

/** The latest status update per instance, then per control. */
export function latestByInstance(updates: readonly StatusUpdate[]): Map<string, Map<string, StatusUpdate>> {
  // Per instance, then per control: no joined key built and hashed for each of 30,000 results.
  const latest = new Map<string, Map<string, StatusUpdate>>();
  for (const u of updates) {
    let mine = latest.get(u.instanceId);
    if (!mine) latest.set(u.instanceId, (mine = new Map()));
    mine.set(u.controlId, u);
  }
  return latest;
}

/** One result's state and points: what an action holds, and all that a score needs of it. */
export function judged(
  control: Control,
  result: Result,
  update: StatusUpdate | undefined,
  now: Date,
): Pick<Action, 'state' | 'achieved' | 'unverified'> {
  const state = effectiveState(update, result, now);
  const own = resultPoints(control, result);
  const unverified = (state === 'third_party' || state === 'alternate_mitigation') && own !== null;
  const achieved = own === null ? null : unverified ? control.maxPoints : state === 'risk_accepted' ? 0 : own;
  return { state, achieved, unverified };
}

export interface DocScores {
  /** The headline's views: `scoreViews(collectActions(...))`. */
  views: ScoreViews;
  /** Per app: `scoreViewsBy(collectActions(...), (a) => a.instance.app)`. */
  byApp: Map<App, ScoreViews>;
}

/**
 * The scores of `collectActions`' actions, summed straight from the results: the first frame
 * (the header and Connected apps) needs only these, and building 30,000 actions for them was most
 * of its cost at fleet size. Same sums in the same order, so the same numbers to the last bit.
 */
export function docScores(doc: StoreDoc, catalog: ReadonlyMap<string, Control>, now: Date): DocScores {
  const latest = latestByInstance(doc.statuses);
  const all = { ...NO_SUMS };
  const byApp = new Map<App, Sums>();
  for (const instance of countedInstances(doc)) {
    const results = doc.results[instance.id]?.results ?? [];
    const mine = latest.get(instance.id);
    let app: Sums | undefined;
    for (const result of results) {
      const control = catalog.get(result.controlId);
      if (!control) continue;
      const { state, achieved } = judged(control, result, mine?.get(control.id), now);
      if (achieved === null) continue;
      if (!app && !(app = byApp.get(instance.app))) byApp.set(instance.app, (app = { ...NO_SUMS }));
      addPoints(all, state, achieved, control.maxPoints);
      addPoints(app, state, achieved, control.maxPoints);
    }
  }
  return { views: viewsOf(all), byApp: new Map([...byApp].map(([k, s]) => [k, viewsOf(s)])) };
}

/** A ranked copy: most points left first. Sets each action's rank. */
export function rankActions(actions: readonly Action[]): Action[] {
  const order = rankOrder(
    actions.length,
    (i) => actions[i]!.control,
    (i) => actions[i]!.instance,
    (i) => actions[i]!.achieved,
  );
  const ranked = new Array<Action>(actions.length);
  for (let i = 0; i < order.length; i++) {
    const a = actions[order[i]!]!;
    a.rank = i + 1;
    ranked[i] = a;
  }
  return ranked;
}

/**
 * The order of `n` recommended actions by rank, as indexes: most points left first, then severity,
 * then the lower user impact; ties by title and instance, then as given. Each action is told by
 * its control, instance and points (`Action`'s, or columns of them: the export keeps no object per
 * action).
 */
export function rankOrder(
  n: number,
  control: (i: number) => Control,
  instance: (i: number) => Instance,
  achieved: (i: number) => number | null,
): Int32Array {
  // Keys are computed once, and the tie as one number (the place of the title among the titles,
  // then of the name among the names): a fleet has 30,000 actions and comparing joined strings
  // was most of the sort.
  // Places looked up per control and instance object: an instance's actions come one after another.
  const controls = new Set<Control>();
  const instances = new Set<Instance>();
  let last: Instance | undefined;
  for (let i = 0; i < n; i++) {
    controls.add(control(i));
    if (instance(i) !== last) instances.add((last = instance(i)));
  }
  const titles = placesOf([...controls].map((c) => c.title));
  const names = placesOf([...instances].map((i) => i.name));
  const titleOf = new Map([...controls].map((c) => [c, titles.get(c.title)! * names.size]));
  const k = new Float64Array(n);
  const t = new Float64Array(n);
  let name = 0;
  last = undefined;
  for (let i = 0; i < n; i++) {
    const c = control(i);
    const points = achieved(i);
    k[i] =
      (points === null ? -1 : c.maxPoints - points) * -10_000 +
      SEVERITY_ORDER[c.severity] * 10 +
      IMPACT_ORDER[c.userImpact];
    if (instance(i) !== last) name = names.get((last = instance(i)).name)!;
    t[i] = titleOf.get(c)! + name;
  }
  // One sort of numbers; a comparison sort (stable, as this one) where they cannot be exact.
  return (
    orderByKeys(k, t, titles.size * names.size) ??
    Int32Array.from({ length: n }, (_, i) => i).sort((x, y) => k[x]! - k[y]! || t[x]! - t[y]! || x - y)
  );
}

/** Each distinct string's place in code-unit order (the order `<` gives). */
function placesOf(strings: readonly string[]): Map<string, number> {
  const distinct = [...new Set(strings)].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  return new Map(distinct.map((s, i) => [s, i]));
}

export interface Score {
  achieved: number;
  possible: number;
  /** 0-100, or null when nothing counts yet. */
  percent: number | null;
}

export interface ScoreViews {
  current: Score;
  /** As if every Planned action were done. */
  planned: Score;
  /** The current points over what is possible without accepted risks. */
  achievable: Score;
}

function score(achieved: number, possible: number): Score {
  return {
    achieved: round2(achieved),
    possible: round2(possible),
    percent: possible > 0 ? round2((achieved / possible) * 100) : null,
  };
}

export function scoreViews(actions: readonly Action[]): ScoreViews {
  return viewsOf(sumsOf(actions));
}

/** The points a set of actions adds up to, per view: what every score view divides. */
export interface Sums {
  achieved: number;
  possible: number;
  /** Points the Planned actions would add once done. */
  planned: number;
  /** Points of accepted risks: not possible in the achievable view. */
  accepted: number;
}

export const NO_SUMS: Sums = { achieved: 0, possible: 0, planned: 0, accepted: 0 };

function add(s: Sums, a: Action): void {
  if (a.achieved !== null) addPoints(s, a.state, a.achieved, a.max);
}

export function addPoints(s: Sums, state: State, achieved: number, max: number): void {
  s.achieved += achieved;
  s.possible += max;
  if (state === 'planned') s.planned += max - achieved;
  if (state === 'risk_accepted') s.accepted += max;
}

function sumsOf(actions: readonly Action[]): Sums {
  const s = { ...NO_SUMS };
  for (const a of actions) add(s, a);
  return s;
}

export function viewsOf(s: Sums): ScoreViews {
  return {
    current: score(s.achieved, s.possible),
    planned: score(s.achieved + s.planned, s.possible),
    achievable: score(s.achieved, s.possible - s.accepted),
  };
}

/**
 * Every score view per key (product, instance): the same sums as the headline's, split, so that
 * the parts of any view add up to its whole.
 */
export function scoreViewsBy<K extends string>(
  actions: readonly Action[],
  keyOf: (a: Action) => K,
): Map<K, ScoreViews> {
  const sums = new Map<K, Sums>();
  for (const a of actions) {
    if (a.achieved === null) continue;
    const k = keyOf(a);
    let s = sums.get(k);
    if (!s) sums.set(k, (s = { ...NO_SUMS }));
    add(s, a);
  }
  return new Map([...sums].map(([k, s]) => [k, viewsOf(s)]));
}

export function scoreBy<K extends string>(
  actions: readonly Action[],
  keyOf: (a: Action) => K,
): Map<K, Score> {
  const sums = new Map<K, { a: number; p: number }>();
  for (const a of actions) {
    if (a.achieved === null) continue;
    const k = keyOf(a);
    let s = sums.get(k);
    if (!s) sums.set(k, (s = { a: 0, p: 0 }));
    s.a += a.achieved;
    s.p += a.max;
  }
  return new Map([...sums].map(([k, s]) => [k, score(s.a, s.p)]));
}

/** Per app, in the one order of apps (APPS) that the console, `status` and every report show. */
export function scoreByApp(actions: readonly Action[]): Map<App, Score> {
  const by = scoreBy<App>(actions, (a) => a.instance.app);
  return new Map(APPS.filter((app) => by.has(app)).map((app) => [app, by.get(app)!]));
}
export const scoreByInstance = (actions: readonly Action[]) => scoreBy(actions, (a) => a.instance.id);

/**
 * `scoreViews`, `scoreByApp` and `scoreByInstance` of the same actions in one pass: the same sums,
 * added in the same order. Ranked actions jump from instance to instance in memory, and each pass
 * over 136,000 of them (an export at 2,000 instances) was mostly waiting on the memory. The actions
 * are told as `rankOrder` takes them (indexes in `order`), with each one's state.
 */
export function scoresOf(
  order: Int32Array,
  control: (i: number) => Control,
  instance: (i: number) => Instance,
  achieved: (i: number) => number | null,
  state: (i: number) => State,
): {
  views: ScoreViews;
  byApp: Map<App, Score>;
  byInstance: Map<string, Score>;
} {
  const all = { ...NO_SUMS };
  const apps = new Map<App, { a: number; p: number }>();
  const instances = new Map<string, { a: number; p: number }>();
  for (const i of order) {
    const points = achieved(i);
    if (points === null) continue;
    const max = control(i).maxPoints;
    const { app: appId, id } = instance(i);
    addPoints(all, state(i), points, max);
    let app = apps.get(appId);
    if (!app) apps.set(appId, (app = { a: 0, p: 0 }));
    app.a += points;
    app.p += max;
    let mine = instances.get(id);
    if (!mine) instances.set(id, (mine = { a: 0, p: 0 }));
    mine.a += points;
    mine.p += max;
  }
  return {
    views: viewsOf(all),
    byApp: new Map(
      APPS.filter((app) => apps.has(app)).map((app) => [app, score(apps.get(app)!.a, apps.get(app)!.p)]),
    ),
    byInstance: new Map([...instances].map(([k, s]) => [k, score(s.a, s.p)])),
  };
}
