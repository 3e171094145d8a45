import type { Framework } from '../../source/domain/schemas.js';

/** A framework of Okta requirements R1..Rn, for tests of how requirements are judged. */
export const testFramework = (requirements: number): Framework => ({
  id: 'test-benchmark',
  name: 'Test Benchmark',
  version: 'v1',
  app: 'okta',
  benchmark: 'Test',
  source: { title: 'a test', url: 'https://example.com/' },
  requirements: Array.from({ length: requirements }, (_, n) => ({
    id: `R${n + 1}`,
    title: `requirement R${n + 1}`,
  })),
});
