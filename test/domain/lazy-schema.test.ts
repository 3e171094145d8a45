import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { lazySchema } from '../../source/domain/lazy-schema.js';
import { InstanceSchema, StoreDocSchema } from '../../source/domain/schemas.js';
import { instance } from '../helpers/fixtures.js';

describe('lazySchema', () => {
  it('builds its schema on first use, once, and then parses as the schema itself does', () => {
    let builds = 0;
    const Item = lazySchema(() => {
      builds++;
      return z.object({ id: z.string().min(1), n: z.number().int().default(7) });
    });
    const eager = z.object({ id: z.string().min(1), n: z.number().int().default(7) });
    expect(builds).toBe(0);
    expect(Item.parse({ id: 'a' })).toEqual({ id: 'a', n: 7 });
    expect(builds).toBe(1);
    const bad = { id: '', n: 1.5 };
    expect(Item.safeParse(bad).error?.issues).toEqual(eager.safeParse(bad).error?.issues);
    expect(Item).toBeInstanceOf(z.ZodObject);
    expect(Item.shape.id).toBeInstanceOf(z.ZodString);
    expect(Item.extend({ more: z.boolean() }).parse({ id: 'b', more: true })).toEqual({
      id: 'b',
      n: 7,
      more: true,
    });
    expect(builds).toBe(1);
  });

  it('works nested in another schema, built or not, and answers `in` before its first use', () => {
    const Leaf = lazySchema(() => z.enum(['x', 'y']));
    const Outer = lazySchema(() => z.object({ leaf: Leaf, list: z.array(Leaf).optional() }));
    const Unused = lazySchema(() => z.string());
    expect('_zod' in Unused).toBe(true);
    expect(Outer.parse({ leaf: 'x', list: ['y', 'x'] })).toEqual({ leaf: 'x', list: ['y', 'x'] });
    expect(Outer.safeParse({ leaf: 'z' }).error?.issues[0]?.path).toEqual(['leaf']);
    expect(Leaf.options).toEqual(['x', 'y']);
  });

  it("leaves the domain's schemas as they were: defaults filled in, wrong shapes refused where they are", () => {
    const { pollIntervalMinutes: _, options: __, ...bare } = instance('a');
    expect(InstanceSchema.parse(bare)).toEqual({ ...bare, options: {}, pollIntervalMinutes: 60 });
    const doc = StoreDocSchema.safeParse({ version: 3, instances: [{ ...bare, baseUrl: 42 }] });
    expect(doc.error?.issues.map((i) => i.path.join('.'))).toEqual(['instances.0.baseUrl']);
    expect(StoreDocSchema.parse({ version: 3 }).alertQueue).toEqual({ pending: [], dropped: 0 });
  });
});
