import { expect, test, vi } from 'vitest';
import { PgStore } from '../../source/store/postgres/store.js';
import { freshDatabase } from '../helpers/postgres.js';
import { instance } from '../helpers/fixtures.js';

test('smoke', async () => {
  const url = await freshDatabase();
  const a = await PgStore.open(url, { operator: 'alice' });
  const b = await PgStore.open(url, { operator: 'bob', watch: true });
  await a.update((d) => {
    d.instances.push(instance('x'), instance('y'));
  });
  await vi.waitFor(() => expect(b.doc.instances.map((i) => i.id)).toEqual(['x', 'y']));
  const before = b.stats.rowsFetched;
  await a.update((d) => {
    d.instances[1]!.name = 'renamed';
  });
  await vi.waitFor(() => expect(b.doc.instances[1]!.name).toBe('renamed'));
  expect(b.stats.rowsFetched - before).toBe(1);
  await a.close();
  await b.close();
  const c = await PgStore.open(url, { readOnly: true });
  expect(c.doc.instances.map((i) => i.name)).toEqual([instance('x').name, 'renamed']);
  await c.close();
});
