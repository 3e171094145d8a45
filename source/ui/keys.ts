import { z } from 'zod';
import { fsReason, readRegularFileSync } from '../files.js';
import { jsonSyntaxError } from '../text/json.js';
import { sanitize } from '../text/sanitize.js';

/**
 * Where a command acts: the views (and the options menu, which moves with the list keys). A key
 * goes to the first of its commands that acts where the console is, so two commands may share a
 * key only when no view has both: `toggle` (instance drawer) and `score.view` (Secure Score) can;
 * a command that acts everywhere (quit, help, the view switches, the command line, back, poll,
 * pause, and moving, which every view and menu takes) shares its keys with nothing. Text fields
 * (filter, command line, forms) take typed keys as text, before any binding.
 */
export type KeyView = 'apps' | 'drawer' | 'actions' | 'detail' | 'score' | 'history' | 'frameworks' | 'menu';
const ALL: readonly KeyView[] = [
  'apps',
  'drawer',
  'actions',
  'detail',
  'score',
  'history',
  'frameworks',
  'menu',
];

/**
 * The one keymap. Every key the console answers to is bound here, the help overlay is generated
 * from it, and a user file may override any binding (validated with zod, then for conflicts).
 */
export const COMMANDS = {
  'nav.up': { keys: ['up', 'k'], help: 'move up', in: ALL },
  'nav.down': { keys: ['down', 'j'], help: 'move down', in: ALL },
  'nav.top': { keys: ['g', 'home'], help: 'first row', in: ALL },
  'nav.bottom': { keys: ['G', 'end'], help: 'last row', in: ALL },
  'nav.pageUp': { keys: ['pageup'], help: 'page up', in: ALL },
  'nav.pageDown': { keys: ['pagedown'], help: 'page down', in: ALL },
  open: {
    keys: ['enter'],
    help: 'open (an instance: its details)',
    in: ['apps', 'drawer', 'actions', 'score'],
  },
  back: { keys: ['escape'], help: 'back / cancel', in: ALL },
  'view.apps': { keys: ['1'], help: 'Connected apps', in: ALL },
  'view.score': { keys: ['2'], help: 'Secure Score', in: ALL },
  'view.actions': { keys: ['3'], help: 'Recommended actions', in: ALL },
  'view.history': { keys: ['4'], help: 'History', in: ALL },
  'view.frameworks': {
    keys: ['5'],
    help: 'Frameworks: each requirement of a benchmark and its status',
    in: ALL,
  },
  'framework.next': { keys: ['F'], help: 'Show the next framework', in: ['frameworks'] },
  'tab.next': { keys: ['tab'], help: 'next tab', in: ['detail'] },
  'tab.prev': { keys: ['shift+tab'], help: 'previous tab', in: ['detail'] },
  filter: { keys: ['/'], help: 'filter by text', in: ['apps', 'drawer', 'actions'] },
  command: { keys: [':'], help: 'command line', in: ALL },
  toggle: { keys: ['space'], help: 'toggle Secure Score recommendations', in: ['drawer'] },
  menu: { keys: ['.'], help: 'options menu', in: ['drawer'] },
  add: { keys: ['a'], help: 'add an instance', in: ['drawer'] },
  status: { keys: ['s'], help: 'set status', in: ['actions', 'detail'] },
  'filter.product': { keys: ['P'], help: 'cycle the product filter', in: ['actions'] },
  'filter.instance': { keys: ['I'], help: 'cycle the instance filter', in: ['actions'] },
  'filter.accepted': { keys: ['A'], help: 'show / hide Risk accepted', in: ['actions'] },
  // Every list with columns sorts with the same keys (k9s's shift-o, htop's < >).
  sort: { keys: ['o', '>'], help: 'sort by the next column', in: ['apps', 'drawer', 'actions'] },
  'sort.prev': { keys: ['<'], help: 'sort by the previous column', in: ['apps', 'drawer', 'actions'] },
  'sort.reverse': { keys: ['O'], help: 'reverse the sort order', in: ['apps', 'drawer', 'actions'] },
  wide: { keys: ['ctrl+w', 'W'], help: 'wide: show every column', in: ['actions'] },
  'score.view': { keys: ['v'], help: 'cycle current / planned / achievable', in: ['score'] },
  // Everywhere but the menu: the message names what it took back, wherever the operator is.
  undo: {
    keys: ['u'],
    help: 'undo the last score change',
    in: ['apps', 'drawer', 'actions', 'detail', 'score', 'history'],
  },
  copy: { keys: ['y'], help: 'copy the id or link to the clipboard', in: ['drawer', 'actions', 'detail'] },
  // `b`, not `o`: `o` sorts every list, the drawer's included (one key, one meaning in every list).
  browse: { keys: ['b'], help: 'open the admin page or link in a browser', in: ['drawer', 'detail'] },
  poll: { keys: ['r'], help: 'poll now', in: ALL },
  pause: { keys: ['p'], help: 'pause / resume polling', in: ALL },
  help: { keys: ['?'], help: 'help', in: ALL },
  quit: { keys: ['q'], help: 'quit', in: ALL },
} as const satisfies Record<string, { keys: readonly string[]; help: string; in: readonly KeyView[] }>;

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
    (k) => NAMED.includes(k) || /^((ctrl|alt)\+)?[!-~]$/.test(k),
    'must be one printable character, ctrl+<char>, alt+<char>, or a named key (up, down, pageup, enter, escape, tab, space…)',
  )
  .refine((k) => k !== 'ctrl+c', 'ctrl+c always quits and cannot be rebound');

