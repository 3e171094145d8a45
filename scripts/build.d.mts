export function bundle(
  entry?: string,
  outfile?: string,
  external?: string[],
  minify?: boolean,
): Promise<void>;
