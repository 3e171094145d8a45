import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Instance, PollChanges, StoreDoc } from '../../source/domain/schemas.js';
import { sanitize } from '../../source/text/sanitize.js';
import { instance, runIn, storeWith, writeStore } from '../commands/helpers.js';
import { HOSTILE, PAYLOAD_MARKERS } from '../helpers/hostile.js';
import { keys, type Session, spawn } from '../helpers/pty.js';
import { tempDir } from '../helpers/temp.js';
import { forbiddenIn, foreignEscapes, terminalText } from './terminal.js';

/**
 * A store, and a lock file beside it, full of hostile strings in every field the schema leaves
 * free: option values, token and CA file paths, poll errors and times, status reasons, authors
 * and times, evidence, failing items, control and instance ids in the history. The console shows
 * every one of them in a real pseudo-terminal, and every command prints them; none of their
 * escape sequences, control or bidi characters reaches the terminal or an output.
 */

const N = HOSTILE.length;
const hostile = (n: number) => HOSTILE[n % N]!.text;
// A time from the store is shown by its first 16 characters: the hostile text goes first.
const time = (n: number) => `${hostile(n)}2026-11-29T10:00:00.000Z`;

function hostileStore(): { doc: StoreDoc; polls: PollChanges[] } {
  const recent = new Date().toISOString();
  const instances: Instance[] = HOSTILE.map((_, n) =>
    instance(`i${n}`, {
      name: `Okta ${String(n).padStart(2, '0')}`,
      // The parser percent-encodes the bidi override: the store is normalised as it is read.
      baseUrl: `http://127.0.0.1:9/t${n}/\u202egnp`,
      credential: { kind: 'file', path: hostile(n + 1) },
      caFile: hostile(n + 2),
      options: { o: hostile(n) },
      // Polled a moment ago and due in a week: the console does not poll it while the test runs.
      pollIntervalMinutes: 10080,
      lastPoll: { at: recent, outcome: 'error', error: hostile(n + 3) },
    }),
  );
  // One failing control per instance, its evidence and failing item hostile; the others pass.
  const outcomes = Object.fromEntries(
    HOSTILE.map((_, n) => [
      `i${n}`,
      [
        {
          outcome: 'fail' as const,
          count: 0,
          total: 1,
          reason: hostile(n + 4),
          failing: [{ id: hostile(n + 5), name: hostile(n + 6) }],
          evidence: [{ item: hostile(n + 7), path: hostile(n + 8), value: hostile(n + 9) }],
        },
        { outcome: 'pass' as const, count: undefined, total: undefined },
      ],
    ]),
  );
  const doc = storeWith(instances, outcomes, recent);
  const polls: PollChanges[] = [];
  for (const i of doc.instances) i.lastPoll = { at: recent, outcome: 'error', error: i.lastPoll!.error! };
  HOSTILE.forEach((_, n) => {
    const first = doc.results[`i${n}`]!.results[0]!.controlId;
    doc.statuses.push({
      instanceId: `i${n}`,
      controlId: first,
      state: 'planned',
      reason: hostile(n + 10),
      by: hostile(n + 11),
      at: time(n + 12),
      expires: time(n + 13),
    });
    polls.push({
      at: time(n + 14),
      // An instance that is gone is named by its id.
      instanceId: n % 2 ? `i${n}` : hostile(n + 15),
      changes: [
        { instanceId: `i${n}`, controlId: hostile(n + 16), kind: 'regressed' },
        { instanceId: `i${n}`, controlId: first, kind: 'new' },
      ],
    });
  });
  return { doc, polls };
}

/** Another posture's lock, as a hostile one would write it: its holder's pid and host are shown. */
function hostileLock(file: string): void {
  writeFileSync(`${file}.lock`, JSON.stringify({ pid: hostile(0), host: `${hostile(6)} ${hostile(20)}` }));
}

