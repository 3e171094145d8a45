import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';
import {
  bindingsOf,
  DEFAULT_KEYMAP,
  helpRows,
  type InkKey,
  keyNames,
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
  it('rejects bad files with a clear message', () => {
    expect(() => loadKeymap(file('{'))).toThrow(/key bindings .*keys\.json/);
    expect(() => loadKeymap(file(JSON.stringify({ teleport: ['t'] })))).toThrow(/teleport|Unrecognized/);
    expect(() => loadKeymap(file(JSON.stringify({ quit: ['ctrl+c'] })))).toThrow(/ctrl\+c always quits/);
    expect(() => loadKeymap(file(JSON.stringify({ quit: ['abc'] })))).toThrow(/quit/);
    expect(() => loadKeymap(file(JSON.stringify({ quit: [] })))).toThrow(/quit/);
  });
});
