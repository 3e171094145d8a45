import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fleetOf, generateFleet, writeFleet } from '../../benchmarks/fleet.js';
import { loadCatalog } from '../../source/catalog/index.js';
import type { StoreDoc } from '../../source/domain/schemas.js';
import { catalogKey, summarize } from '../../source/domain/score-summary.js';
import { type DocScores, docScores, latestByInstance } from '../../source/domain/scoring.js';
import { writeAtomic } from '../../source/store/atomic.js';
import { serializeState } from '../../source/store/serialize.js';
import { FileStore } from '../../source/store/store.js';
import { tempDir } from '../helpers/temp.js';

/*
 * The state file laid out a part a line (store/format.ts): the console's first frame from its first
 * line, the results read after it, and nothing lost or misread on the way.
 */

const catalog = loadCatalog();

function fleetFile(): { file: string; doc: StoreDoc } {
  const { doc, polls } = generateFleet(catalog, { ...fleetOf(15), days: 3 });
  const file = join(tempDir(), 'store.json');
  writeFleet(file, { doc, polls });
  return { file, doc };
}

/** Scores to compare: summed per instance they may differ from the whole sum in the last bits. */
const rounded = (s: DocScores | undefined) =>
  JSON.parse(
    JSON.stringify(s && { views: s.views, byApp: [...s.byApp] }, (_k, v: unknown) =>
      typeof v === 'number' ? Math.round(v * 1e6) / 1e6 : v,
    ),
  ) as unknown;

const consoleOpen = (file: string) => FileStore.open(file, { checkLater: true, catalog: catalog.byId });

describe('the state file, a part a line', () => {
  it('gives the console its first frame from the first line, and the results after it', async () => {
    const { file, doc } = fleetFile();
    const s = await consoleOpen(file);
    // Before the results are read: the instances, and the scores from the summaries.
    expect(s.doc.instances.map((i) => i.id)).toEqual(doc.instances.map((i) => i.id));
    expect(s.doc.results).toEqual({});
    const whole = docScores(doc, catalog.byId, new Date());
    expect(rounded(s.earlyScores())).toEqual(rounded(whole));
    let told = 0;
    s.subscribe(() => told++);
    await s.checkInBackground();
    expect(told).toBe(1);
    expect(s.earlyScores()).toBeUndefined();
    expect(s.doc.results).toEqual(doc.results);
    await s.close();
  });

  it('keeps every result when a change is made before they are read', async () => {
    const { file, doc } = fleetFile();
    const s = await consoleOpen(file);
    await s.update((d) => {
      d.instances[0]!.recommendations = !d.instances[0]!.recommendations;
    });
    await s.close();
    const again = await FileStore.open(file, { readOnly: true });
    expect(again.doc.results).toEqual(doc.results);
    expect(again.doc.instances[0]!.recommendations).toBe(!doc.instances[0]!.recommendations);
    await again.close();
  });

  it('keeps each instance its summary through commits, made again for what a commit changed', async () => {
    const { file } = fleetFile();
    const s = await FileStore.open(file, { catalog: catalog.byId });
    const id = s.doc.instances[3]!.id;
    // A poll's new results, frozen as the poller stores them.
    const polled = Object.freeze({ polledAt: 'now', results: s.doc.results[id]!.results.slice(0, 2) });
    await s.update((d) => {
      d.results[id] = polled;
    });
    await s.update((d) => {
      const r = d.results[d.instances[4]!.id]!.results[0]!;
      d.statuses.push({
        instanceId: d.instances[4]!.id,
        controlId: r.controlId,
        state: 'planned',
        reason: '',
        by: 'me',
        at: new Date().toISOString(),
      });
    });
    const committed = s.doc;
    await s.close();
    const head = JSON.parse(
      readFileSync(file, 'utf8')
        .split('\n')[0]!
        .replace(/,"results":\{$/, '}'),
    ) as {
      scores: Record<string, unknown>;
    };
    const latest = latestByInstance(committed.statuses);
    for (const i of committed.instances)
      expect(head.scores[i.id]).toEqual(
        summarize(
          i.app,
          committed.results[i.id]!.results,
          latest.get(i.id),
          catalog.byId,
          catalogKey(catalog.byId),
          new Date(),
        ),
      );
    const c = await consoleOpen(file);
    expect(c.doc.results).toEqual({});
    expect(rounded(c.earlyScores())).toEqual(rounded(docScores(committed, catalog.byId, new Date())));
    await c.close();
  });

  it('reads everything before the first frame when the file has no summaries', async () => {
    const { file, doc } = fleetFile();
    writeAtomic(file, serializeState(doc, 1)); // written by a program without the catalog
    const s = await consoleOpen(file);
    expect(s.earlyScores()).toBeUndefined();
    expect(s.doc.results).toEqual(doc.results);
    await s.close();
  });

  it('reads a file reformatted by hand whole', async () => {
    const { file, doc } = fleetFile();
    writeFileSync(file, JSON.stringify(JSON.parse(readFileSync(file, 'utf8')), null, 2));
    for (const s of [await consoleOpen(file), await FileStore.open(file, { readOnly: true })]) {
      await s.checkInBackground();
      expect(s.doc.results).toEqual(doc.results);
      await s.close();
    }
  });

  it('a broken result line: the first frame, then the one line, and the file left as it is', async () => {
    const { file } = fleetFile();
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[5] = lines[5]!.replace('"outcome":', '"outcome"');
    const broken = lines.join('\n');
    writeFileSync(file, broken);
    const s = await consoleOpen(file);
    await expect(s.checkInBackground()).rejects.toThrow(/store .*store\.json: is not valid JSON \(line 6/);
    await s.close();
    await expect(FileStore.open(file)).rejects.toThrow(/is not valid JSON \(line 6/);
    expect(readFileSync(file, 'utf8')).toBe(broken);
  });
});
