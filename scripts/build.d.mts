export function bundle(
  entry?: string,
  outfile?: string,
  external?: string[],
  minify?: boolean,
): Promise<void>;
/** The shipped catalog (or these sources) checked as the build checks it; throws its one-line error. */
export function checkCatalog(sources?: Record<string, unknown>): Promise<void>;
export function buildProgram(): Promise<void>;
