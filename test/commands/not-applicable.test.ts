import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../source/catalog/index.js';
import type { StoreDoc } from '../../source/domain/schemas.js';
import { instance, runIn, storeWith, tmp, writeStore } from './helpers.js';

const okta = loadCatalog().forApp('okta');

/** One Okta instance: the first control fails, the second is partial, the rest pass, or (na) do not apply. */
function store(na: boolean): StoreDoc {
  const reason = 'the application is not installed';
  return storeWith([instance('x', { name: 'Okta X' })], {
    x: na ? [{}, {}, ...okta.slice(2).map(() => ({ outcome: 'not_applicable' as const, reason }))] : [],
  });
}

describe('results that do not apply, in status and check', () => {
  it('status: neither open nor unscored for want of a right; said apart, and out of the score', async () => {
    const t = tmp();
    writeStore(t.store, store(true));
    const text = await runIn(['status', '--store', t.store], t);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      `Not applicable: ${okta.length - 2} results (the setting's application, plugin or hosting is not there; not scored)`,
    );
    expect(text.stdout).not.toContain('Not scored:');
    const json = JSON.parse((await runIn(['status', '--json', '--store', t.store], t)).stdout);
    expect(json).toMatchObject({ notApplicable: okta.length - 2, notEvaluated: [], openActions: 2 });
    // Only the failing and the partial control count: their points, none of the others'.
    expect(json.score.current.possible).toBe(okta[0]!.maxPoints + okta[1]!.maxPoints);
  });

  it('check: the minimum is met or missed on the controls that apply only', async () => {
    const t = tmp();
    writeStore(t.store, store(false));
    const all = JSON.parse(
      (await runIn(['check', '--min-score', '50', '--json', '--store', t.store], t)).stdout,
    );
    writeStore(t.store, store(true));
    const r = await runIn(['check', '--min-score', '50', '--json', '--store', t.store], t);
    const applies = JSON.parse(r.stdout);
    // The passes that no longer apply took their points with them: the score falls below 50%.
    expect(all.passed).toBe(true);
    expect(applies.score.possible).toBe(okta[0]!.maxPoints + okta[1]!.maxPoints);
    expect(applies.score.achieved).toBe(okta[1]!.maxPoints / 4); // the partial control's 1 of 4
    expect(applies.passed).toBe(false);
    expect(r.code).toBe(1);
  });
});
