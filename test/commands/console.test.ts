import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../source/cli.js';
import { BACKENDS, cleanEnv, exists, Sink, workspace } from './helpers.js';

describe.each(BACKENDS)('the console command on $name', ({ backend }) => {
  // The command line knows no error of ui/: the console command reports its keymap's as bad input.
  it('reports a bad key bindings file in one line, exit 2, before drawing anything', async () => {
    const t = await workspace(backend);
    const keys = join(t.dir, 'keys.json');
    writeFileSync(keys, '{');
    const stdout = Object.assign(new Sink(), { isTTY: true });
    const stderr = new Sink();
    const code = await run(['--keys', keys, '--store', t.store], { stdout, stderr, env: cleanEnv(t.dir) });
    expect(code).toBe(2);
    expect(stdout.text).toBe('');
    expect(stderr.text).toMatch(/^posture: key bindings .*keys\.json: .+\n$/);
    expect(stderr.text).not.toContain('internal error');
    expect(await exists(t.store)).toBe(false);
  });
});
