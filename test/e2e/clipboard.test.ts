import { describe, expect, it } from 'vitest';
import { keys, spawn } from '../helpers/pty.js';

describe('copying from the console', () => {
  it('y copies the selected control id with OSC 52 and says so', async () => {
    const s = spawn(['--demo'], { env: { TMUX: '' } });
    await s.waitFor('Connected apps');
    await keys(s, '3');
    await s.waitFor(/Recommended actions \([1-9]/); // once the demo's first poll is in
    await keys(s, 'y');
    await s.waitFor(/Copied the control id: (\S+)/);
    const id = /Copied the control id: (\S+)/.exec(s.screen())![1]!;
    expect(s.raw()).toContain(`\u001b]52;c;${Buffer.from(id).toString('base64')}\u0007`);
    await keys(s, 'q');
    expect(await s.exit).toBe(0);
  });
});
