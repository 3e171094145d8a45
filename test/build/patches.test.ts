import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import xterm from '@xterm/headless';
import { tokenize } from '@alcalzone/ansi-tokenize';
import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { build } from 'esbuild';
import { createElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installed, patchedFiles, upstream } from '../helpers/patches.js';

// The patches in patches/ are applied to node_modules by `npm ci` (patch-package, postinstall):
// these tests load the installed packages as Node loads them for the program's bundle, the tests and
// ink-testing-library, and compare them with the same packages as upstream ships them.

const LOG_UPDATE = 'node_modules/ink/build/log-update.js';
const OUTPUT = 'node_modules/ink/build/output.js';
const TOKENIZE = 'node_modules/@alcalzone/ansi-tokenize/build/tokenize.js';

type Tokenize = typeof tokenize;
type StringWidth = (
  text: string,
  options?: { ambiguousIsNarrow?: boolean; countAnsiEscapeCodes?: boolean },
) => number;
interface Caches {
  styledChars: Map<string, unknown>;
  widths: Map<string, number>;
  getStyledChars(line: string): unknown;
}
interface OutputModule {
  default: new (size: { width: number; height: number }) => {
    caches: Caches;
    write(x: number, y: number, text: string, options: { transformers: [] }): void;
    clip(clip: { x1?: number; x2?: number; y1?: number; y2?: number }): void;
    unclip(): void;
    get(): { output: string; height: number };
  };
}
interface LogUpdateModule {
  default: {
    create(stream: { write(s: string): boolean }, options: { incremental: boolean }): (s: string) => boolean;
  };
}

const LINES = [
  '',
  'Recommended actions  7,500',
  '  Require MFA for administrators…   Okta Contoso EU 12   10.0   To address',
  '\u001b[7m  selected row \u001b[27m',
  '\u001b[1;31mbold red\u001b[0m and plain',
  '\u001b[38;5;208morange\u001b[39m · score — 61.2 % ▁▂▃█',
  '\u001b[38;2;10;20;30mtrue colour\u001b[m',
  '‹ back › – ▏',
  // A row with a filter's matches marked (the styles change mid-row and back), as chalk nests them.
  '\u001b[2m\u001b[31m  12 Require \u001b[7m\u001b[4mpass\u001b[24m\u001b[27mword rules \u001b[7m\u001b[4mPass\u001b[24m\u001b[27m\u001b[39m\u001b[22m',
  '\u001b[7m  selected \u001b[27m\u001b[4mmatch\u001b[24m\u001b[7m row\u001b[27m',
  // Not plain: wide, combining and emoji characters, controls and other escapes take upstream's path.
  '表 wide',
  'e\u0301 combining',
  '👍🏽 emoji',
  'tab\there',
  '\u001b]8;;https://example.com\u0007link\u001b]8;;\u0007',
  '\u001b[2Kerase line',
];
const PLAIN = LINES.slice(0, 10);
const NOT_PLAIN = LINES.slice(10);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('patches/', () => {
  it('are all applied to the installed packages (npm ci runs patch-package)', () => {
    for (const { patch, file, hunks } of patchedFiles())
      for (const hunk of hunks)
        expect(readFileSync(file, 'utf8').includes(hunk.patched), `${file} lacks ${patch}: run npm ci`).toBe(
          true,
        );
  });

  it('change every copy of string-width installed, since Ink measures with several of them', () => {
    const copies: string[] = [];
    const walk = (modules: string) => {
      for (const name of existsSync(modules) ? readdirSync(modules) : []) {
        const pkgs = name.startsWith('@')
          ? readdirSync(join(modules, name)).map((n) => join(name, n))
          : [name];
        for (const pkg of pkgs) {
          if (pkg === 'string-width') copies.push(join(modules, pkg, 'index.js'));
          walk(join(modules, pkg, 'node_modules'));
        }
      }
    };
    walk('node_modules');
    expect(copies.length).toBeGreaterThan(1);
    expect(patchedFiles().map((f) => f.file)).toEqual(expect.arrayContaining(copies));
  });
});

