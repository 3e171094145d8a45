import { describe, expect, it } from 'vitest';
import { keys, spawn } from '../helpers/pty.js';

// Keys and text input as a person at a terminal (often over SSH) meets them: the built program
// in a real pseudo-terminal on the demo.

const ESC = '\u001b';
const LEFT = `${ESC}[D`;
const HOME = `${ESC}[H`;

async function demo() {
  const s = spawn(['--demo']);
  await s.waitFor(/GitHub\s+2 \(1 on\)\s+ok/);
  return s;
}

describe('keys and text input', () => {
  it('Esc then a key sent in one write is two keys: Esc closes the filter, : opens the command line', async () => {
    const s = await demo();
    await keys(s, '/', ...'okta');
    await s.waitFor('/okta');
    s.write(`${ESC}:`); // as a fast Esc, : arrives over SSH: one packet
    await s.waitFor(/^:\s*$/m);
    expect(s.screen()).not.toContain('okta:');
  });

  it('Esc then q sent in one write, from a filter, quits', async () => {
    const s = await demo();
    await keys(s, '/', ...'sales');
    await s.waitFor('/sales');
    s.write(`${ESC}q`);
    expect(await s.exit).toBe(0);
  });

  it('edits a filter in the middle, with the cursor drawn where it is', async () => {
    const s = await demo();
    await keys(s, '/', ...'gthub', HOME, `${ESC}[C`, 'i');
    await s.waitFor('/github');
    await s.waitFor(/GitHub\s+2 \(1 on\)/);
    expect(s.screen()).not.toMatch(/Okta\s+2/);
    // The cursor is the inverse cell after the "i" it just typed.
    expect(s.marked('inverse').split('\n')).toContain('/gi⟦t⟧hub');
    await keys(s, LEFT, LEFT, `${ESC}[3~`); // Delete takes the "g" under the cursor
    await s.waitFor(/^\/ithub/m);
  });

  it('/ marks what matched in the rows', async () => {
    const s = await demo();
    // A word early in the titles, so the selected row's match is not cut off by the column's width.
    await keys(s, '3', '/', ...'phish');
    await s.waitFor(/^\/phish/m);
    await s.waitFor(/Require phishing/);
    const rows = s
      .marked('underline')
      .split('\n')
      .filter((l) => l.includes('⟦'));
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r).toMatch(/⟦phish⟧/i);
    // On the selected (inverse) row a match is drawn in reverse of it: plain between inverse runs.
    expect(s.marked('inverse')).toMatch(/⟧phish⟦/i);
  });

  it(': completes commands and arguments with Tab, shows the candidates, and runs the line', async () => {
    const s = await demo();
    await keys(s, ':', 's', '\t');
    await s.waitFor('Tab: status · score');
    await keys(s, '\u007f', ...'pro', '\t', ...'git', '\t');
    await s.waitFor(/^:product github\s*$/m);
    await keys(s, '\r');
    await s.waitFor('product: GitHub');
    // The session remembers it: up recalls it.
    await keys(s, ':', `${ESC}[A`);
    await s.waitFor(/^:product github\s*$/m);
  });

  it("a bracketed paste's line break does not submit the filter", async () => {
    const s = await demo();
    expect(s.raw()).toContain(`${ESC}[?2004h`); // the console asks the terminal to mark pastes
    await keys(s, '/');
    s.write(`${ESC}[200~git\rhub${ESC}[201~`);
    await s.waitFor(/^\/git hub\s*$/m);
    await keys(s, ESC, 'q');
    expect(await s.exit).toBe(0);
    expect(s.raw()).toContain(`${ESC}[?2004l`);
  });
});
