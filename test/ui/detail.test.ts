import { describe, expect, it } from 'vitest';
import type { Action } from '../../source/domain/scoring.js';
import type { Result } from '../../source/domain/schemas.js';
import { detailLines } from '../../source/ui/views/panels.js';
import { control, instance } from '../helpers/fixtures.js';
import { FORBIDDEN } from '../helpers/hostile.js';

const repos = control('okta.repo.x', {
  scoring: 'proportional',
  rule: {
    dataset: 'okta:x',
    assert: [{ path: '/v', op: 'eq', value: true }],
    mode: 'proportional',
    noun: 'repositories',
  },
});
function action(result: Partial<Result>): Action {
  return {
    id: 'a',
    instance: instance('i'),
    control: repos,
    result: { controlId: repos.id, outcome: 'partial', evidence: [], ...result },
    state: 'to_address',
    achieved: 0,
    max: 10,
    unverified: false,
    rank: 1,
  };
}
const text = (a: Action) => detailLines(a, 0, 80).map((l) => l.text);

describe("an action's overview", () => {
  it('names the failing items, how many of how many, and how many more there are', () => {
    const failing = Array.from({ length: 25 }, (_, n) => ({ id: String(n), name: `repo-${n}` }));
    const lines = text(action({ count: 5, total: 30, failing }));
    expect(lines).toContain('Failing     25 of 30 repositories');
    expect(lines).toContain('  repo-0');
    expect(lines).toContain('  repo-19');
    expect(lines).not.toContain('  repo-20');
    expect(lines).toContain('  … and 5 more (posture export lists them all)');
  });

  it('names the right the credential lacks when the result is unknown because of it', () => {
    const lines = text(
      action({ outcome: 'unknown', reason: 'the token may not read this', missing: 'the repo scope' }),
    );
    const at = lines.indexOf('Missing right (grant it to evaluate this control)');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe('  the repo scope');
  });

  it('sanitizes failing names that came from the tenant', () => {
    const lines = text(
      action({
        count: 0,
        total: 1,
        failing: [{ id: '1', name: 'evil\u001b]52;c;ZXZpbA==\u0007\u202ename' }],
      }),
    );
    const row = lines.find((l) => l.includes('evil'));
    expect(row).toBeDefined();
    expect(row).not.toMatch(FORBIDDEN);
  });
});

describe("an action's overview at 80 columns", () => {
  const width = 79;
  const lines = (a: Action, score = {}) => detailLines(a, 0, width, [], [], score).map((l) => l.text);

  it('wraps a long reason and a long evidence value under their labels instead of cutting them', () => {
    const reason = `the API answered 403 ${'because the token lacks the scope '.repeat(3)}END-OF-REASON`;
    const value = `${'x'.repeat(10)} ${'long value '.repeat(12)}END-OF-VALUE`;
    const page = lines(
      action({ outcome: 'unknown', reason, evidence: [{ item: 'Policy', path: '/p', value }] }),
    );
    expect(page.every((l) => l.length <= width - 2)).toBe(true);
    const result = page.findIndex((l) => l.startsWith('Result '));
    expect(page[result + 1]).toMatch(/^ {12}\S/);
    expect(page.join(' ')).toContain('END-OF-REASON');
    expect(page.join(' ')).toContain('END-OF-VALUE');
  });

  it('says when the action was evaluated and what doing it is worth, in points and percent of the score', () => {
    const page = lines(action({ outcome: 'fail' }), {
      evaluatedAt: '2026-11-29T10:15:00.000Z',
      possible: 200,
    });
    expect(page).toContain("Evaluated   2026-11-29 10:15 UTC (its instance's last good poll)");
    expect(page).toContain('Impact      +10 points · +5.00% Secure Score');
  });

  it('says an action worth nothing now is worth nothing', () => {
    expect(lines({ ...action({ outcome: 'unknown' }), achieved: null })).toContain(
      'Impact      none while its result is not counted',
    );
    expect(lines({ ...action({ outcome: 'pass' }), achieved: 10 })).toContain(
      'Impact      none: every point is achieved',
    );
  });
});