/** What an output shows that it must not: escape sequences, controls, bidi characters, payloads. */
function unsafe(text: string): string[] {
  const found = [
    ...(text.includes('\x1b') ? ['ESC'] : []),
    // CSV ends its records in CRLF; a CR anywhere else would move the cursor back.
    ...(text.replace(/\r\n/g, '\n').includes('\r') ? ['CR'] : []),
    ...forbiddenIn(text),
    ...PAYLOAD_MARKERS.filter((m) => text.includes(m)),
  ];
  // JSON escapes control characters itself: what a reader of its strings would print counts.
  try {
    const walk = (v: unknown): void => {
      if (typeof v === 'string') {
        if (/[\x1b\r]/.test(v)) found.push(`ESC or CR in ${JSON.stringify(v.slice(0, 20))}`);
        found.push(...forbiddenIn(v).map((c) => `${c} in ${JSON.stringify(v.slice(0, 20))}`));
      } else if (v && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) {
          walk(k);
          walk(x);
        }
    };
    walk(JSON.parse(text));
  } catch {}
  return found;
}

describe('a hostile store through every command', () => {
  it('prints nothing of its escape sequences, controls or bidi characters', async () => {
    const dir = tempDir();
    const store = join(dir, 'store.json');
    writeStore(store, hostileStore().doc, hostileStore().polls);
    const t = { dir, env: {} };
    const outputs: { what: string; text: string }[] = [];
    const run = async (...args: string[]) => {
      const r = await runIn([...args, '--store', store], t);
      outputs.push(
        { what: args.join(' '), text: r.stdout },
        { what: `${args.join(' ')} (stderr)`, text: r.stderr },
      );
      return r;
    };
    for (const json of [[], ['--json']]) {
      await run('instances', ...json);
      await run('status', ...json);
      await run('status', '--instance', 'Okta 03', ...json);
      await run('check', '--min-score', '50', ...json);
      await run('doctor', ...json);
    }
    for (const format of ['json', 'csv', 'sarif', 'markdown']) await run('export', '--format', format);
    // Another posture holds the lock: commands that write say who, from the lock file.
    hostileLock(store);
    const held = await run('poll', '--once');
    expect(held.code).toBe(2);
    expect(held.stderr).toMatch(
      /^posture: poll needs to write the store, but read-only: another posture \(pid /,
    );
    await run(
      'connect',
      'okta',
      '--name',
      'N',
      '--url',
      'https://n.okta.com',
      '--token-env',
      'T',
      '--no-check',
    );
    await run('status');
    // Polls fail on the hostile token file paths, and say so.
    const { rmSync } = await import('node:fs');
    rmSync(`${store}.lock`);
    expect((await run('poll', '--once')).stdout).toMatch(/polled 36: 0 ok, 36 failed/);
    await run('poll', '--once', '--json');
    await run('instances');

    const shown = outputs.flatMap((o) => unsafe(o.text).map((u) => `${o.what}: ${u}`));
    expect(shown).toEqual([]);
    // The hostile strings were there to be shown: their readable parts were printed.
    const all = outputs.map((o) => o.text).join('\n');
    const seen = HOSTILE.filter((h) => {
      const visible = sanitize(h.text).trim().slice(0, 12);
      return visible.length >= 3 && all.includes(visible);
    });
    expect(seen.length).toBeGreaterThanOrEqual(25);
    console.info(
      `hostile store, commands: ${outputs.length / 2} runs, ${seen.length} of ${N} hostile strings seen, 0 unsafe`,
    );
  }, 60_000);
});

describe('a hostile store and lock file in the console, in a real pseudo-terminal', () => {
  const COLS = 100;
  const ROWS = 30;

  /** A screen the visit expected and did not find: kept, so that the raw output is judged first. */
  class Broken extends Error {}

  /**
   * Every view, with each instance's last error and edit form, each action's overview and status
   * history, and every history line. Screens that do not come are listed, not thrown at once.
   */
  async function visit(s: Session, o: { edit: boolean }): Promise<{ screens: number; broken: string[] }> {
    let screens = 0;
    const broken: string[] = [];
    const on = async (text: string | RegExp, what: string) => {
      try {
        await s.waitFor(text, 3000);
      } catch {
        broken.push(`${what}: no ${text}:\n${s.screen()}`);
        if (broken.length >= 3) throw new Broken();
      }
    };
    const seen = async (what: string) => {
      await new Promise((r) => setTimeout(r, 40));
      // The frame did not scroll: its tab bar is still the first line.
      if (!/^ 1 /.test(s.lines()[0] ?? '')) broken.push(`${what}: the frame scrolled:\n${s.screen()}`);
      screens++;
    };
    try {
      await on('Connected apps', 'start');
      await on(/Okta\s+36 \(36 on\)/, 'connected apps');
      await seen('connected apps');
      await keys(s, '\r');
      await on('Okta · instances', 'drawer');
      for (let n = 0; n < N; n++) {
        await on(/last poll .* failed/, `drawer, instance ${n}`);
        await seen(`drawer, instance ${n}`);
        if (o.edit) {
          // The options menu, then Edit: the form holds the instance's URL, files and options.
          await keys(s, '.', 'j', 'j', '\r');
          await on('Token file', `edit form of instance ${n}`);
          await seen(`edit form of instance ${n}`);
          await keys(s, '\u001b');
          await on('nothing was changed', `edit form of instance ${n}, closed`);
        }
        await keys(s, 'j');
      }
      await keys(s, '3');
      // Ranked first: the failing control of each instance, with its hostile evidence and status.
      await on(/Recommended actions \(\d+\)/, 'recommended actions');
      await seen('recommended actions');
      // A filter typed with a bidi override and a zero-width space: shown in the title and the hints.
      await keys(s, '/', 'O', 'k', '\u202e', 'ta', '\u200b');
      await on('text: Okta', 'filter typed');
      await seen('filter typed');
      await keys(s, '\u001b');
      for (let n = 0; n < N; n++) {
        // The evidence is at the end of the page (G): long hostile values wrap, not cut.
        await keys(s, '\r', 'G');
        await on('Evidence (values seen)', `overview of action ${n}`);
        await seen(`overview of action ${n}`);
        await keys(s, '\t', '\t');
        await on('Status history', `status history of action ${n}`);
        await seen(`status history of action ${n}`);
        await keys(s, '\u001b');
        await on(/Recommended actions \(/, `back from action ${n}`);
        await keys(s, 'j');
      }
      await keys(s, '4');
      await on('Changes per poll', 'history');
      for (let n = 0; n < N; n++) {
        await seen(`history, line ${n}`);
        await keys(s, 'j');
      }
      await keys(s, '2');
      await on('By instance', 'score');
      await seen('score');
    } catch (error) {
      if (!(error instanceof Broken)) throw error;
    }
    await keys(s, 'q');
    const code = await Promise.race([s.exit, new Promise<string>((r) => setTimeout(() => r('none'), 3000))]);
    if (code !== 0) broken.push(`q: exit code ${code}`);
    s.kill();
    return { screens, broken };
  }

  it('shows them harmlessly: no foreign escape, control or bidi character reaches the terminal', async () => {
    const dir = tempDir();
    const store = join(dir, 'store.json');
    writeStore(store, hostileStore().doc, hostileStore().polls);

    // Writable: every view and every instance's edit form.
    const writable = spawn(['--store', store], { cols: COLS, rows: ROWS });
    const edited = await visit(writable, { edit: true });
    // Read-only, because a hostile lock says another posture writes the store: its notice on every screen.
    hostileLock(store);
    const locked = spawn(['--store', store], { cols: COLS, rows: ROWS });
    await locked.waitFor('Connected apps');
    expect(locked.screen()).toContain('read-only: another posture (pid');
    const read = await visit(locked, { edit: false });

    for (const s of [writable, locked]) {
      const raw = s.raw();
      expect(foreignEscapes(raw)).toEqual([]);
      const text = terminalText(raw);
      expect(forbiddenIn(text)).toEqual([]);
      expect(text).not.toContain('\r');
      for (const marker of PAYLOAD_MARKERS) expect(text, marker).not.toContain(marker);
    }
    // They were shown, made harmless.
    const text = terminalText(writable.raw() + locked.raw());
    const seen = HOSTILE.filter((h) => {
      const visible = sanitize(h.text).trim().slice(0, 12);
      return visible.length >= 3 && text.includes(visible);
    });
    expect(seen.length).toBeGreaterThanOrEqual(25);
    // Every screen came, and the frame held.
    expect([...edited.broken, ...read.broken]).toEqual([]);
    const screens = edited.screens + read.screens;
    expect(screens).toBeGreaterThan(300);
    console.info(
      `hostile store, console: ${screens} screens, ${seen.length} of ${N} hostile strings seen, ${text.length} characters`,
    );
  }, 180_000);
});
