import { type Command, COMMAND_NAMES, COMMANDS, type Keymap, type KeyView } from './keys.js';
import type { UIState } from './state.js';

/**
 * Every key a hint names is drawn from the keymap, so a remapped key shows its new binding in the
 * footer, the dialogs, the forms and the help alike.
 */

const LABELS: Record<string, string> = {
  enter: 'Enter',
  escape: 'Esc',
  space: 'Space',
  tab: 'Tab',
  'shift+tab': 'Shift-Tab',
  up: '↑',
  down: '↓',
  left: '←',
  right: '→',
  pageup: 'PgUp',
  pagedown: 'PgDn',
  home: 'Home',
  end: 'End',
  backspace: 'Backspace',
};

/** A key name as a person reads it: `escape` → Esc, `ctrl+r` → ctrl-r. */
export const keyLabel = (key: string): string => LABELS[key] ?? key.replace(/^ctrl\+/, 'ctrl-');

/**
 * Whether a key still acts in a text field (a filter, a reason, the add form): one that types no
 * character. A letter bound to `back` there is text, so the field cannot close on it.
 */
export const actsInText = (key: string): boolean => key.length > 1 && key !== 'space' && key !== 'backspace';

/**
 * The key to show for a command: its first binding; in a text field its first binding that is no
 * character, else `always`, the named key that field takes whatever the keymap says.
 */
export function keyOf(keymap: Keymap, command: Command, inText?: { always: string }): string {
  const keys = inText ? keymap[command].filter(actsInText) : keymap[command];
  const key = keys[0] ?? inText?.always;
  return key === undefined ? '' : keyLabel(key);
}

/** The key to show for a command, from the reducer's key table; undefined when it has none. */
export function keyFor(ctx: { bindings: ReadonlyMap<string, readonly Command[]> }, command: Command) {
  return keyOf(keymapOf(ctx.bindings), command) || undefined;
}

/** The keymap that a key → commands table was made from (the reducer's context holds the table). */
export function keymapOf(bindings: ReadonlyMap<string, readonly Command[]>): Keymap {
  const m = Object.fromEntries(COMMAND_NAMES.map((c) => [c, [] as string[]])) as Record<Command, string[]>;
  for (const [key, commands] of bindings) for (const c of commands) m[c].push(key);
  return m;
}

/** The five view switches as one hint: `1-5` for the default digits, else each key. */
function viewKeys(keymap: Keymap): string {
  const keys = (['view.apps', 'view.score', 'view.actions', 'view.history', 'view.frameworks'] as const).map(
    (c) => keyOf(keymap, c),
  );
  return keys.join('') === '12345' ? '1-5' : keys.join('/');
}

/** Commands that could change the store: a read-only console does not offer them. */
const CHANGES: readonly Command[] = ['toggle', 'menu', 'add', 'status', 'poll'];

/** The footer's entries in the order they are cut when the line is too narrow: the view's own first. */
const FOOTER: { commands: Command[]; text: string }[] = [
  { commands: ['open'], text: 'open' },
  { commands: ['toggle'], text: 'on/off' },
  { commands: ['menu'], text: 'options' },
  { commands: ['add'], text: 'add' },
  { commands: ['undo'], text: 'undo' },
  { commands: ['tab.next'], text: 'tabs' },
  { commands: ['filter'], text: 'filter' },
  { commands: ['filter.product', 'filter.instance'], text: 'product/instance' },
  { commands: ['filter.accepted'], text: 'accepted' },
  { commands: ['sort'], text: 'sort' },
  { commands: ['status'], text: 'status' },
  { commands: ['copy'], text: 'copy' },
  { commands: ['browse'], text: 'browser' },
  { commands: ['score.view'], text: 'next view' },
  { commands: ['back'], text: 'back' },
  { commands: ['help'], text: 'help' },
  { commands: ['quit'], text: 'quit' },
  { commands: ['command'], text: 'command' },
  { commands: ['poll'], text: 'poll' },
];

/** The keys the current view offers, from the keymap; read-only offers none that would change anything. */
export function footerHints(state: UIState, readOnly: boolean, keymap: Keymap): string {
  const view: KeyView = state.view;
  // Back does something where there is somewhere to go back to, or a filter to clear.
  const canGoBack =
    state.stack.length > 0 || state.appText !== '' || state.drawerText !== '' || state.filter.text !== '';
  const parts: string[] = [];
  if (view === 'detail') parts.push(`${keyOf(keymap, 'nav.down')}/${keyOf(keymap, 'nav.up')} scroll`);
  for (const { commands, text } of FOOTER) {
    if (!commands.every((c) => (COMMANDS[c].in as readonly KeyView[]).includes(view))) continue;
    if (readOnly && commands.some((c) => CHANGES.includes(c))) continue;
    if (commands[0] === 'back' && !canGoBack) continue;
    // Undo is named while there is something to take back.
    if (commands[0] === 'undo' && !state.undo?.length) continue;
    parts.push(`${commands.map((c) => keyOf(keymap, c)).join('/')} ${text}`);
    // The view switches go after the command line: they act everywhere, like it.
    if (commands[0] === 'command') parts.push(`${viewKeys(keymap)} views`);
  }
  return parts.join(' · ');
}