describe("Ink's incremental renderer", () => {
  /** The screen of a terminal after each frame was drawn by log-update, as Ink draws with `incremental`. */
  async function screens(logUpdate: LogUpdateModule, frames: string[]) {
    // convertEol: a terminal device turns each newline into a carriage return and a line feed.
    const term = new xterm.Terminal({ cols: 20, rows: 6, allowProposedApi: true, convertEol: true });
    const draw = logUpdate.default.create({ write: (s) => (term.write(s), true) }, { incremental: true });
    const seen: string[][] = [];
    for (const frame of frames) {
      draw(frame);
      await new Promise<void>((done) => term.write('', done));
      const b = term.buffer.active;
      seen.push(
        Array.from({ length: term.rows }, (_, i) => b.getLine(b.viewportY + i)!.translateToString(true)),
      );
    }
    term.dispose();
    return seen;
  }

  // Ink's frames end in a newline when they are shorter than the terminal.
  const FRAMES = ['one\ntwo\nthree\n', 'one\nTWO\nthree\n', 'one\nTWO\nTHREE\n'];
  const AS_DRAWN = FRAMES.map((f) => [...f.split('\n'), '', '']);

  it('redraws each frame in place, where upstream moves it one line lower each time', async () => {
    expect(await screens(await installed<LogUpdateModule>(LOG_UPDATE), FRAMES)).toEqual(AS_DRAWN);
    expect(await screens(await upstream<LogUpdateModule>(LOG_UPDATE), FRAMES)).not.toEqual(AS_DRAWN);
  });
});

describe("Ink's output grid", () => {
  it('keeps its caches across frames, and starts afresh once they grow large', async () => {
    const { default: Output } = await installed<OutputModule>(OUTPUT);
    const first = new Output({ width: 10, height: 2 });
    expect(new Output({ width: 10, height: 2 }).caches).toBe(first.caches);
    for (let i = 0; i <= 4000; i++) first.caches.getStyledChars(`line ${i}`);
    const fresh = new Output({ width: 10, height: 2 }).caches;
    expect(fresh).not.toBe(first.caches);
    expect(fresh.styledChars.size).toBe(0);
  });

  it('draws the same frames as upstream', async () => {
    const patched = await installed<OutputModule>(OUTPUT);
    const original = await upstream<OutputModule>(OUTPUT);
    const frame = ({ default: Output }: OutputModule, lines: string[]) => {
      const output = new Output({ width: 40, height: lines.length + 3 });
      lines.forEach((line, y) => output.write(y % 3, y, line, { transformers: [] }));
      output.clip({ x1: 2, x2: 12, y1: 0, y2: 40 });
      output.write(0, lines.length, LINES[4]!, { transformers: [] });
      output.unclip();
      return output.get();
    };
    // Twice: the second frame is drawn from the caches the first filled.
    for (let i = 0; i < 2; i++) expect(frame(patched, LINES)).toEqual(frame(original, LINES));
  });

  it('draws rows that several writes share, their styles alike or not, as upstream', async () => {
    const patched = await installed<OutputModule>(OUTPUT);
    const original = await upstream<OutputModule>(OUTPUT);
    const frame = ({ default: Output }: OutputModule) => {
      const output = new Output({ width: 30, height: 3 });
      // The same colour from two lines (equal styles, not the same objects), then a change of style.
      output.write(0, 0, '\u001b[31mred \u001b[39m', { transformers: [] });
      output.write(4, 0, '\u001b[31mstill red\u001b[39m plain', { transformers: [] });
      output.write(0, 1, '\u001b[1mbold\u001b[22m', { transformers: [] });
      output.write(2, 1, '\u001b[1m\u001b[7mBI\u001b[27m\u001b[22m', { transformers: [] });
      output.write(0, 2, 'plain then \u001b[4munder\u001b[24m', { transformers: [] });
      return output.get();
    };
    for (let i = 0; i < 2; i++) expect(frame(patched)).toEqual(frame(original));
  });
});

