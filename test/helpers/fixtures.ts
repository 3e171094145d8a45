import { validateCatalog } from '../../source/catalog/validate.js';
import type { z } from 'zod';
import type { Control, Instance, Result, StoreDoc } from '../../source/domain/schemas.js';
import { emptyStore, RuleSchema } from '../../source/domain/schemas.js';

/** A control for tests; its rule is parsed as the catalog's are, so the schema's defaults apply. */
export function control(
  id: string,
  { rule, ...patch }: Partial<Omit<Control, 'rule'>> & { rule?: z.input<typeof RuleSchema> } = {},
): Control {
  return {
    id,
    app: 'okta',
    title: `Title of ${id}`,
    description: 'd',
    severity: 'medium',
    category: 'Identity',
    threats: ['Account breach'],
    userImpact: 'low',
    implementationCost: 'low',
    maxPoints: 10,
    scoring: 'binary',
    benchmarks: [{ name: 'X', id: '1' }],
    prerequisites: [],
    steps: ['do it'],
    links: [],
    rule: {
      dataset: 'okta:x',
      where: [],
      assert: [{ path: '/v', op: 'eq', value: true }],
      mode: 'all',
      onEmpty: 'unknown',
      noun: 'items',
    },
    ...patch,
    ...(rule ? { rule: RuleSchema.parse(rule) } : {}),
  };
}

export function instance(id: string, patch: Partial<Instance> = {}): Instance {
  return {
    id,
    app: 'okta',
    name: `Okta ${id}`,
    baseUrl: 'https://example.okta.com',
    credential: { kind: 'env', variable: 'TOKEN' },
    options: {},
    recommendations: true,
    pollIntervalMinutes: 60,
    createdAt: '2026-01-01T00:00:00.000Z',
    ...patch,
  };
}

/** A store document with instances and results, and the catalog of the controls used. */
export function world(
  controls: Control[],
  instances: Instance[],
  results: Record<string, Result[]>,
): { doc: StoreDoc; catalog: ReturnType<typeof validateCatalog> } {
  const doc = emptyStore();
  doc.instances = instances;
  for (const [id, r] of Object.entries(results))
    doc.results[id] = { polledAt: '2026-11-01T00:00:00.000Z', results: r };
  return { doc, catalog: validateCatalog({ okta: controls }) };
}
