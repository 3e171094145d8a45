import type { Clock } from '../../source/connectors/http.js';

/** A clock whose sleeps return at once and move time forward; it records every wait. */
export function fakeClock(start = Date.now()): Clock & { sleeps: number[] } {
  let t = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}
