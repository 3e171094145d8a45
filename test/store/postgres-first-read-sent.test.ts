import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadCatalog } from '../../source/catalog/index.js';
import { fleetStore } from '../helpers/pg-fleet.js';
import { freshDatabase, openPg as open } from '../helpers/postgres.js';

const catalog = loadCatalog();
/** How the console opens its store (cli.tsx, commands/context.ts). */
const CONSOLE = { checkLater: true, watch: true, catalog: catalog.byId, operator: 'c' } as const;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the console's first read on PostgreSQL, told when sent", () => {
  it('says so once, when the query has gone out and before its rows are in (cli.tsx loads the console then)', async () => {
    const url = await freshDatabase();
    await fleetStore(url, 3);
    const queries = vi.spyOn(pg.Client.prototype, 'query');
    const told: { queries: number; rowsIn: boolean }[] = [];
    let rowsIn = false;
    const reading = open(url, {
      ...CONSOLE,
      onFirstRead: () => {
        told.push({ queries: queries.mock.calls.length, rowsIn });
        // The rows are in once the query's promise has settled: not yet when told.
        void (queries.mock.results[0]?.value as Promise<unknown> | undefined)?.then(() => (rowsIn = true));
      },
    });
    const store = await reading;
    expect(told).toEqual([{ queries: 1, rowsIn: false }]);
    expect(store.earlyScores()).toBeDefined(); // the first frame drawn from that read
  });

  it('is not told for a command, which reads the database whole (cli.tsx waits for the open then)', async () => {
    const url = await freshDatabase();
    await fleetStore(url, 2);
    const onFirstRead = vi.fn();
    await open(url, { readOnly: true, operator: 'c', onFirstRead });
    expect(onFirstRead).not.toHaveBeenCalled();
  });
});
