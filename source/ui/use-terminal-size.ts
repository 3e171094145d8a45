import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export interface Size {
  columns: number;
  rows: number;
}

/** The terminal's size, re-rendering on resize (Ink 6 re-lays out but does not re-render React). */
export function useTerminalSize(): Size {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => sizeOf(stdout));
  // Subscribed once per stream, not on every render (this hook sits in the root, which renders per key).
  useEffect(() => {
    const onResize = () => setSize(sizeOf(stdout));
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

const sizeOf = (stdout: NodeJS.WriteStream): Size => ({
  columns: stdout.columns || 80,
  rows: stdout.rows || 24,
});
