import { gzipSync } from 'node:zlib';

/**
 * GitHub code scanning's upload limits ("SARIF support for code scanning", File compatibility):
 * a file over any of them is rejected whole, so an export that would be is refused here with the
 * way out, rather than failing later in the upload step of a CI job.
 */
export const GITHUB_LIMITS = {
  runsPerFile: 20,
  resultsPerRun: 25_000,
  rulesPerRun: 25_000,
  locationsPerResult: 1_000,
  tagsPerRule: 20,
  /** The gzip-compressed file, in bytes. */
  gzipBytes: 10 * 1024 * 1024,
};
export type Limits = typeof GITHUB_LIMITS;

interface SarifShape {
  runs: {
    tool: { driver: { rules: { properties: { tags: readonly string[] } }[] } };
    results: { locations: readonly unknown[] }[];
  }[];
}

const n = (x: number) => x.toLocaleString('en-US');

/** What makes this log one GitHub rejects, as a sentence; undefined when it is within the limits. */
export function overGithubLimits(
  log: SarifShape,
  text: string,
  perInstance: boolean,
  limits: Limits = GITHUB_LIMITS,
): string | undefined {
  const split = perInstance
    ? 'this one instance is over it'
    : 'export one instance at a time (--instance N) and upload each file';
  if (log.runs.length > limits.runsPerFile)
    return `the SARIF has ${n(log.runs.length)} runs; GitHub code scanning accepts at most ${n(limits.runsPerFile)} per file`;
  for (const run of log.runs) {
    if (run.results.length > limits.resultsPerRun)
      return `the SARIF has ${n(run.results.length)} results; GitHub code scanning rejects more than ${n(limits.resultsPerRun)} per run: ${split}`;
    if (run.tool.driver.rules.length > limits.rulesPerRun)
      return `the SARIF has ${n(run.tool.driver.rules.length)} rules; GitHub code scanning rejects more than ${n(limits.rulesPerRun)} per run`;
    if (run.results.some((r) => r.locations.length > limits.locationsPerResult))
      return `a SARIF result has more than ${n(limits.locationsPerResult)} locations, which GitHub code scanning rejects`;
    if (run.tool.driver.rules.some((r) => r.properties.tags.length > limits.tagsPerRule))
      return `a SARIF rule has more than ${n(limits.tagsPerRule)} tags, which GitHub code scanning rejects`;
  }
  const gz = gzipSync(text).length;
  if (gz > limits.gzipBytes)
    return `the SARIF is ${(gz / 1024 / 1024).toFixed(1)} MB gzip-compressed; GitHub code scanning rejects more than ${limits.gzipBytes / 1024 / 1024} MB: ${split}`;
  return undefined;
}
