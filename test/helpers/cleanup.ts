import { expect } from 'vitest';

/**
 * What a test started and must not outlive (simulators, programs in a terminal, open stores):
 * disposed of when the test ends, passed or failed, or, when started outside a test (beforeAll),
 * when its file ends. setup.ts runs both.
 */
const afterTest: (() => unknown)[] = [];
const afterFile: (() => unknown)[] = [];

export function disposeWhenDone(dispose: () => unknown): void {
  (expect.getState().currentTestName === undefined ? afterFile : afterTest).push(dispose);
}

async function run(list: (() => unknown)[]): Promise<void> {
  for (const dispose of list.splice(0).reverse()) await dispose();
}

export const disposeTestThings = () => run(afterTest);
export const disposeFileThings = () => run(afterFile);
