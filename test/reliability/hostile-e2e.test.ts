import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import xterm from '@xterm/headless';
import { describe, expect, it } from 'vitest';
import { StoreDocSchema } from '../../source/domain/schemas.js';
import { sanitize } from '../../source/text/sanitize.js';
import { HOSTILE, PAYLOAD_MARKERS } from '../helpers/hostile.js';
import { keys, type Session, spawn } from '../helpers/pty.js';
import { simulate } from '../helpers/sim.js';
import { docFor, envFor, sleep, tempDir, writeStore } from './helpers.js';
import { errorTenants, hostileTenant } from './hostile-tenant.js';
import { FORBIDDEN_CHARS, foreignEscapes } from './terminal.js';

const { Terminal } = xterm;

/**
 * The built program, in a pseudo-terminal, shows a hostile tenant's names, settings, evidence and
 * error messages. No escape sequence, control or bidi character from the data reaches the terminal:
 * every ESC in the raw output starts one of the few CSI forms Ink itself writes. The layout holds.
 */

const COLS = 100;
const ROWS = 40;

/** Replays the raw output into a terminal of the same size and checks the layout after each screen. */
class LayoutCheck {
  private readonly term = new Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true });
  private fed = 0;
  screens = 0;
  constructor(private readonly s: Session) {}

  async check(where: string): Promise<void> {
    const raw = this.s.raw();
    const delta = raw.slice(this.fed);
    this.fed = raw.length;
    await new Promise<void>((resolve) => this.term.write(delta, resolve));
    const b = this.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < ROWS; i++) {
      const line = b.getLine(b.viewportY + i);
      // A wrapped line means a row was wider than the terminal: the frame would tear.
      expect(line?.isWrapped, `${where}: row ${i} wrapped`).toBe(false);
      lines.push(line?.translateToString(true) ?? '');
    }
    expect(lines[0], `${where}: tab bar not on the first line:\n${lines.join('\n')}`).toMatch(
      /^ 1 (Connected apps|Apps) {2}2 (Secure Score|Score) {2}3 (Recommended actions|Actions) {2}4 History {2}5 Frameworks {3}Secure Score [\d.–]+%?( \([\d.]+\/[\d.]+\))?$/,
    );
    expect(b.viewportY, `${where}: the screen scrolled`).toBe(0);
    this.screens++;
  }
}

describe('the raw-output checks', () => {
  // Harmless to a terminal, so not flagged: colours (Ink writes SGR too) and width traps.
  const HARMLESS = new Set([
    'SGR colour',
    'very long string',
    'wide CJK',
    'emoji with ZWJ and VS16',
    'line and paragraph separators',
    'combining marks pile-up',
    'newlines in a name', // the pty turns every newline into CRLF: the layout check catches these
  ]);
  it.each(HOSTILE.filter((h) => !HARMLESS.has(h.name)))('would catch $name written raw', ({ text }) => {
    const raw = `\x1b[?2026h\x1b[1G\x1b[7m Okta \x1b[27m ${text}\x1b[K\r\n\x1b[?2026l`;
    const rest = raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r\n/g, '\n');
    const caught =
      foreignEscapes(raw).length > 0 ||
      FORBIDDEN_CHARS.test(rest) ||
      rest.includes('\r') ||
      PAYLOAD_MARKERS.some((m) => rest.includes(m));
    expect(caught).toBe(true);
  });
});

