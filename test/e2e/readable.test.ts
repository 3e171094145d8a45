import { describe, expect, it } from 'vitest';
import { keys, type Session, spawn } from '../helpers/pty.js';

/** What an operator reads at 80x24: markers for what is cut, sorted or scrolled, and the drill-down. */

async function demo(): Promise<Session> {
  const s = spawn(['--demo'], { cols: 80, rows: 24 });
  await s.waitFor(/Okta\s+2 \(1 on\)\s+ok/);
  return s;
}

/** The table's header: the line under the view's title. */
const header = (s: Session) => s.lines().find((l) => /^\s+#\S* Title/.test(l)) ?? '';

describe('Recommended actions at 80x24', () => {
  it('says how much of the list is below, sorts by a column with an arrow in its header, reverses, and widens', async () => {
    const s = await demo();
    await keys(s, '3');
    await s.waitFor('Recommended actions');
    // N actions in 18 rows: the title says where the window is and how many rows are below.
    await s.waitFor(/Recommended actions \((\d+)\) · 1–18 of \1 · \d+ more ↓/);
    const [, all, more] = /\((\d+)\) · 1–18 of \d+ · (\d+) more/.exec(s.screen())!;
    expect(Number(all) - 18).toBe(Number(more));
    expect(header(s)).toMatch(/#↑ Title/);

    // o steps to the next column: Title, sorted A to Z.
    await keys(s, 'o');
    await s.waitFor('sort: title ↑');
    expect(header(s)).toMatch(/# Title↑/);
    const titles = () =>
      s
        .lines()
        .slice(3, 21)
        .map((l) => l.slice(5, 20).trim());
    expect(titles()).toEqual(
      [...titles()].sort((a, b) => a.localeCompare(b, undefined, { sensitivity: 'base' })),
    );

    // O reverses it: Z to A, the arrow turned.
    await keys(s, 'O');
    await s.waitFor('sort: title ↓');
    expect(header(s)).toMatch(/Title↓/);
    expect(titles()).toEqual(
      [...titles()].sort((a, b) => b.localeCompare(a, undefined, { sensitivity: 'base' })),
    );

    // Narrow, the product and result columns are left out; wide mode shows every column.
    expect(header(s)).not.toMatch(/Product|Result/);
    await keys(s, '\u0017'); // ctrl-w
    await s.waitFor(/Product\s+Instance\s+Result/);
    expect(s.screen()).toContain('· wide');

    await keys(s, 'q');
    expect(await s.exit).toBe(0);
  });
});

describe('the Secure Score view at 80x24', () => {
  it('drills down: Enter on an instance opens its Recommended actions, Esc comes back', async () => {
    const s = await demo();
    await keys(s, '2');
    await s.waitFor('By instance (current)');
    // The cursor starts on the first product: five products, then down to the second instance.
    await keys(s, 'j', 'j', 'j', 'j', 'j', 'j', '\r');
    // The title ends with the filter, cut at 80 columns when the counts before it are long: the rows say which instance.
    await s.waitFor(/Recommended actions \(\d+\) .*instance: S/);
    const rows = s
      .lines()
      .slice(3, 21)
      .filter((l) => /^\s+\d+ /.test(l));
    expect(rows.length).toBeGreaterThan(0);
    // The instance column is as wide as its longest text allows beside the others: cut, but Salesforce's.
    expect(rows.every((l) => l.includes('Salesforce Conto'))).toBe(true);

    await keys(s, '\u001b');
    await s.waitFor('By product (current)');
    // Enter on a product: its actions, whichever instance they are on.
    await keys(s, 'g', '\r');
    await s.waitFor(/product: Ok/);
    expect(s.screen()).not.toMatch(/Salesforce Contoso|GitHub Contoso/);

    await keys(s, 'q');
    expect(await s.exit).toBe(0);
  });
});

describe("an action's page at 80x24", () => {
  it('says how much of the page is below, when the action was evaluated and what it is worth; long lines wrap', async () => {
    const s = await demo();
    // The demo's maximum, from the Secure Score view (at 80 columns the tab bar shows the percentage only).
    await keys(s, '2');
    await s.waitFor(/Current score: .*\/ \d+ points/);
    const max = Number(/\/ (\d+) points/.exec(s.screen())![1]);
    await keys(s, '3', '\r');
    await s.waitFor('Overview');
    await s.waitFor(/1–17 of \d+ · \d+ more ↓/);
    // The first action: 10 points of the demo's maximum, evaluated at the demo's poll.
    expect(s.screen()).toContain(`Impact      +10 points · +${((10 / max) * 100).toFixed(2)}% Secure Score`);
    expect(s.screen()).toMatch(/Evaluated {3}\d{4}-\d\d-\d\d \d\d:\d\d UTC/);

    await keys(s, 'G');
    await s.waitFor(/\d+–\d+ of \d+ ↑/);
    // The benchmarks run past 80 columns: their end wraps onto the next line instead of being cut.
    const at = s.lines().findIndex((l) => l.startsWith('Benchmarks'));
    expect(at).toBeGreaterThan(0);
    expect(s.lines()[at + 1]).toMatch(/^ {12}\S/);
    expect(s.screen()).not.toMatch(/Benchmarks.*…/);

    await keys(s, 'q');
    expect(await s.exit).toBe(0);
  });
});
