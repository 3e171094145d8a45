import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { sanitize } from '../text/sanitize.js';

/**
 * The one keymap. Every key the console answers to is bound here, the help overlay is generated
 * from it, and a user file may override any binding (validated with zod).
 */
export const COMMANDS = {
  'nav.up': { keys: ['up', 'k'], help: 'move up' },
  'nav.down': { keys: ['down', 'j'], help: 'move down' },
  'nav.top': { keys: ['g', 'home'], help: 'first row' },
  'nav.bottom': { keys: ['G', 'end'], help: 'last row' },
  'nav.pageUp': { keys: ['pageup'], help: 'page up' },
  'nav.pageDown': { keys: ['pagedown'], help: 'page down' },
  open: { keys: ['enter'], help: 'open' },
  back: { keys: ['escape'], help: 'back / cancel' },
  'view.apps': { keys: ['1'], help: 'Connected apps' },
  'view.score': { keys: ['2'], help: 'Secure Score' },
  'view.actions': { keys: ['3'], help: 'Recommended actions' },
  'view.history': { keys: ['4'], help: 'History' },
  'tab.next': { keys: ['tab'], help: 'next tab' },
  'tab.prev': { keys: ['shift+tab'], help: 'previous tab' },
  filter: { keys: ['/'], help: 'filter by text' },
  command: { keys: [':'], help: 'command line' },
  toggle: { keys: ['space'], help: 'toggle Secure Score recommendations' },
  menu: { keys: ['.'], help: 'options menu' },
  add: { keys: ['a'], help: 'add an instance' },
  status: { keys: ['s'], help: 'set status' },
  'filter.product': { keys: ['P'], help: 'cycle the product filter' },
  'filter.instance': { keys: ['I'], help: 'cycle the instance filter' },
  'filter.accepted': { keys: ['A'], help: 'show / hide Risk accepted' },
  sort: { keys: ['o'], help: 'cycle the sort order' },
  'score.view': { keys: ['v'], help: 'cycle current / planned / achievable' },
  poll: { keys: ['r'], help: 'poll now' },
  pause: { keys: ['p'], help: 'pause / resume polling' },
  help: { keys: ['?'], help: 'help' },
  quit: { keys: ['q'], help: 'quit' },
} as const satisfies Record<string, { keys: readonly string[]; help: string }>;

export type Command = keyof typeof COMMANDS;
export const COMMAND_NAMES = Object.keys(COMMANDS) as Command[];

export type Keymap = Record<Command, readonly string[]>;

export const DEFAULT_KEYMAP: Keymap = (() => {
  const m: Partial<Record<Command, readonly string[]>> = {};
  for (const c of COMMAND_NAMES) m[c] = COMMANDS[c].keys;
  return m as Keymap;
})();

const NAMED = [
  'up',
  'down',
  'left',
  'right',
  'pageup',
  'pagedown',
  'home',
  'end',
  'enter',
  'escape',
  'tab',
  'shift+tab',
  'space',
  'backspace',
];
const KeySchema = z
  .string()
  .refine(
    (k) => NAMED.includes(k) || /^(ctrl\+)?[!-~]$/.test(k),
    'must be one printable character, ctrl+<char>, or a named key (up, down, pageup, enter, escape, tab, space…)',
  )
  .refine((k) => k !== 'ctrl+c', 'ctrl+c always quits and cannot be rebound');

export const KeymapFileSchema = z.strictObject(
  Object.fromEntries(COMMAND_NAMES.map((c) => [c, z.array(KeySchema).min(1).optional()])) as Record<
    Command,
    z.ZodOptional<z.ZodArray<typeof KeySchema>>
  >,
);

export class KeymapError extends Error {}

/** The default keymap with a user file's bindings on top. */
export function loadKeymap(file?: string): Keymap {
  if (!file) return DEFAULT_KEYMAP;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new KeymapError(`key bindings ${file}: ${(error as Error).message}`);
  }
  const parsed = KeymapFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KeymapError(`key bindings ${file} at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return { ...DEFAULT_KEYMAP, ...(parsed.data as Partial<Keymap>) };
}

/** key name → commands bound to it (one key may mean different things in different views). */
export function bindingsOf(keymap: Keymap): Map<string, Command[]> {
  const m = new Map<string, Command[]>();
  for (const c of COMMAND_NAMES) for (const k of keymap[c]) m.set(k, [...(m.get(k) ?? []), c]);
  return m;
}

/** Ink's key flags, as much of them as we read. */
export interface InkKey {
  upArrow: boolean;
  downArrow: boolean;
  leftArrow: boolean;
  rightArrow: boolean;
  pageUp: boolean;
  pageDown: boolean;
  home?: boolean;
  end?: boolean;
  return: boolean;
  escape: boolean;
  tab: boolean;
  shift: boolean;
  ctrl: boolean;
  meta: boolean;
  backspace: boolean;
  delete: boolean;
}

// Terminal replies (cursor reports, focus events, OSC answers) arrive in Ink 6 as typed text.
const TERMINAL_REPLY = /^(\[[\d;?<>]*[A-Za-z~]|\][\s\S]*)$/;

/**
 * Turn one Ink input event into key names. Ink 6 hands over a burst of typed characters
 * ("jjj", or keys sent quickly over SSH) as one string: split it, so no key is lost.
 */
export function keyNames(input: string, key: InkKey): string[] {
  if (key.upArrow) return ['up'];
  if (key.downArrow) return ['down'];
  if (key.leftArrow) return ['left'];
  if (key.rightArrow) return ['right'];
  if (key.pageUp) return ['pageup'];
  if (key.pageDown) return ['pagedown'];
  if (key.home) return ['home'];
  if (key.end) return ['end'];
  if (key.return) return ['enter'];
  if (key.tab) return [key.shift ? 'shift+tab' : 'tab'];
  if (key.backspace || key.delete) return ['backspace'];
  if (key.escape && !input) return ['escape'];
  if (key.ctrl && input.length === 1) return [`ctrl+${input.toLowerCase()}`];
  if (!input || TERMINAL_REPLY.test(input)) return [];
  if (key.meta) return [];
  // A burst can carry Enter, Tab or Backspace among the characters ("3\r" from a fast typist).
  const names: string[] = [];
  for (const ch of input) {
    if (ch === '\r' || ch === '\n') names.push('enter');
    else if (ch === '\t') names.push('tab');
    else if (ch === '\u007f' || ch === '\b') names.push('backspace');
    else if (ch === ' ') names.push('space');
    // A control or format character (8-bit CSI, bidi override) typed or pasted is dropped here,
    // where text comes in, so no filter, command or form field can carry one to the screen.
    else if (ch > ' ' && sanitize(ch) === ch) names.push(ch);
  }
  return names;
}

/** The help overlay's rows, generated from the keymap. */
export function helpRows(keymap: Keymap): { keys: string; help: string }[] {
  return COMMAND_NAMES.map((c) => ({ keys: keymap[c].join(' '), help: COMMANDS[c].help }));
}