describe('hostile strings from a tenant, in the real program', () => {
  it('are shown harmlessly: no foreign escape or control byte, the layout holds', async () => {
    const hostile = hostileTenant();
    const errors = errorTenants();
    const tenants = [hostile, ...errors.tenants];
    const sim = await simulate(tenants, [
      ...errors.faults,
      // A token that may not read one endpoint: the reason, with the vendor's hostile words, is shown.
      { kind: 'status', status: 403, tenant: hostile.id, path: '/oktaSupport', message: HOSTILE[0]!.text },
    ]);
    const file = join(tempDir(), 'store.json');
    writeStore(file, docFor(sim, tenants));

    const session = spawn(['--store', file], { env: envFor(tenants), cols: COLS, rows: ROWS });
    const s = session;
    const layout = new LayoutCheck(s);
    await s.waitFor('Connected apps');
    // Let the background poll of every instance commit.
    for (let i = 0; i < 200; i++) {
      const doc = existsSync(file) ? StoreDocSchema.parse(JSON.parse(readFileSync(file, 'utf8'))) : undefined;
      if (doc?.instances.every((x) => x.lastPoll)) break;
      await sleep(50);
    }
    await s.waitFor(/Okta\s+37 \(37 on\)/);
    await sleep(300);
    await layout.check('connected apps');

    // The drawer: every instance, each with its hostile error message on the last-poll line.
    await keys(s, '\r');
    await s.waitFor('Okta · instances');
    await s.waitFor(/last poll .* ok/);
    await layout.check('drawer');
    for (let i = 0; i < errors.tenants.length; i++) {
      await keys(s, 'j');
      await s.waitFor(/failed: Okta 400: Api validation failed: /);
      await layout.check(`drawer, error instance ${i + 1}`);
    }

    // Recommended actions, then each action's Overview with its evidence.
    await keys(s, '3');
    await s.waitFor(/Recommended actions \((\d+)\)/);
    const count = Number(/Recommended actions \((\d+)\)/.exec(s.screen())?.[1]);
    expect(count).toBeGreaterThanOrEqual(10);
    await layout.check('recommended actions');
    for (let i = 0; i < count; i++) {
      await keys(s, '\r');
      await s.waitFor('Evidence (values seen)');
      await layout.check(`overview of action ${i + 1}`);
      await keys(s, 'G'); // to the end of the evidence
      await sleep(60);
      await layout.check(`overview of action ${i + 1}, scrolled`);
      await keys(s, '\u001b');
      await s.waitFor(/Recommended actions \(/);
      await keys(s, 'j');
    }
    await keys(s, 'q');
    expect(await s.exit).toBe(0);

    // The hostile strings really were served and read: they are in the store, as data.
    // (Error messages are cut to one line, so compare with runs of whitespace collapsed.)
    const flat = (x: string) => x.replace(/\s+/g, ' ');
    const strings: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') strings.push(flat(v));
      else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
    };
    walk(JSON.parse(readFileSync(file, 'utf8')));
    const served = HOSTILE.filter((h) => strings.some((x) => x.includes(flat(h.text).trim().slice(0, 60))));
    expect(HOSTILE.filter((h) => !served.includes(h)).map((h) => h.name)).toEqual([]);
    expect(s.raw()).toContain('Api validation failed');
    expect(s.raw()).toContain('the token may not read this');

    // What reached the terminal.
    const raw = s.raw();
    expect(foreignEscapes(raw)).toEqual([]);
    const text = raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r\n/g, '\n');
    const controls = [...text.matchAll(new RegExp(FORBIDDEN_CHARS.source, 'gu'))].map((m) =>
      m[0].codePointAt(0)!.toString(16),
    );
    expect(controls).toEqual([]);
    expect(text).not.toContain('\r'); // only as part of the terminal's own CRLF
    for (const marker of PAYLOAD_MARKERS) expect(text, marker).not.toContain(marker);
    // And they were shown, made harmless: their readable text is on screen.
    const shown = HOSTILE.filter((h) => {
      const visible = sanitize(h.text).trim().slice(0, 12);
      return visible.length >= 3 && text.includes(visible);
    });
    expect(shown.length).toBeGreaterThanOrEqual(20);
    expect(layout.screens).toBeGreaterThan(40);
    console.info(
      `hostile e2e: ${HOSTILE.length} hostile strings, ${served.length} served and stored, ${shown.length} seen on screen, ${layout.screens} screens checked, ${raw.length} bytes`,
    );
  }, 90_000);
});
