import { describe, expect, it } from 'vitest';
import { footerHints, keymapOf, keyOf } from '../../source/ui/hints.js';
import { bindingsOf, DEFAULT_KEYMAP, type Keymap } from '../../source/ui/keys.js';
import { INITIAL, type UIState } from '../../source/ui/state.js';

const at = (patch: Partial<UIState>): UIState => ({ ...INITIAL, ...patch });

describe('the footer', () => {
  it('offers only the keys that act in the view', () => {
    const score = footerHints(at({ view: 'score' }), false, DEFAULT_KEYMAP);
    expect(score).toContain('v next view');
    expect(score).toContain('Enter open'); // drills down to the selected product or instance
    expect(score).not.toMatch(/\/ filter|s status/);
    const drawer = footerHints(at({ view: 'drawer', stack: ['apps'] }), false, DEFAULT_KEYMAP);
    expect(drawer).toMatch(
      /^Enter open · Space on\/off · \. options · a add · \/ filter · o sort · y copy · b browser · Esc back · \? help · q quit/,
    );
    // Nothing to go back to on a top view with no filter.
    expect(footerHints(at({ view: 'apps' }), false, DEFAULT_KEYMAP)).not.toContain('back');
  });

  it('offers nothing that would change the store when read-only', () => {
    const drawer = footerHints(at({ view: 'drawer', stack: ['apps'] }), true, DEFAULT_KEYMAP);
    expect(drawer).not.toMatch(/on\/off|options|add|poll/);
    expect(footerHints(at({ view: 'actions' }), true, DEFAULT_KEYMAP)).not.toContain('status');
  });

  it('names a remapped key by its new binding', () => {
    const keymap: Keymap = { ...DEFAULT_KEYMAP, help: ['h'], 'view.apps': ['!'], status: ['S'] };
    const hints = footerHints(at({ view: 'actions' }), false, keymap);
    expect(hints).toContain('h help');
    expect(hints).toContain('S status');
    expect(hints).toContain('!/2/3/4/5 views');
    expect(hints).not.toContain('? help');
  });
});

describe('keyOf', () => {
  it('reads a key as a person does', () => {
    expect(keyOf(DEFAULT_KEYMAP, 'back')).toBe('Esc');
    expect(keyOf({ ...DEFAULT_KEYMAP, poll: ['ctrl+r'] }, 'poll')).toBe('ctrl-r');
  });

  it('in a text field names a key that types nothing, else the one the field always takes', () => {
    const keymap: Keymap = { ...DEFAULT_KEYMAP, back: ['x', 'ctrl+b'] };
    expect(keyOf(keymap, 'back', { always: 'escape' })).toBe('ctrl-b');
    expect(keyOf({ ...DEFAULT_KEYMAP, back: ['x'] }, 'back', { always: 'escape' })).toBe('Esc');
  });

  it('finds the keymap again from the reducer’s key table', () => {
    const keymap: Keymap = { ...DEFAULT_KEYMAP, back: ['x'] };
    expect(keymapOf(bindingsOf(keymap))).toEqual(keymap);
  });
});

describe('the footer names undo', () => {
  it('while there is something to take back, and not before', () => {
    const drawer = at({ view: 'drawer', stack: ['apps'] });
    expect(footerHints(drawer, false, DEFAULT_KEYMAP)).not.toContain('undo');
    const undo = [{ kind: 'recommendations' as const, instanceId: 'eu', name: 'Okta EU', was: false }];
    expect(footerHints({ ...drawer, undo }, false, DEFAULT_KEYMAP)).toMatch(/a add · u undo ·/);
    expect(footerHints({ ...drawer, undo }, false, { ...DEFAULT_KEYMAP, undo: ['Z'] })).toContain('Z undo');
  });
});
