import { z } from 'zod';
import { STORE_SCHEMAS, type StoreDoc, StoreDocSchema } from '../domain/schemas.js';

/**
 * The store's schema check in slices: each top-level field in the schema's order, its lists and
 * maps item by item, yielding to the event loop every few milliseconds so that keys are read and
 * answered while a fleet-size store (tens of thousands of items) is checked. The result is what
 * `StoreDocSchema.parse` returns (unknown fields dropped, defaults filled in); on a failure it is
 * undefined, and the caller runs the whole check once more for the message it has always given.
 */
export async function checkInSlices(raw: unknown, sliceMs = 5): Promise<StoreDoc | undefined> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const input = raw as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  let since = performance.now();
  const pause = async () => {
    if (performance.now() - since < sliceMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    since = performance.now();
  };
  // Schemas are built on first use (domain/lazy-schema.ts): one at a time here, between keys.
  for (const schema of STORE_SCHEMAS) {
    void (schema as { _zod?: unknown })._zod;
    await pause();
  }
  for (const [key, field] of Object.entries(StoreDocSchema.shape) as [string, z.ZodType][]) {
    const value = input[key];
    const inner = field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : field;
    if (value !== undefined && inner instanceof z.ZodArray && Array.isArray(value)) {
      const items: unknown[] = [];
      for (const item of value) {
        const r = (inner.element as z.ZodType).safeParse(item);
        if (!r.success) return undefined;
        items.push(r.data);
        await pause();
      }
      out[key] = items;
    } else if (value !== undefined && inner instanceof z.ZodRecord && isPlainObject(value)) {
      const entries: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const r = (inner.valueType as z.ZodType).safeParse(v);
        if (!r.success) return undefined;
        entries[k] = r.data;
        await pause();
      }
      out[key] = entries;
    } else {
      const r = field.safeParse(value);
      if (!r.success) return undefined;
      if (r.data !== undefined) out[key] = r.data;
    }
    await pause();
  }
  return out as StoreDoc;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
