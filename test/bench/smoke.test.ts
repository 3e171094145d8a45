import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The benchmark harness itself, on a small fleet: it must run end to end and report every budget.
// The budgets are judged by `npm run bench` on the full fleet, not here.
describe('benchmark harness (smoke)', () => {
  it('measures every budget on a small fleet and writes the results as JSON', () => {
    const env = { ...process.env };
    delete env.CI;
    const r = spawnSync(process.execPath, ['benchmarks/run.mjs', '--smoke'], {
      encoding: 'utf8',
      env,
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/measure\s+median\s+budget/);
    const json = JSON.parse(readFileSync('benchmarks/results/smoke.json', 'utf8'));
    const names = json.results.map((m: { name: string }) => m.name);
    for (const want of [
      /start-up \//,
      /start-up, empty store/,
      /peak RSS/,
      /store commit/,
      /store file size/,
      /store load/,
      /key to frame/,
      /bytes per navigation/,
      /idle/,
      /changing one row/,
      /poll wall time/,
      /CPU time per instance/,
    ])
      expect(
        names.some((n: string) => want.test(n)),
        String(want),
      ).toBe(true);
    for (const m of json.results) expect(Number.isFinite(m.value), m.name).toBe(true);
  }, 150_000);
});
