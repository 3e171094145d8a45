import { describe, expect, it } from 'vitest';
import { healthChangesAt, healthOf } from '../../source/domain/instances.js';
import { ago, agoChangesAt } from '../../source/text/format.js';
import { instance } from '../helpers/fixtures.js';

const at = '2026-11-29T10:00:00.000Z';
const t = Date.parse(at);

describe('when a relative time next reads differently', () => {
  // Seconds, minutes, hours and days, and each unit's edges.
  const offsets = [0, 400, 500, 4_700, 59_400, 59_600, 89_000, 150_000, 3_569_000, 3_600_000, 5_500_000];
  const more = [86_000_000, 86_399_600, 90_000_000, 200_000_000, 3_000_000_000];
  it.each([...offsets, ...more])('%i ms after the time: not a millisecond before, and at once then', (d) => {
    const now = t + d;
    const next = agoChangesAt(at, now);
    expect(next).toBeGreaterThan(now);
    expect(ago(at, next - 1)).toBe(ago(at, now));
    expect(ago(at, next)).not.toBe(ago(at, now));
  });

  it('is a second away for seconds and up to a minute away for minutes', () => {
    expect(agoChangesAt(at, t + 5_000) - (t + 5_000)).toBe(500);
    expect(agoChangesAt(at, t + 5 * 60_000) - (t + 5 * 60_000)).toBe(29_500);
  });

  it('never, for a time that was never', () => {
    expect(agoChangesAt(undefined, t)).toBe(Infinity);
  });
});

describe('when an instance turns stale', () => {
  it('is two poll intervals after its last good poll, and never after a failed one', () => {
    const i = instance('a', { pollIntervalMinutes: 1, lastPoll: { at, outcome: 'ok' } });
    const next = healthChangesAt(i, t);
    expect(healthOf(i, next - 1)).toBe('ok');
    expect(healthOf(i, next)).toBe('stale');
    expect(healthChangesAt(i, next)).toBe(Infinity);
    const failed = instance('b', { lastPoll: { at, outcome: 'error', error: 'x' } });
    expect(healthChangesAt(failed, t)).toBe(Infinity);
  });
});
