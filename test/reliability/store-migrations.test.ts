import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STORE_VERSION } from '../../source/domain/schemas.js';
import { historyPath } from '../../source/store/history.js';
import { FileStore } from '../../source/store/store.js';
import { tempDir } from './helpers.js';

/** A store written by every schema version posture has had opens in this one, nothing dropped. */

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const files = readdirSync(FIXTURES)
  .filter((f) => /^store-v\d+\.json$/.test(f))
  .map((f) => ({ file: f, version: Number(/v(\d+)/.exec(f)?.[1]) }))
  .sort((a, b) => a.version - b.version);

describe('store migrations', () => {
  it('has a fixture for every schema version up to the current one', () => {
    expect(files.map((f) => f.version)).toEqual(Array.from({ length: STORE_VERSION }, (_, i) => i + 1));
  });

  it.each(files)(
    'opens a version $version store ($file) and keeps what it held, history included',
    async ({ file, version }) => {
      const raw = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8'));
      expect(raw.version).toBe(version);
      const path = join(tempDir(), 'store.json');
      copyFileSync(join(FIXTURES, file), path);
      const besideFixture = join(FIXTURES, `${file}.history.jsonl`);
      if (existsSync(besideFixture)) copyFileSync(besideFixture, historyPath(path));
      const polls = raw.polls ?? readFileSync(besideFixture, 'utf8').split('\n').filter(Boolean);
      expect(polls.length).toBeGreaterThan(0);

      // Read-only, it opens as it is: nothing is written, its history is there.
      const reader = await FileStore.open(path, { readOnly: true });
      expect(reader.history()).toHaveLength(polls.length);
      expect(readFileSync(path, 'utf8')).toBe(readFileSync(join(FIXTURES, file), 'utf8'));
      await reader.close();

      // The first writer moves history out of an old file at once, and the file is the current version.
      const store = await FileStore.open(path);
      expect(store.doc.version).toBe(STORE_VERSION);
      expect(store.doc.instances.map((i) => i.id)).toEqual(raw.instances.map((i: { id: string }) => i.id));
      expect(Object.keys(store.doc.results)).toEqual(Object.keys(raw.results));
      expect(store.doc.statuses).toHaveLength(raw.statuses.length);
      expect(store.doc.daily).toHaveLength(raw.daily.length);
      expect(store.history()).toHaveLength(polls.length);
      const written = JSON.parse(readFileSync(path, 'utf8'));
      expect(written.version).toBe(STORE_VERSION);
      expect(written.polls).toBeUndefined();
      if (version < STORE_VERSION)
        // The pre-migration file is kept as the last good copy.
        expect(JSON.parse(readFileSync(`${path}.bak`, 'utf8')).version).toBe(version);
      await store.update((d) => {
        d.settings.instanceMode = 'multiple';
      });
      await store.close();
      const again = await FileStore.open(path, { readOnly: true });
      expect(again.doc.instances).toEqual(store.doc.instances);
      expect(again.history()).toEqual(store.history());
      await again.close();
    },
  );
});
