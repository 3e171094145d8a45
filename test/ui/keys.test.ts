import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawn } from '../helpers/pty.js';
import { tempDir } from '../helpers/temp.js';
import {
  bindingsOf,
  DEFAULT_KEYMAP,
  helpRows,
  type InkKey,
  keyNames,
  checkKeymap,
  loadKeymap,
} from '../../source/ui/keys.js';

const none: InkKey = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageUp: false,
  pageDown: false,
  return: false,
  escape: false,
  tab: false,
  shift: false,
  ctrl: false,
  meta: false,
  backspace: false,
  delete: false,
};

describe('keyNames', () => {
  it('splits a burst of typed keys so none is lost', () => {
    expect(keyNames('jjj', none)).toEqual(['j', 'j', 'j']);
    expect(keyNames('a b', none)).toEqual(['a', 'space', 'b']);
    // Enter, Tab and Backspace inside a burst are keys too, not dropped.
    expect(keyNames('3\r', none)).toEqual(['3', 'enter']);
    expect(keyNames('ab\u007f\t', none)).toEqual(['a', 'b', 'backspace', 'tab']);
  });
  it('names special keys', () => {
    expect(keyNames('', { ...none, upArrow: true })).toEqual(['up']);
    expect(keyNames('', { ...none, tab: true, shift: true })).toEqual(['shift+tab']);
    expect(keyNames('', { ...none, escape: true, meta: true })).toEqual(['escape']);
    expect(keyNames('c', { ...none, ctrl: true })).toEqual(['ctrl+c']);
  });
  it('drops terminal replies that Ink 6 delivers as typed text', () => {
    expect(keyNames('[24;80R', none)).toEqual([]);
    expect(keyNames('[I', none)).toEqual([]);
    expect(keyNames(']52;c;?\u0007', none)).toEqual([]);
  });
  it('drops control and format characters typed or pasted, keeping the text around them', () => {
    expect(keyNames('a\u009b31mb\u202ec\u200bd', none)).toEqual(['a', '3', '1', 'm', 'b', 'c', 'd']);
    expect(keyNames('é表👍', none)).toEqual(['é', '表', '👍']);
  });
});

describe('Esc followed by a key in one read (as it arrives over SSH)', () => {
  const alt = (name: string) => name === 'alt+x';
  it('is two keys: Esc, then the key', () => {
    // Ink cuts the ESC off `input`; for some keys (/, :) it sets no flag at all: the raw bytes tell.
    expect(keyNames('q', { ...none, meta: true }, { raw: '\u001bq' })).toEqual(['escape', 'q']);
    expect(keyNames('/', none, { raw: '\u001b/' })).toEqual(['escape', '/']);
    expect(keyNames(':', none, { raw: '\u001b:' })).toEqual(['escape', ':']);
    expect(keyNames('', { ...none, return: true }, { raw: '\u001b\r' })).toEqual(['escape', 'enter']);
    expect(keyNames('w', { ...none, ctrl: true, meta: true }, { raw: '\u001b\u0017' })).toEqual([
      'escape',
      'ctrl+w',
    ]);
    expect(keyNames('', { ...none, escape: true, meta: true }, { raw: '\u001b\u001b' })).toEqual([
      'escape',
      'escape',
    ]);
    expect(keyNames('', { ...none, upArrow: true }, { raw: '\u001b\u001b[A' })).toEqual(['escape', 'up']);
  });
  it('is an Alt-combination when the keymap binds alt+<key>', () => {
    expect(keyNames('x', { ...none, meta: true }, { raw: '\u001bx', altBound: alt })).toEqual(['alt+x']);
    expect(keyNames('q', { ...none, meta: true }, { raw: '\u001bq', altBound: alt })).toEqual([
      'escape',
      'q',
    ]);
  });
  it("reads Ink's meta flag the same way when the bytes are not known", () => {
    expect(keyNames('j', { ...none, meta: true })).toEqual(['escape', 'j']);
    expect(keyNames('x', { ...none, meta: true }, { altBound: alt })).toEqual(['alt+x']);
  });
  it('leaves escape sequences whole', () => {
    expect(keyNames('', { ...none, upArrow: true }, { raw: '\u001b[A' })).toEqual(['up']);
    expect(keyNames('', { ...none, upArrow: true, meta: true }, { raw: '\u001b[1;3A' })).toEqual(['up']);
    expect(keyNames('', { ...none, escape: true, meta: true }, { raw: '\u001b' })).toEqual(['escape']);
  });
  it('tells Delete from Backspace, and names the marks of a bracketed paste', () => {
    expect(keyNames('', { ...none, delete: true }, { raw: '\u001b[3~' })).toEqual(['delete']);
    expect(keyNames('', { ...none, delete: true }, { raw: '\u007f' })).toEqual(['backspace']);
    expect(keyNames('[200~', none, { raw: '\u001b[200~' })).toEqual(['paste-start']);
    expect(keyNames('[201~', none, { raw: '\u001b[201~' })).toEqual(['paste-end']);
  });
});