export const KeymapFileSchema = z.strictObject(
  // An empty quit reaches checkKeymap, which says what quitting needs.
  Object.fromEntries(
    COMMAND_NAMES.map((c) => [
      c,
      z
        .array(KeySchema)
        .min(c === 'quit' ? 0 : 1)
        .optional(),
    ]),
  ) as Record<Command, z.ZodOptional<z.ZodArray<typeof KeySchema>>>,
);

export class KeymapError extends Error {}

/** The default keymap with a user file's bindings on top. */
export function loadKeymap(file?: string): Keymap {
  if (!file) return DEFAULT_KEYMAP;
  let text: string;
  try {
    // Refused unless a regular file: a FIFO or a device would block the console before it starts.
    text = readRegularFileSync(file);
  } catch (error) {
    throw new KeymapError(`key bindings ${file}: cannot be read: ${fsReason(error)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // Where and what only: V8's message quotes the file, which may be one that holds a secret.
    throw new KeymapError(`key bindings ${file}: not valid JSON (${jsonSyntaxError(text)})`);
  }
  const parsed = KeymapFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KeymapError(`key bindings ${file} at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  const keymap = { ...DEFAULT_KEYMAP, ...(parsed.data as Partial<Keymap>) };
  try {
    checkKeymap(keymap);
  } catch (error) {
    throw new KeymapError(`key bindings ${file}: ${(error as Error).message}`);
  }
  return keymap;
}

/**
 * A keymap the console can use: quit has a key, and no key means two commands in one view (the
 * second would never run there). Throws a KeymapError naming the first conflict.
 */
export function checkKeymap(keymap: Keymap): void {
  if (keymap.quit.length === 0)
    throw new KeymapError('quit needs a key (ctrl+c also quits, but a terminal may take it)');
  for (const [key, commands] of bindingsOf(keymap))
    for (const [i, a] of commands.entries())
      for (const b of commands.slice(i + 1)) {
        const where: readonly KeyView[] = COMMANDS[b].in;
        if (a === b || !COMMANDS[a].in.some((v) => where.includes(v))) continue;
        const [first, second] = [a, b].sort();
        throw new KeymapError(
          `"${key}" would mean both ${first} and ${second} in the same view; bind one of them to another key`,
        );
      }
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

/** Where an Ink input event came from, beyond its flags. */
export interface RawInput {
  /** The event's bytes as Ink's input parser cut them (Ink hands `input` over with a leading ESC cut off). */
  raw?: string;
  /** Whether the keymap binds this `alt+…` name: only then is ESC + key read as one Alt-combination. */
  altBound?: (name: string) => boolean;
}

/** Marks of a bracketed paste (the terminal wraps pasted text in them once the console asks). */
export const PASTE_START = 'paste-start';
export const PASTE_END = 'paste-end';

const ESC = '\u001b';
/**
 * ESC followed by one key in the same read: a person pressing Esc then a key quickly (over SSH
 * both arrive in one packet) or an Alt-combination; the bytes are the same. Like readline with
 * no binding for the meta key, it is two keys, Esc and the key, unless the keymap binds `alt+key`.
 * Returns the key after the ESC, or undefined when the event is not ESC + key.
 */
function afterEscape(input: string, key: InkKey, raw: string | undefined): string[] | undefined {
  if (raw === undefined) {
    // No raw bytes (a test harness): Ink's meta flag is all there is; a lone Esc sets it too.
    if (!key.meta || key.escape || !input || [...input].length !== 1) return undefined;
    return keyNames(input, { ...key, meta: false, shift: false }, { raw: input });
  }
  if (raw.length < 2 || !raw.startsWith(ESC)) return undefined;
  const rest = raw.slice(1);
  // ESC ESC, or ESC before a whole sequence (ESC ESC [ A: Esc then up): the second one is a key.
  if (rest.startsWith(ESC)) return keyNames(input, { ...key, meta: false }, { raw: rest });
  // ESC + one character; longer events are sequences Ink parsed (ESC [ A, ESC O P).
  if ([...rest].length !== 1) return undefined;
  return keyNames(input, { ...key, meta: false }, { raw: rest });
}

/**
 * Turn one Ink input event into key names. Ink 6 hands over a burst of typed characters
 * ("jjj", or keys sent quickly over SSH) as one string: split it, so no key is lost.
 */
export function keyNames(input: string, key: InkKey, from: RawInput = {}): string[] {
  const { raw, altBound } = from;
  if (input === '[200~' && (raw === undefined || raw === `${ESC}[200~`)) return [PASTE_START];
  if (input === '[201~' && (raw === undefined || raw === `${ESC}[201~`)) return [PASTE_END];
  const escaped = afterEscape(input, key, raw);
  if (escaped?.length) {
    const alt = escaped.length === 1 ? `alt+${escaped[0]}` : undefined;
    return alt && altBound?.(alt) ? [alt] : ['escape', ...escaped];
  }
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
  // The Delete key sends ESC [ 3 ~; Backspace sends DEL (0x7f), which Ink names "delete" too.
  if (key.delete && raw === `${ESC}[3~`) return ['delete'];
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

/** The help overlay's rows, generated from the keymap: every command, or those that act in `view`. */
export function helpRows(keymap: Keymap, view?: KeyView): { keys: string; help: string }[] {
  return COMMAND_NAMES.filter((c) => !view || (COMMANDS[c].in as readonly KeyView[]).includes(view)).map(
    (c) => ({ keys: keymap[c].join(' '), help: COMMANDS[c].help }),
  );
}