describe('the tokenizer', () => {
  it('gives the same tokens as upstream for every kind of line', async () => {
    const { tokenize: original } = await upstream<{ tokenize: Tokenize }>(TOKENIZE);
    for (const line of LINES) {
      expect(tokenize(line)).toEqual(original(line));
      for (const end of [1, 5, 12]) expect(tokenize(line, end)).toEqual(original(line, end));
    }
  });

  it('reads plain lines without segmenting graphemes, and only those', () => {
    const segment = vi.spyOn(Intl.Segmenter.prototype, 'segment');
    for (const line of PLAIN) tokenize(line);
    expect(segment).not.toHaveBeenCalled();
    for (const line of NOT_PLAIN) tokenize(line);
    expect(segment).toHaveBeenCalledTimes(NOT_PLAIN.length);
  });
});

describe('string-width', () => {
  const copies = patchedFiles()
    .map((f) => f.file)
    .filter((f) => f.endsWith('string-width/index.js'));

  it.each(copies)(
    '%s measures every kind of line as upstream, with and without its options',
    async (file) => {
      const { default: patched } = await installed<{ default: StringWidth }>(file);
      const { default: original } = await upstream<{ default: StringWidth }>(file);
      for (const line of LINES)
        for (const options of [undefined, { ambiguousIsNarrow: false }, { countAnsiEscapeCodes: true }])
          expect(patched(line, options), JSON.stringify([line, options])).toBe(original(line, options));
    },
  );

  // Building the emoji expression takes over 10 ms (Node 20), at every start-up if done on load; V8
  // also builds a regular expression literal when it parses the file, so it is built from a string.
  const withEmojiExpression = copies.filter((f) => readFileSync(f, 'utf8').includes('{RGI_Emoji}$'));
  it.each(withEmojiExpression)(
    '%s builds its emoji expression on first need, not when loaded',
    async (file) => {
      expect(readFileSync(file, 'utf8')).not.toContain('/^\\p{RGI_Emoji}$/v');
      // A fresh copy of the module (bundled as the program bundles it), its RegExp constructions recorded.
      const out = await build({
        entryPoints: [file],
        bundle: true,
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        write: false,
      });
      const built: string[] = [];
      class Recorded extends RegExp {
        constructor(pattern: string | RegExp, flags?: string) {
          super(pattern, flags);
          built.push(String(pattern));
        }
      }
      const module = { exports: {} as { default: StringWidth } };
      const load = new Function('module', 'exports', 'require', 'RegExp', out.outputFiles[0]!.text) as (
        ...args: unknown[]
      ) => void;
      load(module, module.exports, createRequire(import.meta.url), Recorded);
      const emoji = () => built.filter((p) => p.includes('RGI_Emoji'));
      expect(emoji()).toEqual([]);
      module.exports.default('Score 61.2 % — ok');
      expect(emoji()).toEqual([]);
      expect(module.exports.default('👍🏽')).toBe(2);
      expect(emoji()).toHaveLength(1);
    },
  );

  it.each(copies)('%s measures narrow lines without segmenting graphemes', async (file) => {
    const { default: stringWidth } = await installed<{ default: StringWidth }>(file);
    const segment = vi.spyOn(Intl.Segmenter.prototype, 'segment');
    for (const line of PLAIN) stringWidth(line);
    expect(segment).not.toHaveBeenCalled();
  });
});

describe('ink-testing-library', () => {
  it('renders through the patched Ink, as the program does', async () => {
    const line = 'drawn through the patched Ink';
    const { lastFrame, unmount } = render(createElement(Text, null, line));
    expect(lastFrame()).toBe(line);
    // Its frame went through the patched output grid: the line is in the caches kept across frames.
    const { default: Output } = await installed<OutputModule>(OUTPUT);
    expect(new Output({ width: 1, height: 1 }).caches.styledChars.has(line)).toBe(true);
    unmount();
  });
});
