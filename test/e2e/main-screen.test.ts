import { describe, expect, it } from 'vitest';
import { keys, spawn } from '../helpers/pty.js';

const ENTER = '\u001b[?1049h';
const LEAVE = '\u001b[?1049l';
const SHOW_CURSOR = '\u001b[?25h';

describe('the console without the alternate screen', () => {
  it.each([
    { how: '--no-alt-screen', args: ['--demo', '--no-alt-screen'], env: {} as Record<string, string> },
    { how: 'POSTURE_ALT_SCREEN=0', args: ['--demo'], env: { POSTURE_ALT_SCREEN: '0' } },
  ])(
    'draws in the main screen with $how, its last frame left there, the cursor shown',
    async ({ args, env }) => {
      const s = spawn(args, { cols: 80, rows: 24, env });
      await s.waitFor('Connected apps');
      expect(s.raw()).not.toContain(ENTER);
      await keys(s, 'q');
      expect(await s.exit).toBe(0);
      expect(s.raw()).not.toContain(LEAVE);
      expect(s.raw().slice(-40)).toContain(SHOW_CURSOR);
      // The last frame stays where the operator can scroll back to it.
      expect(s.screen()).toContain('Connected apps');
    },
  );
});
