import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pty from '@lydell/node-pty';
import xterm from '@xterm/headless';
import { disposeWhenDone } from './cleanup.js';
import { tempDir } from './temp.js';

const { Terminal } = xterm;
export const BIN = join(import.meta.dirname, '..', '..', 'dist', 'posture.mjs');

export interface Session {
  /** Every byte the program wrote to its terminal. */
  raw(): string;
  screen(): string;
  lines(): string[];
  /** The rows whose first character is drawn inverse (a list's selected row) or dim (shown, not counted). */
  styled(style: 'inverse' | 'dim'): string[];
  /** The screen with each run of cells drawn in `attr` between ⟦ and ⟧ (the cursor's cell, a match). */
  marked(attr: 'inverse' | 'underline'): string;
  write(data: string): void;
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  resize(cols: number, rows: number): void;
  exit: Promise<number>;
  /** End the program (SIGHUP, as when its terminal closes, unless told another signal). */
  kill(signal?: string): void;
  dir: string;
}

/** Start the built program in a real pseudo-terminal, its screen emulated by xterm; killed when the test ends. */
export function spawn(
  args: string[],
  opts: { cols?: number; rows?: number; env?: Record<string, string> } = {},
): Session {
  if (!existsSync(BIN)) throw new Error('build first: npm run build');
  const cols = opts.cols ?? 100;
  const rows = opts.rows ?? 30;
  const dir = tempDir('posture-e2e-');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  // Ink renders only the final frame when it believes it runs in CI.
  delete env.CI;
  delete env.CONTINUOUS_INTEGRATION;
  delete env.NO_COLOR;
  Object.assign(env, { TERM: 'xterm-256color', XDG_DATA_HOME: dir, HOME: dir }, opts.env);
  const term = new Terminal({ cols, rows, allowProposedApi: true });
  const child = pty.spawn(process.execPath, [BIN, ...args], {
    name: 'xterm-256color',
    cols,
    rows,
    cwd: dir,
    env,
  });
  let raw = '';
  child.onData((d) => {
    raw += d;
    term.write(d);
  });
  let exited = false;
  const exit = new Promise<number>((resolve) =>
    child.onExit(({ exitCode }) => {
      exited = true;
      resolve(exitCode);
    }),
  );
  const kill = (signal?: string) => {
    if (!exited) child.kill(signal);
  };
  disposeWhenDone(() => kill());
  const lines = () => {
    const b = term.buffer.active;
    const out: string[] = [];
    for (let i = 0; i < term.rows; i++) out.push(b.getLine(b.viewportY + i)?.translateToString(true) ?? '');
    return out;
  };
  const screen = () => lines().join('\n');
  const styled = (style: 'inverse' | 'dim') => {
    const b = term.buffer.active;
    const out: string[] = [];
    for (let i = 0; i < term.rows; i++) {
      const line = b.getLine(b.viewportY + i);
      const text = line?.translateToString(true) ?? '';
      const first = text.search(/\S/);
      const cell = first >= 0 ? line?.getCell(first) : undefined;
      if (cell && (style === 'inverse' ? cell.isInverse() : cell.isDim())) out.push(text);
    }
    return out;
  };
  const marked = (attr: 'inverse' | 'underline') => {
    const b = term.buffer.active;
    const out: string[] = [];
    for (let i = 0; i < term.rows; i++) {
      const line = b.getLine(b.viewportY + i);
      let text = '';
      let on = false;
      for (let x = 0; line && x < term.cols; x++) {
        const c = line.getCell(x);
        if (!c || c.getWidth() === 0) continue;
        const has = attr === 'inverse' ? c.isInverse() !== 0 : c.isUnderline() !== 0;
        if (has !== on) text += has ? '⟦' : '⟧';
        on = has;
        text += c.getChars() || ' ';
      }
      out.push((on ? `${text}⟧` : text).trimEnd());
    }
    return out.join('\n');
  };
  return {
    dir,
    raw: () => raw,
    screen,
    lines,
    styled,
    marked,
    write: (data) => child.write(data),
    resize(c, r) {
      child.resize(c, r);
      term.resize(c, r);
    },
    async waitFor(text, timeoutMs = 10_000) {
      const start = Date.now();
      for (;;) {
        // xterm parses asynchronously: give it a tick before reading.
        await new Promise((r) => setTimeout(r, 25));
        const s = screen();
        if (typeof text === 'string' ? s.includes(text) : text.test(s)) return;
        if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${text}; screen:\n${s}`);
      }
    },
    exit,
    kill,
  };
}

/** Send keys one at a time with a small gap, as a person types. */
export async function keys(s: Session, ...ks: string[]): Promise<void> {
  for (const k of ks) {
    s.write(k);
    await new Promise((r) => setTimeout(r, k === '\u001b' ? 80 : 30));
  }
}
