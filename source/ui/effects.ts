import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { useApp, useStdout } from 'ink';
import { useCallback } from 'react';
import { commitCreation, createInstance } from '../domain/instances.js';
import type { Instance } from '../domain/schemas.js';
import { mainsToChoose } from '../domain/scoring.js';
import type { BackgroundPoller } from '../poller/background.js';
import type { Store } from '../store/store.js';
import { opener } from './browser.js';
import { osc52 } from './clipboard.js';
import type { Effect } from './controller.js';

/** What the console's effects act on: the store, the poller, and the shell's own ways out. */
export interface EffectDeps {
  store: Store;
  poller?: BackgroundPoller | undefined;
  /** Who status changes are recorded as. */
  user: string;
  /** Ends the console (Ink's exit). */
  exit: () => void;
  onQuit?: (() => void) | undefined;
  /** One line of feedback on the status line; `whilePolling`: true only until the running poll ends. */
  note: (message: string, whilePolling?: boolean) => void;
  /** The random part of a new instance's id; tests make it repeat. */
  suffix?: () => string;
  /** Told the instance the add form created, once committed: the drawer's cursor goes on it. */
  onAdded?: ((instance: Instance) => void) | undefined;
  /** Bytes for the terminal itself (the clipboard's OSC 52), beside Ink's frames. */
  terminal?: ((bytes: string) => void) | undefined;
  /** Where a browser may be opened, and how: tests stand in for the host. */
  host?: { platform: NodeJS.Platform; env: Readonly<Record<string, string | undefined>> } | undefined;
  launch?: ((command: string, args: string[]) => Promise<void>) | undefined;
}

/** Start the opener detached, without a shell; resolves once it has started, rejects if it cannot. */
function launchDetached(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { detached: true, stdio: 'ignore', shell: false });
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}

const randomSuffix = () => randomBytes(3).toString('hex');

/** Carry out one effect the reducer asked for. A failed write is said on the status line. */
export async function runEffect(effect: Effect, deps: EffectDeps): Promise<void> {
  const { store, poller, note } = deps;
  try {
    switch (effect.type) {
      case 'quit':
        deps.onQuit?.();
        deps.exit();
        return;
      case 'pause':
        poller?.togglePause();
        return;
      case 'poll':
        void poller?.pollNow(effect.instanceIds);
        return;
      case 'toggle':
        await store.update((d) => {
          const i = d.instances.find((x) => x.id === effect.instanceId);
          // The value the operator asked for, not a flip of whatever the store holds by now.
          if (i) i.recommendations = effect.on;
        });
        return;
      case 'secureScoreInstance':
        await store.update((d) => {
          const i = d.instances.find((x) => x.id === effect.instanceId);
          if (!i) return;
          d.settings.secureScoreInstance[i.app] = i.id;
          i.recommendations = true;
        });
        return;
      case 'restoreMain':
        await store.update((d) => {
          if (effect.main === undefined) delete d.settings.secureScoreInstance[effect.app];
          else d.settings.secureScoreInstance[effect.app] = effect.main;
          const i = d.instances.find((x) => x.id === effect.instanceId);
          if (i) i.recommendations = effect.recommendations;
        });
        return;
      case 'status':
        await store.update((d) => {
          d.statuses.push({
            instanceId: effect.instanceId,
            controlId: effect.controlId,
            state: effect.state,
            reason: effect.reason,
            by: deps.user,
            at: new Date().toISOString(),
            ...(effect.expires ? { expires: effect.expires } : {}),
          });
        });
        return;
      case 'add': {
        let added: Instance | undefined;
        await store.update((d) => {
          // Made against the document as it is committed: the id is checked against every instance.
          const creation = createInstance(effect.instance, d, {
            recommendations: false,
            now: new Date(),
            suffix: deps.suffix ?? randomSuffix,
          });
          commitCreation(d, creation);
          added = creation.instance;
        });
        if (!added) return;
        const id = added.id;
        deps.onAdded?.(added);
        // Read it at once: the drawer then says what its credential can evaluate, and what it lacks.
        void poller?.pollNow([id]);
        note(`reading "${effect.instance.name}" to check what its credential can evaluate…`, true);
        return;
      }
      case 'edit':
        await store.update((d) => {
          const i = d.instances.find((x) => x.id === effect.instanceId);
          if (!i) return;
          // What the form edits; the id, history, recommendations and last poll stay.
          i.name = effect.instance.name;
          i.baseUrl = effect.instance.baseUrl;
          i.credential = effect.instance.credential;
          i.options = effect.instance.options;
          if (effect.instance.caFile) i.caFile = effect.instance.caFile;
          else delete i.caFile;
        });
        return;
      case 'mode':
        await store.update((d) => {
          // Each app gets a main instance, chosen against the document as committed, so that
          // switching never leaves an app with several instances counting nothing unseen.
          if (effect.mode === 'single')
            for (const [app, i] of mainsToChoose(d)) d.settings.secureScoreInstance[app] = i.id;
          d.settings.instanceMode = effect.mode;
        });
        return;
      case 'copy': {
        const copied = osc52(effect.text, deps.host?.env ?? process.env);
        if ('error' in copied) {
          note(`not copied: ${copied.error}`);
          return;
        }
        deps.terminal?.(copied.bytes);
        note(`Copied the ${effect.what}: ${effect.text}`);
        return;
      }
      case 'browse': {
        const how = opener(
          effect.url,
          deps.host?.platform ?? process.platform,
          deps.host?.env ?? process.env,
        );
        if ('none' in how) {
          note(`${how.none}: ${effect.copyKey} copies the ${effect.what}`);
          return;
        }
        try {
          await (deps.launch ?? launchDetached)(how.command, how.args);
          note(`opening the ${effect.what} in the browser`);
        } catch (error) {
          note(
            `could not open a browser (${how.command}: ${(error as Error).message}): ${effect.copyKey} copies the ${effect.what}`,
          );
        }
        return;
      }
    }
  } catch (error) {
    note(`could not save: ${(error as Error).message}`);
  }
}

/** The console's one effects runner, the same function for the console's life. */
export function useEffects(deps: Omit<EffectDeps, 'exit'>): (effect: Effect) => Promise<void> {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const { store, poller, user, onQuit, note, suffix, onAdded } = deps;
  const terminal = useCallback((bytes: string) => void stdout.write(bytes), [stdout]);
  return useCallback(
    (effect: Effect) =>
      runEffect(effect, {
        store,
        poller,
        user,
        exit,
        onQuit,
        note,
        onAdded,
        terminal,
        ...(suffix ? { suffix } : {}),
      }),
    [store, poller, user, exit, onQuit, note, suffix, onAdded, terminal],
  );
}
