import { APP_LABELS, type App, type Instance, STATE_LABELS, type State } from '../domain/schemas.js';
import type { Context, Effect, Step } from './controller.js';
import { keyFor } from './hints.js';
import type { UIState } from './state.js';

/**
 * Undo for the console's score-changing changes (recommendations on/off, the main instance, a
 * status): a short stack of what each change replaced, newest last. Each entry puts back a value,
 * never flips one, so an undo means the same whatever the store holds when it is committed.
 */

export type Undo =
  | { kind: 'recommendations'; instanceId: string; name: string; was: boolean }
  | {
      kind: 'main';
      app: App;
      instanceId: string;
      /** The app's recorded main instance before (absent: none recorded). */
      was: string | undefined;
      /** The new main instance's recommendations before: choosing it turns them on. */
      wasOn: boolean;
    }
  | {
      kind: 'status';
      instanceId: string;
      controlId: string;
      title: string;
      name: string;
      was: State;
      reason: string;
      expires?: string;
    };

/** How many changes `u` can take back, newest first. */
export const UNDO_DEPTH = 20;

/** The state with `entry` on top of its undo stack. */
export function remember(state: UIState, entry: Undo): UIState {
  return { ...state, undo: [...(state.undo ?? []), entry].slice(-UNDO_DEPTH) };
}

/** " · u undoes", with the key the keymap binds (nothing when undo has no key). */
export function undoHint(ctx: Pick<Context, 'bindings'>): string {
  const key = keyFor(ctx, 'undo');
  return key ? ` · ${key} undoes` : '';
}

/**
 * The value this console last asked for an instance's recommendations while the frame still shows
 * the value before it (the store has not committed it yet): a second Space in that moment then
 * takes the first back, as its message said it would.
 */
export function pendingRecommendations(state: UIState, inst: Instance): boolean | undefined {
  const last = state.undo?.at(-1);
  if (last?.kind !== 'recommendations' || last.instanceId !== inst.id) return undefined;
  return inst.recommendations === last.was ? !last.was : undefined;
}

export const recommendationsNote = (name: string, on: boolean) =>
  `${name}: Secure Score recommendations ${on ? 'on' : 'off'}`;

/** Take back the newest change on the stack: the effect that puts its value back, and what it did. */
export function undoLast(state: UIState, ctx: Context): Step {
  const stack = state.undo ?? [];
  const last = stack[stack.length - 1];
  if (!last) return { state: { ...state, message: 'nothing to undo' }, effects: [] };
  if (ctx.readOnly) return { state: { ...state, message: 'read-only: changes are disabled' }, effects: [] };
  const done = (message: string, effect: Effect): Step => ({
    state: { ...state, undo: stack.slice(0, -1), message: `undone: ${message}` },
    effects: [effect],
  });
  const nameOf = (id: string | undefined) => ctx.doc.instances.find((i) => i.id === id)?.name;
  switch (last.kind) {
    case 'recommendations':
      return done(`${recommendationsNote(last.name, last.was)} again`, {
        type: 'toggle',
        instanceId: last.instanceId,
        on: last.was,
      });
    case 'main': {
      const before = nameOf(last.was);
      return done(
        before
          ? `${before} is the Secure Score instance for ${APP_LABELS[last.app]} again`
          : `${APP_LABELS[last.app]} has no chosen Secure Score instance again`,
        {
          type: 'restoreMain',
          app: last.app,
          main: last.was,
          instanceId: last.instanceId,
          recommendations: last.wasOn,
        },
      );
    }
    case 'status':
      return done(`${last.title} on ${last.name} is ${STATE_LABELS[last.was]} again`, {
        type: 'status',
        instanceId: last.instanceId,
        controlId: last.controlId,
        state: last.was,
        reason: last.reason,
        ...(last.expires ? { expires: last.expires } : {}),
      });
  }
}
