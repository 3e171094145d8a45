import type { Plugin } from 'esbuild';

/** The bundle-time changes to Ink and its tokenizer (see build.mjs). */
export const inkPatches: Plugin;
/** string-width answering at once for narrow text (see build.mjs). */
export const fastStringWidth: Plugin;
export function bundle(
  entry?: string,
  outfile?: string,
  external?: string[],
  minify?: boolean,
): Promise<void>;
