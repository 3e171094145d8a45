import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateFleet } from '../../benchmarks/fleet.js';
import { loadCatalog } from '../../source/catalog/index.js';
import { STORE_VERSION, StoreDocSchema } from '../../source/domain/schemas.js';
import { checkInSlices } from '../../source/store/check.js';
import { FileStore, StoreError } from '../../source/store/store.js';
import { instance } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp.js';

const fleet = () =>
  JSON.parse(
    JSON.stringify(
      generateFleet(loadCatalog(), { instances: 40, days: 5, changeEvery: 4, statusesPerInstance: 3 }).doc,
    ),
  ) as Record<string, unknown>;

describe("the store's check in slices", () => {
  it('gives what the whole check gives: unknown fields dropped, defaults filled in', async () => {
    const doc = fleet();
    const { pollIntervalMinutes: _, options: __, ...bare } = instance('bare');
    (doc.instances as unknown[]).push(bare);
    doc.extra = 'dropped';
    delete doc.alertQueue;
    delete doc.daily;
    expect(await checkInSlices(doc)).toEqual(StoreDocSchema.parse(doc));
    expect(await checkInSlices({ version: STORE_VERSION })).toEqual(
      StoreDocSchema.parse({ version: STORE_VERSION }),
    );
  });

  it.each([
    ['an instance', (d: Record<string, unknown>) => ((d.instances as { name: unknown }[])[7]!.name = 3)],
    ['a result', (d: Record<string, unknown>) => ((d.results as Record<string, unknown>)['okta-0'] = 1)],
    ['the version', (d: Record<string, unknown>) => (d.version = STORE_VERSION + 1)],
    ['a list that is not one', (d: Record<string, unknown>) => (d.statuses = 'x')],
    ['the settings', (d: Record<string, unknown>) => (d.settings = { instanceMode: 'many' })],
  ])('fails where the whole check fails: %s', async (_what, spoil) => {
    const doc = fleet();
    spoil(doc);
    expect(StoreDocSchema.safeParse(doc).success).toBe(false);
    expect(await checkInSlices(doc)).toBeUndefined();
  });

  it('lets other work run while it checks a large store', async () => {
    const doc = fleet();
    let turns = 0;
    let done = false;
    const tick = () => {
      turns++;
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    const checked = checkInSlices(doc, 0).then(() => (done = true));
    await checked;
    expect(turns).toBeGreaterThan(10); // a whole check in one go would let it run once at most
  });
});

describe('Store.checkInBackground', () => {
  it("refuses a bad store with the whole check's message and leaves the file untouched", async () => {
    const file = join(tempDir(), 'store.json');
    const content = '{"version": 1, "instances": [{"id": 3}]}';
    writeFileSync(file, content);
    const s = await FileStore.open(file, { checkLater: true });
    const error = await s.checkInBackground().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(/does not match the schema at instances\.0\.id: .+untouched/);
    expect(() => s.check()).toThrow((error as Error).message);
    expect(readFileSync(file, 'utf8')).toBe(content);
    await s.close();
  });

  it('takes the checked document, tells its listeners once, and then allows changes', async () => {
    const file = join(tempDir(), 'store.json');
    const { pollIntervalMinutes: _, ...bare } = instance('a');
    writeFileSync(file, JSON.stringify({ version: 1, instances: [bare] }));
    const s = await FileStore.open(file, { checkLater: true });
    let told = 0;
    s.subscribe(() => told++);
    await s.checkInBackground();
    expect(s.doc.instances[0]!.pollIntervalMinutes).toBe(60);
    expect(told).toBe(1);
    await s.checkInBackground();
    expect(told).toBe(1);
    await s.update((d) => void (d.instances[0]!.recommendations = false));
    expect(JSON.parse(readFileSync(file, 'utf8')).instances[0].recommendations).toBe(false);
    await s.close();
  });

  it('gives way to a change made while it runs (the change checks the whole store first)', async () => {
    const file = join(tempDir(), 'store.json');
    writeFileSync(file, JSON.stringify(fleet()));
    const s = await FileStore.open(file, { checkLater: true });
    const background = s.checkInBackground();
    await s.update((d) => void (d.instances[0]!.recommendations = !d.instances[0]!.recommendations));
    const changed = s.doc;
    await background;
    expect(s.doc).toBe(changed); // not replaced by the document as it was read
    await s.close();
  });
});
