import type { Plugin } from 'esbuild';

/** The bundle-time changes to Ink and its tokenizer (see build.mjs). */
export const inkPatches: Plugin;
export function bundle(
  entry?: string,
  outfile?: string,
  external?: string[],
  minify?: boolean,
): Promise<void>;
