import { describe, expect, it } from 'vitest';
import { lastCall } from '../../source/ui/memo.js';

describe('lastCall', () => {
  it('reuses the last result for the same arguments and recomputes when one changes', () => {
    let calls = 0;
    const double = lastCall((xs: readonly number[], k: number) => {
      calls++;
      return xs.map((x) => x * k);
    });
    const xs = [1, 2];
    const first = double(xs, 2);
    expect(double(xs, 2)).toBe(first);
    expect(calls).toBe(1);
    expect(double(xs, 3)).toEqual([3, 6]);
    expect(double([1, 2], 3)).toEqual([3, 6]); // an equal but new array is a new input
    expect(calls).toBe(3);
  });
});
