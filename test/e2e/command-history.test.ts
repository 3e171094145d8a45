import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keys, spawn } from '../helpers/pty.js';
import { tempDir } from '../helpers/temp.js';

describe('the : history across sessions', () => {
  it('recalls with up a command typed in an earlier console', async () => {
    const state = tempDir('posture-state-');
    const env = { XDG_STATE_HOME: state };
    const first = spawn(['--demo'], { cols: 100, rows: 30, env });
    await first.waitFor('Connected apps');
    await keys(first, ':', ...'product github', '\r');
    await first.waitFor('product: GitHub');
    await keys(first, 'q');
    expect(await first.exit).toBe(0);
    const file = join(state, 'posture', 'command-history');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('product github\n');

    const second = spawn(['--demo'], { cols: 100, rows: 30, env });
    await second.waitFor('Connected apps');
    await keys(second, ':', '\u001b[A');
    await second.waitFor(':product github');
    await keys(second, '\r');
    await second.waitFor('product: GitHub');
    await keys(second, 'q');
    expect(await second.exit).toBe(0);
  }, 30_000);
});
