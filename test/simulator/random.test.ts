import { describe, expect, it } from 'vitest';
import { idBytes } from '../../source/simulator/random.js';

describe("the simulator's id bytes (request and error ids, drawn from a pool)", () => {
  it('are the length asked, differ from call to call, and do not repeat when the pool is refilled', () => {
    const seen = new Set<string>();
    // 16 KB a pool: 5,000 ids of 10 bytes refill it three times.
    for (let n = 0; n < 5_000; n++) {
      const id = idBytes(10);
      expect(id).toHaveLength(10);
      seen.add(id.toString('hex'));
    }
    expect(seen.size).toBe(5_000);
    // A copy, not a view of the pool: an id handed out does not change when the pool is refilled.
    const kept = idBytes(8);
    const copy = Buffer.from(kept);
    for (let n = 0; n < 3_000; n++) idBytes(10);
    expect(kept.equals(copy)).toBe(true);
    expect(idBytes(40_000)).toHaveLength(40_000);
  });
});
