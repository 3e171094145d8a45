import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import { validateCatalog } from '../../source/catalog/validate.js';
import type { Connector } from '../../source/connectors/types.js';
import { type App as AppId, APPS } from '../../source/domain/schemas.js';
import { BackgroundPoller } from '../../source/poller/background.js';
import { App } from '../../source/ui/app.js';
import { DEFAULT_KEYMAP } from '../../source/ui/keys.js';
import { NO_COLOR_THEME } from '../../source/ui/theme.js';
import { disposeWhenDone } from '../helpers/cleanup.js';
import { control, instance } from '../helpers/fixtures.js';
import { KEYS, type } from '../helpers/ink.js';
import { openStore } from '../helpers/store.js';
import { tempDir } from '../helpers/temp.js';

const catalog = validateCatalog({ okta: [control('okta.pwd.length', { maxPoints: 8 })] });

/** A connector whose reads wait until the test releases them: the test says when a poll ends. */
function heldConnectors() {
  let release = () => {};
  let held = Promise.resolve();
  const hold = () => (held = new Promise<void>((r) => (release = r)));
  hold();
  const connector: Connector = {
    app: 'okta',
    secretLabel: 'token',
    rights: {},
    options: [],
    collect: async () => {
      await held;
      return { datasets: {}, requests: 1 };
    },
  };
  const connectors = Object.fromEntries(APPS.map((a) => [a, connector])) as Record<AppId, Connector>;
  return { release: () => release(), hold, connectors };
}

/** The console on a store whose one instance was last polled `ago` ms before now, with a poller. */
async function setup(agoMs: number) {
  const store = await openStore(join(tempDir(), 'store.json'));
  await store.update((d) => {
    d.instances.push(
      instance('eu', {
        name: 'Okta Contoso EU',
        lastPoll: { at: new Date(Date.now() - agoMs).toISOString(), outcome: 'ok' },
      }),
    );
  });
  const { release, hold, connectors } = heldConnectors();
  const poller = new BackgroundPoller({
    store,
    catalog,
    connectors,
    env: { TOKEN: 't' },
  });
  const app = render(
    <App
      store={store}
      catalog={catalog}
      keymap={DEFAULT_KEYMAP}
      theme={NO_COLOR_THEME}
      user="tester"
      poller={poller}
    />,
  );
  disposeWhenDone(() => {
    release();
    app.unmount();
  });
  await vi.waitFor(() => expect(app.lastFrame()).toContain('Connected apps'));
  return { ...app, release, hold, poller };
}

describe('times on screen while the console idles', () => {
  it('"5s ago" reads later as the seconds pass, with no key pressed', async () => {
    const { lastFrame } = await setup(5_000);
    expect(lastFrame()).toMatch(/Okta .* [56]s ago/);
    await vi.waitFor(() => expect(lastFrame()).toMatch(/Okta .* [78]s ago/), {
      timeout: 3_000,
      interval: 50,
    });
  });

  it('in the drawer too, in the list and on the selected instance’s line', async () => {
    const { stdin, lastFrame } = await setup(5_000);
    await type(stdin, KEYS.enter);
    await vi.waitFor(() => expect(lastFrame()).toContain('Okta · instances'));
    await vi.waitFor(
      () => {
        expect(lastFrame()).toMatch(/Okta Contoso EU .* [78]s ago/);
        expect(lastFrame()).toMatch(/last poll [78]s ago ok/);
      },
      { timeout: 3_000, interval: 50 },
    );
  });

  it('draws nothing new while the times shown read the same (minutes)', async () => {
    const { lastFrame, frames } = await setup(5 * 60_000);
    expect(lastFrame()).toMatch(/Okta .* 5m ago/);
    const drawn = frames.length;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(frames.length).toBe(drawn);
  });
});

describe('a note on what a poll is doing', () => {
  it('is shown while the poll runs, gone when it ends, and not back with the next poll', async () => {
    const { stdin, lastFrame, release, hold, poller } = await setup(5 * 60_000);
    await type(stdin, 'r');
    await vi.waitFor(() => expect(lastFrame()).toContain('polling all instances…'));
    release();
    await poller.idle();
    await vi.waitFor(() => expect(lastFrame()).not.toContain('polling'));
    // A poll the console starts on its own later is not the one the note was about.
    hold();
    void poller.pollNow(['eu']);
    await vi.waitFor(() => expect(lastFrame()).toContain('polling 0/1'));
    expect(lastFrame()).not.toContain('polling all instances…');
    release();
  });
});
