import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NewInstance } from '../../source/domain/instances.js';
import { type EffectDeps, runEffect } from '../../source/ui/effects.js';
import { instance } from '../helpers/fixtures.js';
import { openStore } from '../helpers/store.js';
import { tempDir } from '../helpers/temp.js';

const draft: NewInstance = {
  app: 'okta',
  name: 'Okta Contoso EU',
  baseUrl: 'https://contoso-eu.okta.com',
  credential: { kind: 'file', path: '/keys/okta.token' },
  options: {},
  caFile: '/etc/ca.pem',
  recommendations: false,
  pollIntervalMinutes: 60,
};

async function setup(patch: (deps: EffectDeps) => Partial<EffectDeps> = () => ({})) {
  const store = await openStore(join(tempDir(), 'store.json'));
  const notes: string[] = [];
  const polled: string[][] = [];
  const deps: EffectDeps = {
    store,
    user: 'tester',
    exit: () => {},
    note: (m, whilePolling) => notes.push(whilePolling ? `${m} (while polling)` : m),
    poller: {
      pollNow: async (ids?: string[]) => void polled.push(ids ?? []),
    } as unknown as EffectDeps['poller'],
  };
  return { store, notes, polled, deps: { ...deps, ...patch(deps) } };
}

describe('the console’s effects', () => {
  it('adds an instance with an id no other has, even when the random suffix repeats, and reads it at once', async () => {
    const { store, polled, notes, deps } = await setup();
    await store.update((d) => {
      d.instances.push(instance('okta-contoso-eu-aaaaaa'));
    });
    const suffixes = ['aaaaaa', 'bbbbbb'];
    await runEffect(
      { type: 'add', instance: draft },
      { ...deps, suffix: () => suffixes.shift() ?? 'cccccc' },
    );
    const added = store.doc.instances.at(-1)!;
    expect(added).toMatchObject({ ...draft, id: 'okta-contoso-eu-bbbbbb' });
    expect(polled).toEqual([['okta-contoso-eu-bbbbbb']]);
    // True while its poll runs only: the shell drops it when the poll ends.
    expect(notes).toEqual([
      'reading "Okta Contoso EU" to check what its credential can evaluate… (while polling)',
    ]);
  });

  it('in single-instance mode makes the added instance its app’s Secure Score instance', async () => {
    const { store, deps } = await setup();
    await store.update((d) => {
      d.settings.instanceMode = 'single';
    });
    await runEffect({ type: 'add', instance: draft }, deps);
    const added = store.doc.instances.at(-1)!;
    expect(store.doc.settings.secureScoreInstance.okta).toBe(added.id);
  });

  it('tells the shell the instance it added, once committed (the drawer’s cursor goes on it)', async () => {
    const told: string[] = [];
    const { store, deps } = await setup(() => ({ onAdded: (i) => told.push(i.id) }));
    await runEffect({ type: 'add', instance: draft }, deps);
    expect(told).toEqual([store.doc.instances.at(-1)!.id]);
  });

  it('sets the recommendations to the value asked for, not a flip of what the store holds by then', async () => {
    const { store, deps } = await setup();
    await store.update((d) => {
      d.instances.push(instance('eu', { recommendations: true }));
    });
    await runEffect({ type: 'toggle', instanceId: 'eu', on: true }, deps);
    expect(store.doc.instances[0]!.recommendations).toBe(true);
    await runEffect({ type: 'toggle', instanceId: 'eu', on: false }, deps);
    expect(store.doc.instances[0]!.recommendations).toBe(false);
  });

  it('undoing a main-instance choice puts back the main before it and the chosen one’s recommendations', async () => {
    const { store, deps } = await setup();
    await store.update((d) => {
      d.instances.push(instance('eu'), instance('us', { recommendations: false }));
      d.settings.secureScoreInstance.okta = 'eu';
    });
    await runEffect({ type: 'secureScoreInstance', instanceId: 'us' }, deps);
    expect(store.doc.settings.secureScoreInstance.okta).toBe('us');
    await runEffect(
      { type: 'restoreMain', app: 'okta', main: 'eu', instanceId: 'us', recommendations: false },
      deps,
    );
    expect(store.doc.settings.secureScoreInstance.okta).toBe('eu');
    expect(store.doc.instances[1]!.recommendations).toBe(false);
    await runEffect(
      { type: 'restoreMain', app: 'okta', main: undefined, instanceId: 'us', recommendations: false },
      deps,
    );
    expect(store.doc.settings.secureScoreInstance).not.toHaveProperty('okta');
  });

  it('switching to single mode records a main instance for each app that has several and none', async () => {
    const { store, deps } = await setup();
    await store.update((d) => {
      d.instances.push(instance('eu', { recommendations: false }), instance('us'));
    });
    await runEffect({ type: 'mode', mode: 'single' }, deps);
    expect(store.doc.settings).toMatchObject({ instanceMode: 'single', secureScoreInstance: { okta: 'us' } });
  });

  it('an edit sets the CA file and the credential, and clears a CA file left empty', async () => {
    const { store, deps } = await setup();
    await store.update((d) => {
      d.instances.push(instance('eu', { caFile: '/etc/old.pem' }));
    });
    await runEffect({ type: 'edit', instanceId: 'eu', instance: draft }, deps);
    expect(store.doc.instances[0]).toMatchObject({ caFile: '/etc/ca.pem', credential: draft.credential });
    const { caFile: _ca, ...without } = draft;
    await runEffect({ type: 'edit', instanceId: 'eu', instance: without }, deps);
    expect(store.doc.instances[0]).not.toHaveProperty('caFile');
    expect(store.doc.instances[0]).toMatchObject({ id: 'eu', recommendations: true });
  });

  it('says on the status line when a change cannot be saved', async () => {
    const file = join(tempDir(), 'store.json');
    const writer = await openStore(file);
    await writer.update(() => {});
    writer.close();
    const readOnly = await openStore(file, { readOnly: true });
    const { notes, deps } = await setup();
    await runEffect({ type: 'mode', mode: 'single' }, { ...deps, store: readOnly });
    expect(notes).toEqual(['could not save: the store is open read-only']);
  });
});
