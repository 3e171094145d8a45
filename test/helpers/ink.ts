/** Let Ink and React's scheduler handle an input before the next one (Shopify CLI's approach). */
export async function settle(): Promise<void> {
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 0));
}

export const KEYS = {
  up: '\u001B[A',
  down: '\u001B[B',
  enter: '\r',
  escape: '\u001B',
  tab: '\t',
  shiftTab: '\u001B[Z',
  backspace: '\u007F',
};

/** Type keys one at a time, letting the app settle after each. */
export async function type(stdin: { write(s: string): void }, ...keys: string[]): Promise<void> {
  for (const k of keys) {
    stdin.write(k);
    await settle();
    if (k === KEYS.escape) await new Promise((r) => setTimeout(r, 20));
  }
}
