import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  ENTER_ALTERNATE,
  enterAlternateScreen,
  LEAVE_ALTERNATE,
  LEAVE_MAIN,
} from '../../source/ui/alternate-screen.js';

function fakes(isTTY: boolean) {
  const out = { isTTY, text: '', write: (d: string) => (out.text += d) };
  const err = { text: '', write: (d: string) => (err.text += d) };
  const proc = Object.assign(new EventEmitter(), {
    code: undefined as number | undefined,
    exit(code: number): never {
      proc.code = code;
      return undefined as never;
    },
  });
  return { out, err, proc };
}

describe('enterAlternateScreen', () => {
  it('writes nothing when the output is not a terminal', () => {
    const { out, err, proc } = fakes(false);
    enterAlternateScreen(out, err, proc).leave();
    proc.emit('exit');
    expect(out.text).toBe('');
  });

  it('off (--no-alt-screen): stays on the main screen, and still restores the modes and the cursor', () => {
    const { out, err, proc } = fakes(true);
    const screen = enterAlternateScreen(out, err, proc, false);
    expect(out.text).toBe('');
    proc.emit('exit');
    screen.leave();
    expect(out.text).toBe(LEAVE_MAIN);
    expect(out.text).not.toContain('?1049');
  });

  it('leaves once, whichever way out comes first', () => {
    const { out, err, proc } = fakes(true);
    const screen = enterAlternateScreen(out, err, proc);
    expect(out.text).toBe(ENTER_ALTERNATE);
    proc.emit('exit');
    screen.leave();
    expect(out.text).toBe(ENTER_ALTERNATE + LEAVE_ALTERNATE);
    expect(proc.listenerCount('exit') + proc.listenerCount('uncaughtException')).toBe(0);
  });

  it('on a crash, leaves first, then says what happened (sanitized) and exits 2', () => {
    const { out, err, proc } = fakes(true);
    enterAlternateScreen(out, err, proc);
    proc.emit('uncaughtException', new Error('boom \u001b]52;c;aGk=\u0007'));
    expect(out.text.endsWith(LEAVE_ALTERNATE)).toBe(true);
    expect(err.text).toContain('internal error');
    expect(err.text).not.toContain('\u001b');
    expect(proc.code).toBe(2);
  });
});
