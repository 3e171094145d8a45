import { existsSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HEARTBEAT_MS, STALE_MS } from '../../source/store/lock.js';
import { FileStore, StoreError } from '../../source/store/store.js';
import { instance } from '../helpers/fixtures.js';
import { lockHolders, plantLock } from '../helpers/lock.js';
import { tempDir } from '../helpers/temp.js';

const storeFile = () => join(tempDir(), 'store.json');
const entry = (file: string, id: string) => join(`${file}.lock`, `${id}.json`);
const age = (file: string, id: string, ms: number) => {
  const then = new Date(Date.now() - ms);
  utimesSync(entry(file, id), then, then);
};

/** The id of the one holder of the lock on `file`. */
const holderId = (file: string) => {
  const holders = lockHolders(file);
  expect(holders).toHaveLength(1);
  return holders[0]!.id;
};

afterEach(() => {
  vi.useRealTimers();
});

describe('the store lock', () => {
  it('of another host is taken over once it has not been refreshed for a while, not before', async () => {
    const file = storeFile();
    const id = plantLock(file, { pid: 4242, host: 'jump\u001b]52;c;aGk=\u0007host' });
    const fresh = await FileStore.open(file);
    expect(fresh.readOnly).toBe(true);
    // Says who holds it and which file it is; the holder's host is sanitized.
    expect(fresh.notice).toBe(
      `read-only: another posture (pid 4242 on jumphost) is writing this store; its lock is ${file}.lock`,
    );
    fresh.close();
    expect(lockHolders(file).map((h) => h.id)).toEqual([id]); // a reader leaves it alone
    age(file, id, STALE_MS + 1000);
    const later = await FileStore.open(file);
    expect(later.readOnly).toBe(false);
    later.close();
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('whose pid is alive on this host but was not refreshed (a reused pid) is taken over', async () => {
    const file = storeFile();
    const id = plantLock(file, { pid: process.pid }); // alive: ours
    const fresh = await FileStore.open(file);
    expect(fresh.readOnly).toBe(true);
    fresh.close();
    age(file, id, STALE_MS + 1000);
    const later = await FileStore.open(file);
    expect(later.readOnly).toBe(false);
    later.close();
  });

  it('is refreshed by its holder while held', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const file = storeFile();
    const s = await FileStore.open(file);
    const id = holderId(file);
    age(file, id, STALE_MS - 1000);
    vi.advanceTimersByTime(HEARTBEAT_MS);
    expect(Date.now() - statSync(entry(file, id)).mtimeMs).toBeLessThan(HEARTBEAT_MS);
    s.close();
  });

  it('taken over from a stalled holder: that holder writes nothing more and releases only its own lock', async () => {
    const file = storeFile();
    const stalled = await FileStore.open(file);
    await stalled.update((d) => {
      d.instances.push(instance('before'));
    });
    const id = holderId(file);
    age(file, id, STALE_MS + 1000); // stopped (ctrl-z) past the heartbeat
    const next = await FileStore.open(file);
    expect(next.readOnly).toBe(false);
    const nextId = holderId(file);
    await next.update((d) => {
      d.instances.push(instance('theirs'));
    });
    const committed = readFileSync(file, 'utf8');

    // The stalled one resumes: its change is refused, and the file keeps the other's commit.
    const refused = await stalled
      .update((d) => {
        d.instances.push(instance('stale'));
      })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StoreError);
    expect((refused as Error).message).toContain(`its lock ${file}.lock was taken over`);
    expect(readFileSync(file, 'utf8')).toBe(committed);
    stalled.close();
    expect(lockHolders(file).map((h) => h.id)).toEqual([nextId]);

    await next.update((d) => {
      d.instances.push(instance('more'));
    });
    next.close();
    expect(existsSync(`${file}.lock`)).toBe(false);
    const last = await FileStore.open(file, { readOnly: true });
    expect(last.doc.instances.map((i) => i.id)).toEqual(['before', 'theirs', 'more']);
    last.close();
  });
});
