import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parseMinScore } from '../../source/commands/check.js';
import { emptyStore } from '../../source/domain/schemas.js';
import { BACKENDS, instance, runIn, seed, snapshot, storeWith, workspace } from './helpers.js';

/** A store written by a newer posture: a file of a later version, a database of a later schema. */
async function fromNewerPosture(t: { store: string; backend: string }): Promise<void> {
  if (t.backend === 'file') return writeFileSync(t.store, JSON.stringify({ version: 99 }));
  await seed(t.store, emptyStore());
  const client = new pg.Client({ connectionString: t.store });
  await client.connect();
  await client.query('UPDATE posture_schema SET version = 99');
  await client.end();
}

describe.each(BACKENDS)('posture check --min-score on $name', ({ backend }) => {
  it('exits 0 at or above the minimum and 1 below it, printing the score and the gap', async () => {
    const t = await workspace(backend);
    const status = await runIn(['status', '--json', '--demo', '--store', t.store], t);
    const { percent, achieved, possible } = JSON.parse(status.stdout).score.current;
    const exact = (achieved / possible) * 100;

    const low = await runIn(['check', '--min-score', '40', '--demo', '--store', t.store], t);
    expect(low.code).toBe(0);
    expect(low.stdout).toMatch(
      new RegExp(
        `^Secure Score ${percent.toFixed(2)}% \\(${achieved} / ${possible} points\\) meets the minimum 40%: [\\d.]+ percentage points above\\n$`,
      ),
    );

    const high = await runIn(['check', '--min-score', '80%', '--demo', '--store', t.store], t);
    expect(high.code).toBe(1);
    expect(high.stdout).toMatch(
      /is below the minimum 80%: [\d.]+ percentage points short \([\d.]+ more points needed\)\n$/,
    );
    const gap = Number(/([\d.]+) percentage points short/.exec(high.stdout)?.[1]);
    expect(gap).toBeCloseTo(80 - exact, 2);

    // Exactly at the minimum passes; a hair above fails.
    const atMin = Math.floor(exact * 1000) / 1000;
    expect((await runIn(['check', '--min-score', String(atMin), '--demo', '--store', t.store], t)).code).toBe(
      0,
    );
    expect(
      (await runIn(['check', '--min-score', String(atMin + 0.01), '--demo', '--store', t.store], t)).code,
    ).toBe(1);
  });

  it('prints JSON with --json, and checks one product with --product', async () => {
    const t = await workspace(backend);
    const r = await runIn(
      ['check', '--min-score', '99', '--json', '--product', 'okta', '--demo', '--store', t.store],
      t,
    );
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ minScore: 99, passed: false });
    expect(out.gap).toBeGreaterThan(0);
    expect(out.pointsNeeded).toBeGreaterThan(0);
    const status = JSON.parse((await runIn(['status', '--json', '--demo', '--store', t.store], t)).stdout);
    expect(out.score).toEqual(status.byProduct.okta);
  });

  it('exits 2 when there is no score to check', async () => {
    const t = await workspace(backend);
    await seed(t.store, storeWith([instance('a', { recommendations: false })]));
    const r = await runIn(['check', '--min-score', '0', '--store', t.store], t);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'posture: no Secure Score to check: no instance with recommendations on has results yet\n',
    );
  });

  it('exits 2 on a store it cannot read, leaving it as it was', async () => {
    const t = await workspace(backend);
    await fromNewerPosture(t);
    const before = await snapshot(t.store);
    const r = await runIn(['check', '--min-score', '50', '--store', t.store], t);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/schema version 99, newer than this posture.*\n$/);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toMatch(/left untouched\n$/);
    expect(await snapshot(t.store)).toBe(before);
  });

  it('warns on stderr about instances whose last poll failed: their results may be old', async () => {
    const t = await workspace(backend);
    await seed(
      t.store,
      storeWith([
        instance('a', { lastPoll: { at: new Date().toISOString(), outcome: 'error', error: 'HTTP 401' } }),
      ]),
    );
    const r = await runIn(['check', '--min-score', '1', '--store', t.store], t);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'posture: warning: the last poll of Okta a failed; their earlier results are scored (posture instances shows why)\n',
    );
  });

  it('says any error in one line, however many polls failed, and names what --product and --instance scored', async () => {
    const t = await workspace(backend);
    const failed = (id: string) =>
      instance(id, {
        recommendations: false,
        lastPoll: { at: new Date().toISOString(), outcome: 'error', error: 'HTTP 401' },
      });
    await seed(t.store, storeWith([failed('a'), failed('b'), failed('c'), failed('d')]));
    const none = await runIn(['check', '--min-score', '50', '--store', t.store], t);
    expect(none.code).toBe(2);
    expect(none.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(none.stderr).toMatch(
      /^posture: no Secure Score to check: .*the last poll of Okta a, Okta b, Okta c and 1 more failed/,
    );

    await seed(
      t.store,
      storeWith([
        instance('o', { name: 'Okta O' }),
        instance('g', { app: 'github', name: 'GitHub G', options: { org: 'g' } }),
      ]),
    );
    const okta = await runIn(['check', '--min-score', '1', '--product', 'okta', '--store', t.store], t);
    expect(okta.stdout).toMatch(/^Secure Score of Okta \d/);
    const one = await runIn(
      ['check', '--min-score', '1', '--instance', 'GitHub G', '--json', '--store', t.store],
      t,
    );
    expect(JSON.parse(one.stdout).scope).toEqual({ product: null, instance: 'g' });
  });
});

describe('parseMinScore', () => {
  it.each([
    ['80', 80],
    ['72.5', 72.5],
    ['72.5%', 72.5],
    ['0', 0],
    ['100', 100],
  ])('reads %s as %d', (text, n) => expect(parseMinScore(text)).toBe(n));

  it.each(['', 'abc', '-1', '100.01', '1e2', '80 %%', '0x10', 'NaN'])('refuses "%s"', (text) =>
    expect(() => parseMinScore(text)).toThrow(/--min-score must be a percentage from 0 to 100/),
  );
});
