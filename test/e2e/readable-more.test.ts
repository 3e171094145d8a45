import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { FileStore } from '../../source/store/store.js';
import { instance } from '../helpers/fixtures.js';
import { keys, type Session, spawn } from '../helpers/pty.js';
import { tempDir } from '../helpers/temp.js';

/** What an operator reads at 80x24 beyond the actions list: help, a long fleet, a long vendor error. */

const ERROR = `Okta API 403 Forbidden: ${'the token lacks okta.policies.read for the organisation Contoso; '.repeat(4)}ask an admin to grant it.`;

/** Thirty Okta instances, the twelfth failing with a long vendor error; none due for a poll. */
async function fleet(): Promise<string> {
  const file = join(tempDir(), 'store.json');
  const store = await FileStore.open(file);
  const at = new Date().toISOString();
  await store.update((d) => {
    for (let n = 1; n <= 30; n++)
      d.instances.push(
        instance(`i${n}`, {
          name: `Okta tenant ${String(n).padStart(2, '0')}`,
          baseUrl: `https://t${n}.okta.com`,
          recommendations: n % 3 === 0,
          lastPoll: n === 12 ? { at, outcome: 'error', error: ERROR } : { at, outcome: 'ok' },
          pollIntervalMinutes: 10080,
        }),
      );
  });
  await store.close();
  return file;
}

const headerOf = (s: Session) => s.lines().find((l) => /^Instance\S*\s+Endpoint/.test(l)) ?? '';

describe('the help at 80x24', () => {
  it('cuts no help text, says how much is below, and scrolls with j', async () => {
    const s = spawn(['--demo'], { cols: 80, rows: 24 });
    await s.waitFor(/Okta\s+2 \(1 on\)/);
    await keys(s, '2');
    await s.waitFor('By product');
    await keys(s, '?');
    await s.waitFor('Help · Secure Score');
    // The Secure Score view's own key, whole (it was "cycle current / planne…").
    await s.waitFor('cycle current / planned / achievable');
    expect(s.screen()).not.toMatch(/\w…/);
    await s.waitFor(/1–\d+ of (\d+) · \d+ more ↓/);
    const [, total] = /of (\d+) · /.exec(s.screen())!;
    // Down to the end: the text fields' keys and the other views' keys are there too.
    let read = s.screen();
    for (let n = 0; n < Number(total) && !s.screen().includes('↑ · '); n++) {
      await keys(s, 'j');
      read += s.screen();
    }
    await keys(s, 'G');
    await s.waitFor(/of \d+ ↑ · ↓\/↑ scroll/);
    read += s.screen();
    expect(read).toContain('In other views');
    expect(read).toContain('In text fields');
    await keys(s, '\u001b', 'q');
    expect(await s.exit).toBe(0);
  });
});

describe('an app with thirty instances at 80x24', () => {
  it('says how many are below, sorts by a column with an arrow, and reads a long error in full', async () => {
    const file = await fleet();
    const s = spawn(['--store', file], { cols: 80, rows: 24 });
    await s.waitFor(/Okta\s+30 \(10 on\)/);
    await keys(s, '\r');
    await s.waitFor('Okta · instances');
    await s.waitFor(/instances · 1–15 of 30 · 15 more ↓/);
    expect(headerOf(s)).not.toMatch(/[↑↓]/);

    // o: by the first column (the name), then Health: the failing instance first.
    await keys(s, 'o');
    await s.waitFor('sort: instance ↑');
    expect(headerOf(s)).toMatch(/^Instance↑/);
    await keys(s, 'o', 'o');
    await s.waitFor('sort: health ↓');
    expect(headerOf(s)).toMatch(/Health↓/);
    await keys(s, 'g');
    await s.waitFor(/Okta tenant 12 .*error/);
    // The sort kept the cursor on its row; g takes it to the top, where the failing one now is.
    await vi.waitFor(() => expect(s.styled('inverse').join('\n')).toMatch(/^Okta tenant 12 /m));

    // The selected instance's error line is cut at 80 columns, and says how to read the rest.
    await s.waitFor('Enter shows all');
    expect(s.screen()).not.toContain('ask an admin to grant it.');
    await keys(s, '\r');
    await s.waitFor('Okta tenant 12 · Esc closes');
    const text = s
      .lines()
      .map((l) => l.slice(14).trim())
      .join(' ')
      .replace(/\s+/g, ' ');
    expect(text).toContain(ERROR.replace(/\s+/g, ' '));
    await keys(s, '\u001b');
    await s.waitFor('sort: health ↓');

    await keys(s, 'q');
    expect(await s.exit).toBe(0);
  }, 30_000);

  it("names undo in the drawer's footer once there is something to take back", async () => {
    const file = await fleet();
    const s = spawn(['--store', file], { cols: 100, rows: 30 });
    await s.waitFor(/Okta\s+30 \(10 on\)/);
    await keys(s, '\r');
    await s.waitFor('Okta · instances');
    expect(s.lines().at(-2)).not.toContain('u undo');
    await keys(s, ' ');
    await s.waitFor('u undoes');
    await s.waitFor('u undo ·');
    await keys(s, 'q');
    expect(await s.exit).toBe(0);
  }, 30_000);
});
