import { type ActionFilter, NO_FILTER, type SortKey } from '../domain/action-filter.js';
import type { App, State } from '../domain/schemas.js';
import type { ColumnSort, SortedList } from './column-sort.js';
import type { Undo } from './undo.js';

export type View = 'apps' | 'drawer' | 'actions' | 'detail' | 'score' | 'history' | 'frameworks';
export const TOP_VIEWS: View[] = ['apps', 'score', 'actions', 'history', 'frameworks'];
export const VIEW_TITLES: Record<View, string> = {
  apps: 'Connected apps',
  drawer: 'Instances',
  actions: 'Recommended actions',
  detail: 'Action',
  score: 'Secure Score',
  history: 'History',
  frameworks: 'Frameworks',
};

export type Overlay =
  /** `scroll`: the first line shown of a page longer than the screen (help, an instance's details). */
  | { kind: 'help'; scroll?: number }
  /** The selected instance described whole: its last error and credential wrapped, never cut. */
  | { kind: 'instance'; instanceId: string; scroll?: number }
  | {
      kind: 'input';
      purpose: 'filter' | 'command';
      value: string;
      /** The text field's cursor (see text-field.ts); at the end when undefined. */
      cursor?: number | undefined;
      /** Which command of the session's history up/down show (0 = the last), and what was typed before. */
      recalled?: { at: number; draft: string } | undefined;
      /** Tab's candidates when it could not complete to one. */
      candidates?: readonly string[] | undefined;
    }
  | { kind: 'menu'; choice: number }
  /** What the selected instance's credential could evaluate at its last poll, control by control. */
  | { kind: 'access'; app: App; name: string }
  | {
      kind: 'status';
      /** The action the dialog was opened on: the list may be re-ranked or filtered meanwhile. */
      actionId: string;
      step: 'pick' | 'reason' | 'expiry';
      choice: number;
      state?: State;
      reason: string;
      expiry: string;
      /** The reason's and the expiry's cursors (see text-field.ts). */
      reasonCursor?: number | undefined;
      expiryCursor?: number | undefined;
      error?: string;
    }
  | {
      kind: 'add';
      field: number;
      values: Record<string, string>;
      /** The current field's cursor (see text-field.ts); a field is entered at its end. */
      cursor?: number | undefined;
      error?: string;
      confirm: boolean;
      /** Set when the form edits this instance instead of adding one. */
      editId?: string;
    };

export interface UIState {
  view: View;
  /** Where Esc goes back to. */
  stack: View[];
  app?: App;
  /** Selected row id per list, and the index to fall back on when that row is gone. */
  selected: Record<string, string | undefined>;
  index: Record<string, number>;
  /** Where each list's window starts: kept so that moving within it does not scroll it. */
  windows: Record<string, number>;
  appText: string;
  drawerText: string;
  filter: ActionFilter;
  sort: SortKey;
  /** The sort column's own order turned around. */
  sortReverse: boolean;
  /** Connected apps' and the drawer's sorts (absent: the store's order). */
  columnSorts?: Partial<Record<SortedList, ColumnSort>>;
  /** Every column of the Recommended actions table, however narrow the terminal. */
  wide: boolean;
  detailId?: string;
  detailTab: number;
  detailScroll: number;
  scoreView: 'current' | 'planned' | 'achievable';
  /** The framework the Frameworks view shows (its id); the first when unset. */
  framework?: string;
  overlay?: Overlay;
  /** One line of feedback for the last action ("Saved", an error…). */
  message?: string;
  /** What a poll the operator asked for is doing ("polling Okta EU…"): true while it runs, dropped when it ends. */
  pollNote?: string;
  /** This console's score-changing changes, newest last, for `u` to take back. */
  undo?: Undo[];
  /** Inside a bracketed paste: its text goes to the open text field, or nowhere. */
  pasting?: boolean;
  /** The command lines run this session, the last first (`:` then up recalls them). */
  history?: readonly string[];
}

export const INITIAL: UIState = {
  view: 'apps',
  stack: [],
  selected: {},
  index: {},
  windows: {},
  appText: '',
  drawerText: '',
  filter: NO_FILTER,
  sort: 'rank',
  sortReverse: false,
  wide: false,
  detailTab: 0,
  detailScroll: 0,
  scoreView: 'current',
};
