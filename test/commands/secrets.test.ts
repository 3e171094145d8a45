import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../source/simulator/server.js';
import { DEMO_TENANTS } from '../../source/simulator/vendors.js';
import { simulate, tenantCopy } from '../helpers/sim.js';
import { BACKENDS, cli, keptText, type Outcome, workspace } from './helpers.js';

// Values no one would type: if one shows up anywhere, it leaked.
const CANARY = 'canary-0b6f1e7d-token-9a2c';
const WRONG = 'canary-5e8d3c1a-wrong-4f70';

let sim: Simulator;
beforeAll(async () => {
  const us = DEMO_TENANTS.find((t) => t.id === 'okta-contoso-eu')!;
  sim = await simulate([tenantCopy(us, { token: CANARY })]);
});

describe.each(BACKENDS)('secrets on $name', ({ backend }) => {
  it('a token in the environment never reaches the store, stdout, stderr or any export', async () => {
    const t = await workspace(backend);
    const env = { POSTURE_CANARY_TOKEN: CANARY, POSTURE_CANARY_WRONG: WRONG };
    const run = (args: string[]) => cli([...args, '--store', t.store], { ...t, env });
    const outputs: Outcome[] = [];
    const url = sim.baseUrl('okta-contoso-eu');

    const good = await run([
      'connect',
      'okta',
      '--name',
      'Canary',
      '--url',
      url,
      '--token-env',
      'POSTURE_CANARY_TOKEN',
      '--on',
    ]);
    expect(good.code).toBe(0);
    const wrong = [
      'connect',
      'okta',
      '--name',
      'Wrong',
      '--url',
      url,
      '--token-env',
      'POSTURE_CANARY_WRONG',
      '--on',
    ];
    // Checked first, the wrong token is refused (its 401 quoted, the token not); unchecked, it is added.
    const refused = await run(wrong);
    expect(refused.code).toBe(2);
    const bad = await run([...wrong, '--no-check']);
    expect(bad.code).toBe(0);
    outputs.push(good, refused, bad);

    // One poll works with the canary as the real secret; the other is refused (401) with the wrong one.
    const polled = await run(['poll', '--once']);
    expect(polled.code).toBe(1);
    expect(polled.stdout).toMatch(/ok {5}Canary/);
    expect(polled.stdout).toMatch(/error {2}Wrong: /);
    outputs.push(polled, await run(['poll', '--once', '--json']));

    for (const args of [
      ['status'],
      ['status', '--json'],
      ['instances'],
      ['instances', '--json'],
      ['check', '--min-score', '50'],
      ['check', '--min-score', '50', '--json'],
      ['export', '--format', 'json'],
      ['export', '--format', 'csv'],
      ['export', '--format', 'sarif'],
      ['export', '--format', 'markdown'],
      ['export', '--format', 'markdown', '--output', join(t.dir, 'report.md')],
    ])
      outputs.push(await run(args));

    // A token value passed where its name belongs is refused without being repeated.
    outputs.push(await run(['connect', 'okta', '--name', 'X', '--url', url, '--token-env', CANARY]));
    expect(outputs.at(-1)?.code).toBe(2);

    // Every file the commands left, the record of checked stores in the cache folder too.
    const files = readdirSync(t.dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.split(sep)[0] !== 'data' && statSync(join(t.dir, f)).isFile())
      .map((f) => readFileSync(join(t.dir, f), 'utf8'));
    // The store, its .bak and the report; or the report, and the database's rows.
    expect(files.length).toBeGreaterThanOrEqual(backend === 'file' ? 3 : 1);
    const kept = await keptText(t.store);
    const everything = [...outputs.flatMap((o) => [o.stdout, o.stderr]), ...files, kept].join('\n');
    expect(kept).toContain('POSTURE_CANARY_TOKEN'); // the variable's name is fine
    expect(everything).toContain('Canary');
    expect(everything).not.toContain(CANARY);
    expect(everything).not.toContain(WRONG);
  }, 60_000); // seventeen runs of the built program, each a process of its own
});
