import { sanitize } from '../text/sanitize.js';

/**
 * The console draws on the terminal's alternate screen, as k9s and lazygit do: the shell's screen
 * and scrollback are there again, as they were, when it ends. Ink 6 has no option for it (7 has),
 * so the console enters it before the first frame and leaves it on every way out.
 */

const ESC = '\u001b';
/** Save the cursor, switch to the alternate screen (cleared), cursor home. */
export const ENTER_ALTERNATE = `${ESC}[?1049h${ESC}[H`;
/**
 * Back to the shell's screen, with what the console may have left on: attributes reset, bracketed
 * paste and focus reports off, the cursor shown. The mode changes are harmless where never set.
 */
export const LEAVE_ALTERNATE = `${ESC}[0m${ESC}[?2004l${ESC}[?1004l${ESC}[?25h${ESC}[?1049l`;
/** The same way back without the alternate screen (`--no-alt-screen`): the modes reset, the screen kept. */
export const LEAVE_MAIN = `${ESC}[0m${ESC}[?2004l${ESC}[?1004l${ESC}[?25h`;

export interface Terminal {
  isTTY?: boolean;
  write(data: string): unknown;
}

export interface AlternateScreen {
  /** Back to the shell's screen; once only, whichever way out comes first. */
  leave(): void;
}

/** What a process offers the screen: the hooks it runs on its way out. */
export interface ProcessHooks {
  on(event: 'exit', listener: () => void): unknown;
  on(event: 'uncaughtException', listener: (error: Error) => void): unknown;
  off(event: 'exit', listener: () => void): unknown;
  off(event: 'uncaughtException', listener: (error: Error) => void): unknown;
  exit(code: number): never;
}

/**
 * Enter the alternate screen on a terminal (not when the output is a file or a pipe) and leave it
 * on `leave()`, on process exit (a signal handler's exit, ctrl-c's) and on an uncaught exception,
 * whose message is printed after leaving, on the shell's screen, where it stays readable.
 */
export function enterAlternateScreen(
  out: Terminal,
  err: { write(data: string): unknown },
  proc: ProcessHooks = process,
  /** False: stay on the main screen, and only restore the modes on the way out. */
  alternate = true,
): AlternateScreen {
  if (!out.isTTY) return { leave() {} };
  let left = false;
  // A TTY write is synchronous: it reaches the terminal even from an exit handler.
  const onExit = () => leave();
  const onCrash = (error: Error) => {
    leave();
    // As the command line reports any other bug: one message, exit 2.
    err.write(
      `posture: ${sanitize(`internal error: ${error.stack ?? String(error)}`, { multiline: true })}\n`,
    );
    proc.exit(2);
  };
  function leave() {
    if (left) return;
    left = true;
    proc.off('exit', onExit);
    proc.off('uncaughtException', onCrash);
    out.write(alternate ? LEAVE_ALTERNATE : LEAVE_MAIN);
  }
  proc.on('exit', onExit);
  proc.on('uncaughtException', onCrash);
  if (alternate) out.write(ENTER_ALTERNATE);
  return { leave };
}
