import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { emptyStore } from '../../source/domain/schemas.js';
import { instance } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp.js';

// Another writer commits and exits at the last moment before this process takes the lock.
const race = vi.hoisted(() => ({ beforeLock: undefined as (() => void) | undefined }));
vi.mock('../../source/store/lock.js', async (real) => {
  const lock = await real<typeof import('../../source/store/lock.js')>();
  return {
    ...lock,
    acquireLock: (file: string) => {
      race.beforeLock?.();
      return lock.acquireLock(file);
    },
  };
});
const { FileStore } = await import('../../source/store/store.js');

describe('opening a store for writing', () => {
  it.each([false, true])(
    'reads the file once it holds the lock (checked later: %s), so it never undoes the last writer',
    async (checkLater) => {
      const file = join(tempDir(), 'store.json');
      writeFileSync(file, JSON.stringify(emptyStore()));
      race.beforeLock = () =>
        writeFileSync(file, JSON.stringify({ ...emptyStore(), instances: [instance('theirs')] }));
      const s = await FileStore.open(file, { checkLater });
      race.beforeLock = undefined;
      s.check();
      await s.update((d) => {
        d.instances.push(instance('ours'));
      });
      s.close();
      const ids = JSON.parse(readFileSync(file, 'utf8')).instances.map((i: { id: string }) => i.id);
      expect(ids).toEqual(['theirs', 'ours']);
    },
  );
});
