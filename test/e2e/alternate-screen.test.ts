import { describe, expect, it } from 'vitest';
import { keys, spawn } from '../helpers/pty.js';

const ENTER = '\u001b[?1049h';
const LEAVE = '\u001b[?1049l';
const SHOW_CURSOR = '\u001b[?25h';

/** What the program wrote after its last frame: the way back to the shell's screen. */
const tail = (raw: string) => raw.slice(raw.lastIndexOf(LEAVE) - 40);

describe('the console on the alternate screen', () => {
  async function started(env: Record<string, string> = {}) {
    const s = spawn(['--demo'], { env });
    await s.waitFor('Connected apps');
    // Entered before the first frame: nothing of the console is drawn on the shell's screen.
    expect(s.raw().indexOf(ENTER)).toBeGreaterThanOrEqual(0);
    expect(s.raw().indexOf(ENTER)).toBeLessThan(s.raw().indexOf('Connected apps'));
    return s;
  }

  it('leaves it, cursor shown, on q', async () => {
    const s = await started();
    await keys(s, 'q');
    expect(await s.exit).toBe(0);
    expect(s.raw()).toContain(LEAVE);
    expect(tail(s.raw())).toContain(SHOW_CURSOR);
    // The shell's screen is back as it was: the console's frame is gone from it.
    expect(s.screen()).not.toContain('Connected apps');
  });

  it('leaves it on ctrl-c', async () => {
    const s = await started();
    await keys(s, '\u0003');
    expect(await s.exit).toBe(0);
    expect(s.raw()).toContain(LEAVE);
    expect(s.screen()).not.toContain('Connected apps');
  });

  it.each(['SIGTERM', 'SIGHUP'])('leaves it on %s', async (signal) => {
    const s = await started();
    s.kill(signal);
    await s.exit;
    expect(s.raw()).toContain(LEAVE);
    expect(s.screen()).not.toContain('Connected apps');
  });

  it('leaves it on a crash, then prints the error on the shell screen', async () => {
    const s = await started({ POSTURE_TEST_CRASH: '1' });
    expect(await s.exit).toBe(2);
    const raw = s.raw();
    expect(raw).toContain(LEAVE);
    // The message comes after leaving, so it stays on the screen the person is back on.
    expect(raw.indexOf('crash asked for', raw.indexOf(LEAVE))).toBeGreaterThan(0);
    await s.waitFor('internal error');
    expect(s.screen()).not.toContain('Connected apps');
  });
});
