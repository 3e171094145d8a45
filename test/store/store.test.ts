import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STORE_VERSION } from '../../source/domain/schemas.js';
import { FileStore, StoreError } from '../../source/store/store.js';
import { instance } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp.js';

const dir = () => tempDir();

describe('store', () => {
  it('creates the file 0600 with a schema version and keeps the previous good copy', async () => {
    const file = join(dir(), 'nested', 'store.json');
    const s = await FileStore.open(file);
    await s.update((d) => {
      d.instances.push(instance('a'));
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).version).toBe(STORE_VERSION);
    await s.update((d) => {
      d.instances.push(instance('b'));
    });
    expect(JSON.parse(readFileSync(`${file}.bak`, 'utf8')).instances).toHaveLength(1);
    s.close();
    const again = await FileStore.open(file);
    expect(again.doc.instances.map((i) => i.id)).toEqual(['a', 'b']);
    again.close();
  });

  it.each([
    ['not JSON', '{"version": 1, "instances": [', /is not valid JSON/],
    ['no version', '{"instances": []}', /has no schema version/],
    ['a newer version', '{"version": 99}', /schema version 99, newer than this posture/],
    [
      'a bad instance',
      '{"version": 1, "instances": [{"id": 3}]}',
      /does not match the schema at instances\.0/,
    ],
  ])('refuses a store with %s, names the file and leaves it untouched', async (_what, content, message) => {
    const file = join(dir(), 'store.json');
    writeFileSync(file, content);
    const err = await FileStore.open(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(message);
    expect(readFileSync(file, 'utf8')).toBe(content);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('opened to be checked later, refuses every change until its check, and fails that on a bad document', async () => {
    const file = join(dir(), 'store.json');
    const content = '{"version": 1, "instances": [{"id": 3}]}';
    writeFileSync(file, content);
    const s = await FileStore.open(file, { checkLater: true });
    expect(s.doc.instances).toEqual([{ id: 3 }]); // as read, for a first frame
    await expect(s.update((d) => d.instances.splice(0))).rejects.toThrow(
      /does not match the schema at instances\.0/,
    );
    expect(() => s.patchInMemory((d) => d.instances.splice(0))).toThrow(StoreError);
    expect(() => s.check()).toThrow(StoreError);
    expect(readFileSync(file, 'utf8')).toBe(content);
    s.close();
  });

  it('opened to be checked later, takes the schema defaults at its check and tells its listeners', async () => {
    const file = join(dir(), 'store.json');
    const { pollIntervalMinutes: _, options: __, ...bare } = instance('a');
    writeFileSync(file, JSON.stringify({ version: 1, instances: [bare] }));
    const s = await FileStore.open(file, { checkLater: true });
    let told = 0;
    s.subscribe(() => told++);
    s.check();
    expect(s.doc.instances[0]).toMatchObject({ pollIntervalMinutes: 60, options: {} });
    expect(s.history()).toEqual([]);
    expect(told).toBe(1);
    s.check(); // once only
    expect(told).toBe(1);
    s.close();
  });

  it('lets one writer in; a second opens read-only with a notice; a stale lock is taken over', async () => {
    const file = join(dir(), 'store.json');
    const first = await FileStore.open(file);
    const second = await FileStore.open(file);
    expect(first.readOnly).toBe(false);
    expect(second.readOnly).toBe(true);
    expect(second.notice).toMatch(/another posture \(pid \d+/);
    await expect(second.update(() => {})).rejects.toThrow(/read-only/);
    first.close();
    second.close();
    // A lock left by a process that no longer exists.
    writeFileSync(
      `${file}.lock`,
      JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname() }),
    );
    const third = await FileStore.open(file);
    expect(third.readOnly).toBe(false);
    third.close();
  });

  it('takes over an empty lock only once it is old enough that no writer can still be writing it', async () => {
    const file = join(dir(), 'store.json');
    writeFileSync(`${file}.lock`, ''); // a writer died between creating the lock and filling it
    const fresh = await FileStore.open(file);
    expect(fresh.readOnly).toBe(true);
    fresh.close();
    const past = new Date(Date.now() - 60_000);
    utimesSync(`${file}.lock`, past, past);
    const old = await FileStore.open(file);
    expect(old.readOnly).toBe(false);
    old.close();
    expect(existsSync(`${file}.lock`)).toBe(false);
    expect(readdirSync(dirname(file)).filter((f) => f.includes('.lock.'))).toEqual([]); // no temporary left
  });
});
