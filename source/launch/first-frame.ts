/**
 * The console's first frame is on the screen: what waited for it may run now (the launcher
 * writes its code cache then, so that the cache holds the functions the first frame compiled).
 * The launcher and the program are separate bundles: they meet on a registered symbol.
 */
const FIRST_FRAME = Symbol.for('posture.firstFrame');
type Hooks = { [FIRST_FRAME]?: () => void };

export function onFirstFrame(run: () => void): void {
  (globalThis as Hooks)[FIRST_FRAME] = run;
}

export function firstFrameDrawn(): void {
  const run = (globalThis as Hooks)[FIRST_FRAME];
  delete (globalThis as Hooks)[FIRST_FRAME];
  run?.();
}
