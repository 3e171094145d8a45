import { describe, expect, it } from 'vitest';
import { diffResults, upsertDaily } from '../../source/domain/history.js';
import type { Result } from '../../source/domain/schemas.js';

const r = (controlId: string, outcome: Result['outcome']): Result => ({ controlId, outcome, evidence: [] });

describe('run-to-run diff', () => {
  it('reports new findings, fixes and regressions, and nothing for unchanged results', () => {
    const before = [r('a', 'pass'), r('b', 'fail'), r('c', 'partial'), r('d', 'fail'), r('e', 'unknown')];
    const after = [
      r('a', 'fail'),
      r('b', 'pass'),
      r('c', 'fail'),
      r('d', 'fail'),
      r('e', 'fail'),
      r('f', 'partial'),
    ];
    expect(diffResults('i', before, after)).toEqual([
      { instanceId: 'i', controlId: 'a', kind: 'regressed' },
      { instanceId: 'i', controlId: 'b', kind: 'fixed' },
      { instanceId: 'i', controlId: 'c', kind: 'regressed' },
      { instanceId: 'i', controlId: 'e', kind: 'new' },
      { instanceId: 'i', controlId: 'f', kind: 'new' },
    ]);
  });
  it('counts every failing result of a first poll as new', () => {
    expect(diffResults('i', undefined, [r('a', 'fail'), r('b', 'pass')])).toEqual([
      { instanceId: 'i', controlId: 'a', kind: 'new' },
    ]);
  });
  it('keeps one point per day, the latest of the day', () => {
    const days = upsertDaily([{ day: '2026-11-01', achieved: 1, possible: 2 }], {
      day: '2026-11-02',
      achieved: 3,
      possible: 4,
    });
    expect(upsertDaily(days, { day: '2026-11-02', achieved: 4, possible: 4 })).toEqual([
      { day: '2026-11-01', achieved: 1, possible: 2 },
      { day: '2026-11-02', achieved: 4, possible: 4 },
    ]);
  });
});
