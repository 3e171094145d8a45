import { appendFileSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fleetOf, generateFleet, writeFleet } from '../../benchmarks/fleet.js';
import { loadCatalog } from '../../source/catalog/index.js';
import { checkUnlessKnown, versionOf } from '../../source/commands/checked-stores.js';
import { openContext } from '../../source/commands/context.js';
import { openStore } from '../../source/store/open.js';
import { FileStore } from '../../source/store/store.js';
import { StoreDocSchema } from '../../source/domain/schemas.js';
import { instance, storeWith, tmp } from './helpers.js';

/** A minute from now: every file written by the test is settled by then. */
const later = () => Date.now() + 60_000;

/** A store file as posture writes it: the checked document (defaults filled in). */
function workspace() {
  const t = tmp();
  const doc = StoreDocSchema.parse(storeWith([instance('a'), instance('b')]));
  writeFileSync(t.store, JSON.stringify(doc), { mode: 0o600 });
  return { ...t, env: { XDG_CACHE_HOME: join(t.dir, 'cache') } };
}

/** Open read-only and unchecked, as a read-only command does, then check unless known. */
async function read(file: string, env: NodeJS.ProcessEnv, now = later()) {
  const before = versionOf(file, now);
  const store = await openStore(file, { readOnly: true, checkLater: true });
  const check = vi.spyOn(store, 'check');
  try {
    checkUnlessKnown(store, before, env, now);
    return { checked: check.mock.calls.length > 0, doc: store.doc };
  } finally {
    await store.close();
  }
}

describe('the schema check of a store file a read-only command has checked before', () => {
  it('runs the first time, not again while the file is unchanged: the same document', async () => {
    const w = workspace();
    const first = await read(w.store, w.env);
    expect(first.checked).toBe(true);
    const second = await read(w.store, w.env);
    expect(second.checked).toBe(false);
    expect(second.doc).toEqual(first.doc);
  });

  it('runs again after an edit in place that keeps the size, and gives its one clear line', async () => {
    const w = workspace();
    await read(w.store, w.env);
    const text = readFileSync(w.store, 'utf8');
    expect(text).toContain('"id":"a"');
    writeFileSync(w.store, text.replace('"id":"a"', '"id":123'));
    expect(readFileSync(w.store, 'utf8')).toHaveLength(text.length);
    await expect(read(w.store, w.env)).rejects.toThrow(
      /does not match the schema at instances\.0\.id: .+untouched/,
    );
  });

  it('runs again when a file beside it changes (its history)', async () => {
    const w = workspace();
    await read(w.store, w.env);
    appendFileSync(`${w.store}.history.jsonl`, '');
    expect((await read(w.store, w.env)).checked).toBe(true);
    expect((await read(w.store, w.env)).checked).toBe(false);
  });

  it('always runs on a file written within a tick of its clock (the clock may not show an edit)', async () => {
    const w = workspace();
    expect((await read(w.store, w.env, Date.now())).checked).toBe(true);
    expect((await read(w.store, w.env, Date.now())).checked).toBe(true);
  });

  it("takes a fine clock's file as settled after 100 ms, a coarse clock's (whole seconds) after 2 s", async () => {
    const w = workspace();
    const written = statSync(w.store, { bigint: true });
    const fine = written.mtimeNs % 1_000_000_000n !== 0n && written.ctimeNs % 1_000_000_000n !== 0n;
    if (!fine) return; // this file system keeps whole seconds: the 2 s case below covers it
    const at = Math.ceil(Number(written.ctimeNs > written.mtimeNs ? written.ctimeNs : written.mtimeNs) / 1e6);
    expect(versionOf(w.store, at + 50)!.settled).toBe(false);
    expect(versionOf(w.store, at + 150)!.settled).toBe(true);
    // The modification time in whole seconds, as a coarse clock writes it (a second ahead: the
    // change time the kernel sets now is then settled before it is).
    const whole = (Math.ceil(Date.now() / 1000) + 1) * 1000;
    utimesSync(w.store, whole / 1000, whole / 1000);
    expect(versionOf(w.store, whole + 1500)!.settled).toBe(false);
    expect(versionOf(w.store, whole + 2100)!.settled).toBe(true);
    // Read once when not settled (checked, not recorded), then once settled (checked and recorded).
    expect((await read(w.store, w.env, whole + 1500)).checked).toBe(true);
    expect((await read(w.store, w.env, whole + 2100)).checked).toBe(true);
    expect((await read(w.store, w.env, whole + 2100)).checked).toBe(false);
  });

  it('always runs on a file the check changes (a field left to its default)', async () => {
    const w = workspace();
    const doc = JSON.parse(readFileSync(w.store, 'utf8')) as Record<string, unknown>;
    delete doc.statuses;
    writeFileSync(w.store, JSON.stringify(doc));
    expect((await read(w.store, w.env)).checked).toBe(true);
    const again = await read(w.store, w.env);
    expect(again.checked).toBe(true);
    expect(again.doc.statuses).toEqual([]);
  });

  it('always runs for another posture version or schema, and costs only the check when the cache cannot be written', async () => {
    const w = workspace();
    await read(w.store, w.env);
    const record = join(w.dir, 'cache', 'posture', 'checked-stores.json');
    const entries = JSON.parse(readFileSync(record, 'utf8')) as Record<string, string>;
    const [[entry, id]] = Object.entries(entries) as [[string, string]];
    writeFileSync(record, JSON.stringify({ [entry]: `0.0.0${id.slice(id.indexOf('|'))}` }));
    expect((await read(w.store, w.env)).checked).toBe(true);
    // A cache folder that is a file: nothing recorded, nothing thrown.
    const blocked = { XDG_CACHE_HOME: w.store };
    expect((await read(w.store, blocked)).checked).toBe(true);
    expect((await read(w.store, blocked)).checked).toBe(true);
  });
});

describe('a read-only command on a state file laid out a part a line (schema 3)', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  /** Open as `posture export` does, a minute from now (the file settled), with the document read. */
  async function command(file: string, env: NodeJS.ProcessEnv) {
    vi.useFakeTimers({ toFake: ['Date'], now: later() });
    const check = vi.spyOn(FileStore.prototype, 'check');
    const ctx = await openContext(
      { store: file, demo: false, readOnly: false, color: false },
      { stdout: process.stdout, stderr: process.stderr, env },
      { command: 'export' },
    );
    try {
      return { checked: check.mock.calls.length > 0, doc: ctx.store.doc };
    } finally {
      await ctx.close();
      check.mockRestore();
      vi.useRealTimers();
    }
  }

  it('reads it whole, so the check is skipped the next time and every result is there', async () => {
    const { doc, polls } = generateFleet(loadCatalog(), { ...fleetOf(10), days: 2 });
    const w = tmp();
    writeFleet(w.store, { doc, polls });
    const env = { XDG_CACHE_HOME: join(w.dir, 'cache') };
    const first = await command(w.store, env);
    expect(first.checked).toBe(true);
    expect(first.doc.results).toEqual(doc.results);
    // Read as the console reads it, the document compared had no results yet: never recorded.
    const second = await command(w.store, env);
    expect(second.checked).toBe(false);
    expect(Object.keys(second.doc.results)).toHaveLength(10);
    expect(second.doc).toEqual(first.doc);
  });
});
