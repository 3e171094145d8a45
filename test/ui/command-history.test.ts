import { chmodSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyFile, loadHistory, saveHistory } from '../../source/ui/command-history.js';
import { HISTORY } from '../../source/ui/command-line.js';
import { tempDir } from '../helpers/temp.js';

describe('the : history kept across sessions', () => {
  it('lives under $XDG_STATE_HOME/posture, else ~/.local/state/posture', () => {
    expect(historyFile({ XDG_STATE_HOME: '/s', HOME: '/h' })).toBe('/s/posture/command-history');
    expect(historyFile({ HOME: '/h' })).toBe('/h/.local/state/posture/command-history');
  });

  it('is written 0600 in a folder it makes, and read back the last first', () => {
    const file = join(tempDir(), 'state', 'posture', 'command-history');
    expect(saveHistory(file, ['product okta', 'mode'])).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadHistory(file)).toEqual(['product okta', 'mode']);
  });

  it('is sanitized on reading, and capped', () => {
    const file = join(tempDir(), 'command-history');
    const lines = [
      'status planned\u001b]52;c;aGk=\u0007',
      '',
      'x'.repeat(600),
      ...Array.from({ length: 300 }, (_, n) => `instance "n${n}"`),
    ];
    writeFileSync(file, lines.join('\n'));
    const read = loadHistory(file);
    expect(read.length).toBe(HISTORY);
    for (const l of read) expect([...l].some((c) => c < ' ' || c === '\u007f')).toBe(false);
    expect(read[0]).toMatch(/^status planned/);
    expect(read).not.toContain('x'.repeat(600));
  });

  it('is harmless when missing, not a file, or in a folder that cannot be written', () => {
    const dir = tempDir();
    expect(loadHistory(join(dir, 'absent'))).toEqual([]);
    mkdirSync(join(dir, 'folder'));
    expect(loadHistory(join(dir, 'folder'))).toEqual([]);
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    try {
      // Root writes anyway; anyone else is refused, quietly.
      const ok = saveHistory(join(locked, 'posture', 'command-history'), ['clear']);
      if (process.getuid?.() !== 0) expect(ok).toBe(false);
    } finally {
      chmodSync(locked, 0o700);
    }
    expect(saveHistory(join(dir, 'folder', 'x', 'y'), ['clear'])).toBe(true);
  });

  it('never writes through a link planted under its name', () => {
    const dir = tempDir();
    const target = join(dir, 'target');
    writeFileSync(target, 'keep');
    const file = join(dir, 'command-history');
    symlinkSync(target, file);
    expect(saveHistory(file, ['clear'])).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('keep');
    expect(readFileSync(file, 'utf8')).toBe('clear\n');
  });
});