describe('keymap', () => {
  it('binds every command and generates help from itself', () => {
    const rows = helpRows(DEFAULT_KEYMAP);
    expect(rows.length).toBe(Object.keys(DEFAULT_KEYMAP).length);
    expect(rows.find((r) => r.help === 'quit')?.keys).toBe('q');
    expect(bindingsOf(DEFAULT_KEYMAP).get('space')).toEqual(['toggle']);
  });

  const file = (content: string) => {
    const p = join(tempDir(), 'keys.json');
    writeFileSync(p, content);
    return p;
  };
  it('takes overrides from a user file', () => {
    const map = loadKeymap(file(JSON.stringify({ quit: ['x'], 'nav.down': ['down', 'n'] })));
    expect(map.quit).toEqual(['x']);
    expect(map['nav.down']).toEqual(['down', 'n']);
    expect(map.help).toEqual(['?']);
    expect(helpRows(map).find((r) => r.help === 'quit')?.keys).toBe('x');
  });
  it('may bind alt+<key>', () => {
    expect(loadKeymap(file(JSON.stringify({ pause: ['alt+p'] }))).pause).toEqual(['alt+p']);
  });
  it('rejects bad files with a clear message', () => {
    expect(() => loadKeymap(file('{'))).toThrow(/key bindings .*keys\.json/);
    expect(() => loadKeymap(file(JSON.stringify({ teleport: ['t'] })))).toThrow(/teleport|Unrecognized/);
    expect(() => loadKeymap(file(JSON.stringify({ quit: ['ctrl+c'] })))).toThrow(/ctrl\+c always quits/);
    expect(() => loadKeymap(file(JSON.stringify({ quit: ['abc'] })))).toThrow(/quit/);
    expect(() => loadKeymap(file(JSON.stringify({ quit: [] })))).toThrow(/quit/);
  });

  it('refuses two commands that act in the same view on one key, in one line', () => {
    const refused: [object, RegExp][] = [
      // A global command (quit) shares its key with nothing.
      [{ filter: ['q'] }, /"q" would mean both filter and quit in the same view/],
      // Moving acts in every view: binding quit to j leaves quit unreachable in every list.
      [{ quit: ['j'] }, /"j" would mean both nav\.down and quit in the same view/],
      // Both act in Recommended actions.
      [{ sort: ['P'] }, /"P" would mean both filter\.product and sort in the same view/],
    ];
    for (const [map, error] of refused) {
      const load = () => loadKeymap(file(JSON.stringify(map)));
      expect(load).toThrow(error);
      expect(load).toThrow(/^key bindings .*keys\.json: [^\n]*; bind one of them to another key$/);
    }
  });
  it('lets commands of different views share a key', () => {
    // Space toggles in the instance drawer; in Secure Score it may cycle the score view.
    const map = loadKeymap(file(JSON.stringify({ 'score.view': ['space'], 'tab.next': ['tab', 'n'] })));
    expect(bindingsOf(map).get('space')).toEqual(['toggle', 'score.view']);
  });
  it('refuses a keymap that leaves quit unbound, naming ctrl+c', () => {
    expect(() => loadKeymap(file(JSON.stringify({ quit: [] })))).toThrow(
      /^key bindings .*: quit needs a key \(ctrl\+c also quits, but a terminal may take it\)$/,
    );
  });
  it('binds no two commands of one view to one key by default', () => {
    expect(() => checkKeymap(DEFAULT_KEYMAP)).not.toThrow();
  });
});

describe('the built program with a conflicting keymap', () => {
  it('exits 2 with one line, before drawing anything', async () => {
    const dir = tempDir();
    const keys = join(dir, 'keys.json');
    writeFileSync(keys, JSON.stringify({ 'score.view': ['space'], sort: ['q'] }));
    const s = spawn(['--keys', keys]);
    expect(await s.exit).toBe(2);
    expect(s.raw()).toBe(
      `posture: key bindings ${keys}: "q" would mean both quit and sort in the same view; bind one of them to another key\r\n`,
    );
  });
});
