import { useStdout } from 'ink';
import { useEffect } from 'react';

const ON = '\u001b[?2004h';
const OFF = '\u001b[?2004l';

/**
 * Ask the terminal to mark pasted text (ESC [200~ … ESC [201~), so that keyNames can tell a paste
 * from typing: a paste's line breaks then never submit a half-typed field, and text pasted where no
 * field is open never runs as keys. Only on a terminal; switched off again when the console ends.
 */
export function useBracketedPaste(): void {
  const { stdout } = useStdout();
  useEffect(() => {
    if (!stdout.isTTY) return;
    stdout.write(ON);
    // Also on an exit that skips React's clean-up (an uncaught error): a shell left in this
    // mode would see the marks around everything pasted into it.
    const off = () => stdout.write(OFF);
    process.once('exit', off);
    return () => {
      process.removeListener('exit', off);
      off();
    };
  }, [stdout]);
}
