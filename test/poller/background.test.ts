import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Connector } from '../../source/connectors/types.js';
import type { App } from '../../source/domain/schemas.js';
import { BackgroundPoller } from '../../source/poller/background.js';
import { pollInstances } from '../../source/poller/poller.js';
import type { Store } from '../../source/store/store.js';
import { control, instance, world } from '../helpers/fixtures.js';
import { openStore } from '../helpers/store.js';
import { tempDir } from '../helpers/temp.js';

const { catalog } = world([control('okta.a.a')], [], {});

/** Connectors that answer at once and count what they read. */
function counting() {
  const reads: string[] = [];
  const connector: Connector = {
    app: 'okta',
    secretLabel: 'token',
    rights: {},
    options: [],
    collect: async (ctx) => {
      reads.push(ctx.instance.id);
      return { datasets: {}, requests: 1 };
    },
  };
  const connectors = Object.fromEntries(
    (['okta', 'salesforce', 'servicenow', 'github'] as App[]).map((app) => [app, connector]),
  ) as Record<App, Connector>;
  return { reads, connectors };
}

/** A real store whose first `failures` commits fail, as on a full disk. */
async function flakyStore(failures: number) {
  const real = await openStore(join(tempDir(), 'store.json'));
  await real.update((d) => {
    d.instances.push(instance('x'), instance('y'), instance('z'));
  });
  let left = failures;
  const store = {
    get doc() {
      return real.doc;
    },
    readOnly: false,
    update: (change: Parameters<Store['update']>[0]) =>
      left-- > 0 ? Promise.reject(new Error('ENOSPC: no space left on device')) : real.update(change),
  } as unknown as Store;
  return { real, store };
}

describe('a commit that fails while polling', () => {
  it('does not stop the commits after it, and fails the poll once every instance is done', async () => {
    const { real, store } = await flakyStore(1);
    const { reads, connectors } = counting();
    await expect(
      pollInstances(['x', 'y', 'z'], {
        store,
        catalog,
        connectors,
        env: { TOKEN: 't' },
        concurrency: 1,
        commitEveryMs: 0,
      }),
    ).rejects.toThrow(/ENOSPC/);
    expect(reads).toEqual(['x', 'y', 'z']);
    const polled = real.doc.instances.filter((i) => i.lastPoll).map((i) => i.id);
    expect(polled).toEqual(['y', 'z']); // the first commit was lost, the later ones were not
  });

  it('is shown by the background poller, which carries on, instead of ending the console', async () => {
    const { store } = await flakyStore(1);
    const { connectors } = counting();
    const poller = new BackgroundPoller({ store, catalog, connectors, env: { TOKEN: 't' } });
    await poller.pollNow(); // resolves: nothing is left unhandled
    expect(poller.state).toMatchObject({ running: false, error: 'ENOSPC: no space left on device' });
    await poller.pollNow();
    expect(poller.state.error).toBeUndefined();
  });
});

describe('the background poller', () => {
  it('does not poll an instance twice when asked for it while its batch runs', async () => {
    const { real } = await flakyStore(0);
    const { reads, connectors } = counting();
    const poller = new BackgroundPoller({ store: real, catalog, connectors, env: { TOKEN: 't' } });
    const first = poller.pollNow(['x', 'y']);
    await poller.pollNow(); // all three: x and y are in the batch being polled
    await first;
    expect(reads.sort()).toEqual(['x', 'y', 'z']);
  });
});

describe('what runs after a batch (the console sends its alerts there)', () => {
  it('runs after each batch, outside it, again for a batch that ended meanwhile, and never holds quitting up', async () => {
    const { real } = await flakyStore(0);
    const { connectors } = counting();
    const runs: AbortSignal[] = [];
    let release = () => {};
    const afterBatch = (signal: AbortSignal) => {
      runs.push(signal);
      // The first run hangs (a receiver that never answers) until released.
      return runs.length === 1
        ? new Promise<string | undefined>(
            (resolve) => (release = () => resolve('the webhook answered HTTP 503')),
          )
        : Promise.resolve(undefined);
    };
    const poller = new BackgroundPoller({
      store: real,
      catalog,
      connectors,
      env: { TOKEN: 't' },
      afterBatch,
    });
    await poller.pollNow(['x']); // the batch is done although what runs after it is not
    expect(runs).toHaveLength(1);
    await poller.pollNow(['y']); // ends while the first run hangs: one more run, after it
    expect(runs).toHaveLength(1);
    release();
    await vi.waitFor(() => expect(runs).toHaveLength(2));
    await vi.waitFor(() => expect(poller.state.afterError).toBeUndefined()); // the second run sent it
    expect(real.doc.instances.filter((i) => i.lastPoll)).toHaveLength(2);
    // A run that hangs on quit: stop() aborts it, and idle() waits for it only a moment.
    runs.length = 0;
    await poller.pollNow(['z']);
    poller.stop();
    expect(runs[0]!.aborted).toBe(true);
    const waited = poller.idle();
    await expect(
      Promise.race([waited.then(() => 'idle'), new Promise((r) => setTimeout(() => r('stuck'), 5_000))]),
    ).resolves.toBe('idle');
  });
});
