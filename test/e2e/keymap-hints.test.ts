import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keys, spawn } from '../helpers/pty.js';
import { tempDir } from '../helpers/temp.js';

describe('a remapped key, as a person sees it', () => {
  it('is named by its new binding in the footer, a dialog and the help, and works there', async () => {
    const file = join(tempDir('posture-keys-'), 'keys.json');
    writeFileSync(file, JSON.stringify({ back: ['x'], help: ['h'], menu: [','], 'view.history': ['H'] }));
    const s = spawn(['--demo', '--keys', file]);
    await s.waitFor('Connected apps');
    await s.waitFor('h help');
    // The tab bar names each view by the key that opens it.
    expect(s.lines()[0]).toMatch(/ 3 Actions {2}H History {2}5 Frameworks /);
    expect(s.screen()).not.toContain('? help');

    await keys(s, '/', 'o', 'k', 't', 'a', '\r', '\r');
    await s.waitFor('Okta · instances');
    await s.waitFor(', options · a add');
    expect(s.lines().at(-2)).toContain('x back');

    // The options menu says how to close it, and closes on that key.
    await keys(s, ',');
    await s.waitFor('Enter chooses · x closes');
    await keys(s, 'x');
    await s.waitFor('Okta · instances');
    expect(s.screen()).not.toContain('x closes');

    await keys(s, 'h');
    await s.waitFor('x closes this help');
    await keys(s, 'x', 'q');
    expect(await s.exit).toBe(0);
  });
});
