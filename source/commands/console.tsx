import chalk from 'chalk';
import { render } from 'ink';
import { Component, type ReactNode } from 'react';
import { alertTargets } from '../domain/alerts.js';
import { firstFrameDrawn } from '../launch/first-frame.js';
import type { BackgroundPoller } from '../poller/background.js';
import { enterAlternateScreen } from '../ui/alternate-screen.js';
import { App } from '../ui/app.js';
import { historyFile } from '../ui/command-history.js';
import { type Keymap, KeymapError, loadKeymap } from '../ui/keys.js';
import { pickTheme } from '../ui/theme.js';
import { type Context, UsageError } from './context.js';

export interface ConsoleOptions {
  keys?: string | undefined;
  /** Off (`--no-alt-screen`): the console draws in the main screen, its last frame left in the scrollback. */
  altScreen?: boolean;
}

/**
 * Catches what the console throws while rendering, so that a store failing its check gets its
 * one line rather than a stack trace drawn over the screen; anything else ends the console.
 */
class Guard extends Component<{ children: ReactNode; onError: (error: Error) => void }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  override componentDidCatch(error: Error) {
    this.props.onError(error);
  }
  override render() {
    return this.state.failed ? null : this.props.children;
  }
}

/** The interactive console: Ink on the terminal's alternate screen, polling in the background. */
export async function runConsole(ctx: Context, o: ConsoleOptions): Promise<number> {
  let keymap: Keymap;
  try {
    keymap = loadKeymap(o.keys ?? ctx.io.env.POSTURE_KEYS);
  } catch (error) {
    // A bad key bindings file is bad input: the command line reports it as such (one line, exit 2)
    // without knowing the console's errors, so that nothing outside ui/ and this command imports ui/.
    if (error instanceof KeymapError) throw new UsageError(error.message);
    throw error;
  }
  // Left on every way out: here (quit, ctrl-c, an error the command line reports), on a signal's
  // exit and on a crash (alternate-screen.ts).
  // Some operators want the last frame left in the scrollback (or a multiplexer that mishandles
  // the alternate screen): the flag, or POSTURE_ALT_SCREEN=0, keeps the main screen.
  const alternate = o.altScreen !== false && ctx.io.env.POSTURE_ALT_SCREEN !== '0';
  const screen = enterAlternateScreen(ctx.io.stdout, ctx.io.stderr, process, alternate);
  try {
    return await drawConsole(ctx, keymap);
  } finally {
    screen.leave();
  }
}

async function drawConsole(ctx: Context, keymap: Keymap): Promise<number> {
  // With colour off (--no-color, NO_COLOR) Ink's chalk would drop bold and inverse as well, and
  // the selection would vanish: keep text attributes on a capable terminal; the theme adds no colour.
  if (ctx.io.stdout.isTTY && chalk.level === 0 && ctx.io.env.TERM !== 'dumb') chalk.level = 1;
  const theme = pickTheme(ctx.io.env, ctx.flags.color);
  let checked = false;
  let firstError: Error | undefined;
  let attempt = 0;
  const live: { poller?: BackgroundPoller } = {}; // the poller, once loaded
  const failed = (error: Error) => {
    if (checked) app.unmount(error);
    else firstError = error; // the store's fault or not: known once it is checked
  };
  const view = () => (
    <Guard key={attempt} onError={failed}>
      <App
        store={ctx.store}
        catalog={ctx.catalog}
        keymap={keymap}
        theme={theme}
        user={ctx.user}
        env={ctx.io.env}
        historyFile={historyFile(ctx.io.env)}
        {...(live.poller ? { poller: live.poller } : {})}
      />
    </Guard>
  );
  const app = render(view(), {
    stdout: ctx.io.stdout as NodeJS.WriteStream,
    exitOnCtrlC: false,
    patchConsole: false,
    incrementalRendering: ctx.io.env.POSTURE_INCREMENTAL !== '0',
    maxFps: 30,
  });
  const exited = app.waitUntilExit();
  let quit = false;
  exited.then(
    () => (quit = true),
    () => (quit = true),
  );
  try {
    // The first frame is drawn from the document as read; check it before anything else runs
    // (nothing is written or polled before), in slices so that keys are answered meanwhile.
    // A store that fails leaves the screen as it was.
    firstFrameDrawn();
    await ctx.store.checkInBackground();
    checked = true;
  } catch (error) {
    app.clear();
    app.unmount();
    await exited.catch(() => {});
    throw error;
  }
  if (firstError) {
    // Drawn from the document as read, the first frame failed; the checked one has the schema's
    // defaults filled in: draw it afresh (a second failure ends the console).
    attempt++;
    app.rerender(view());
  }
  // The first frame is on the screen: now load the poller, its connectors and the HTTP client.
  const [{ BackgroundPoller }, { CONNECTORS }] = await Promise.all([
    import('../poller/background.js'),
    import('../connectors/registry.js'),
  ]);
  const poller = new BackgroundPoller({
    store: ctx.store,
    catalog: ctx.catalog,
    connectors: CONNECTORS,
    concurrency: 8,
    afterBatch: (signal) => sendAlerts(ctx, signal),
  });
  live.poller = poller;
  if (!quit) {
    app.rerender(view());
    // On PostgreSQL the workers poll; `poll now` (a key) still polls from here.
    if (ctx.store.backend === 'file') poller.start();
    // The demo's tenants are simulated: show them freshly polled on every start.
    if (ctx.demo) void poller.pollNow();
  }
  // Tests only (the two variables together): a crash outside React, to show the terminal restored.
  if (ctx.io.env.VITEST && ctx.io.env.POSTURE_TEST_CRASH)
    setTimeout(() => {
      throw new Error(`crash asked for by POSTURE_TEST_CRASH`);
    }, 0);
  try {
    await exited;
  } finally {
    poller.stop();
    await poller.idle(); // never quit in the middle of a commit
  }
  return 0;
}

/**
 * What the console's background delivery may take, retries included, before it says it failed and
 * leaves the alerts queued for the next poll: shorter than `posture poll`'s, since an operator watches.
 */
const ALERT_MS = 10_000;

/** The alerts the console's own polls queued, sent as `posture poll` sends them; why not, if not. */
async function sendAlerts(ctx: Context, signal: AbortSignal): Promise<string | undefined> {
  const doc = ctx.store.doc;
  if (alertTargets(doc.settings.alerts).length === 0 || doc.alertQueue.pending.length === 0) return undefined;
  const { deliverAlerts } = await import('../alerts/deliver.js');
  const d = await deliverAlerts({
    store: ctx.store,
    catalog: ctx.catalog,
    env: ctx.io.env,
    deadline: Date.now() + ALERT_MS,
    signal,
  });
  if (d.left === 0) return undefined;
  const why = d.errors.length > 0 ? ` (${d.errors.join('; ')})` : '';
  return `${d.left} alert${d.left === 1 ? '' : 's'} not sent${why}; kept for the next poll`;
}
