import { readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { tempDir } from './temp.js';

/** One hunk of a patch: the text upstream ships and the text the patch installs instead. */
export interface Hunk {
  upstream: string;
  patched: string;
}

/** A file that patches/ changes, as a path under the project (node_modules/...). */
export interface PatchedFile {
  patch: string;
  file: string;
  hunks: Hunk[];
}

const PATCHES = 'patches';

/** Every file that patches/*.patch changes, with its hunks (unified diffs as patch-package writes them). */
export function patchedFiles(): PatchedFile[] {
  const files: PatchedFile[] = [];
  for (const patch of readdirSync(PATCHES)
    .filter((f) => f.endsWith('.patch'))
    .sort()) {
    let current: PatchedFile | undefined;
    let hunk: { upstream: string[]; patched: string[] } | undefined;
    const close = () => {
      if (hunk && current)
        current.hunks.push({ upstream: hunk.upstream.join('\n'), patched: hunk.patched.join('\n') });
      hunk = undefined;
    };
    for (const line of readFileSync(join(PATCHES, patch), 'utf8').split('\n')) {
      if (line.startsWith('diff --git ')) {
        close();
        current = undefined;
      } else if (line.startsWith('+++ b/')) {
        current = { patch, file: line.slice('+++ b/'.length), hunks: [] };
        files.push(current);
      } else if (line.startsWith('@@')) {
        close();
        hunk = { upstream: [], patched: [] };
      } else if (hunk) {
        const text = line.slice(1);
        if (line.startsWith(' ') || line.startsWith('-')) hunk.upstream.push(text);
        if (line.startsWith(' ') || line.startsWith('+')) hunk.patched.push(text);
      }
    }
    close();
  }
  return files;
}

/** The installed file as upstream ships it: each hunk of its patch undone. */
function unpatched(file: PatchedFile): string {
  let text = readFileSync(file.file, 'utf8');
  for (const hunk of file.hunks) {
    if (!text.includes(hunk.patched)) throw new Error(`${file.file} is not patched: run npm ci`);
    text = text.replace(hunk.patched, hunk.upstream);
  }
  return text;
}

/** An installed module, loaded by Node as the program, the tests and ink-testing-library load it. */
export async function installed<T>(file: string): Promise<T> {
  return (await import(pathToFileURL(realpathSync(file)).href)) as T;
}

/**
 * An installed module as upstream ships it, to compare the patched one with: bundled with every
 * patched file it reaches (itself, Ink's, string-width's, the tokenizer's) restored to upstream.
 */
export async function upstream<T>(file: string): Promise<T> {
  const byPath = new Map(patchedFiles().map((f) => [realpathSync(f.file), f]));
  const out = await build({
    entryPoints: [realpathSync(file)],
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'upstream',
        setup(b) {
          b.onLoad({ filter: /node_modules/ }, (args) => {
            const patched = byPath.get(args.path);
            return patched ? { contents: unpatched(patched), loader: 'js' } : undefined;
          });
        },
      },
    ],
  });
  const bundled = resolve(tempDir(), 'upstream.mjs');
  writeFileSync(bundled, out.outputFiles[0]!.text);
  return (await import(pathToFileURL(bundled).href)) as T;
}
