import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../source/store/open.js';
import { instance } from '../helpers/fixtures.js';
import { freshDatabase } from '../helpers/postgres.js';
import { BIN, keys, spawn } from '../helpers/pty.js';
import { tempDir } from '../helpers/temp.js';

const run = promisify(execFile);

/** The built program, headless: its exit code and output. */
async function posture(args: string[], env: NodeJS.ProcessEnv) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the built program on a PostgreSQL store', () => {
  it('answers status, check and export as it does on the file, and connects into it', async () => {
    const home = tempDir();
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_DATA_HOME: home, HOME: home, NO_COLOR: '1' };
    delete env.POSTURE_STORE;
    const url = await freshDatabase();
    // An empty database is no workspace to read: said in one line, and nothing is created.
    const none = await posture(['--store', url, 'status'], env);
    expect(none.code).toBe(2);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toMatch(/no store at postgres:/);

    expect((await posture(['--demo', 'status'], env)).code).toBe(0); // the demo's workspace, polled
    const file = join(home, 'posture', 'demo.json');
    const copied = await posture(['store', 'copy', file, url], env);
    expect(copied.stderr).toBe('');
    expect(copied.code).toBe(0);

    for (const args of [
      ['status', '--json'],
      ['status'],
      ['check', '--min-score', '30', '--json'],
      ['check', '--min-score', '99'],
      ['instances', '--json'],
    ]) {
      const onFile = await posture(['--store', file, ...args], env);
      const onPg = await posture(['--store', url, ...args], env);
      expect(onPg.stderr, args.join(' ')).toBe(onFile.stderr);
      expect(onPg.code, args.join(' ')).toBe(onFile.code);
      expect(onPg.stdout, args.join(' ')).toBe(onFile.stdout);
    }
    const exported = await posture(['--store', url, 'export', '--format', 'json'], env);
    expect(exported.code).toBe(0);
    const fromFile = JSON.parse((await posture(['--store', file, 'export', '--format', 'json'], env)).stdout);
    const fromPg = JSON.parse(exported.stdout);
    expect(fromPg.instances).toEqual(fromFile.instances);
    expect(fromPg.results).toEqual(fromFile.results);

    const added = await posture(
      [
        '--store',
        url,
        '--operator',
        'carol',
        'connect',
        'okta',
        '--name',
        'Okta Contoso Added',
        '--url',
        'https://added.okta.com',
        '--token-env',
        'ADDED_TOKEN',
        '--no-check',
      ],
      env,
    );
    expect(added.code).toBe(0);
    const list = JSON.parse((await posture(['--store', url, 'instances', '--json'], env)).stdout) as {
      name: string;
    }[];
    expect(list.map((i) => i.name)).toContain('Okta Contoso Added');
    // Who made each commit is recorded: the copy (the OS user), then --operator's name.
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    const { rows } = await db.query<{ operator: string; kinds: string[] }>(
      'SELECT operator, kinds FROM changes ORDER BY revision',
    );
    await db.end();
    expect(rows).toHaveLength(2);
    expect(rows[1]).toEqual({ operator: 'carol', kinds: ['instances'] });
  }, 120_000);

  it("shows one console's change in another console on the same database", async () => {
    const url = await freshDatabase();
    const seed = await openStore(url);
    await seed.update((d) => {
      d.instances.push(instance('eu', { name: 'Okta Contoso EU', recommendations: false }));
    });
    await seed.close();
    const first = spawn(['--store', url, '--operator', 'alice']);
    await first.waitFor(/Okta\s+1 \(0 on\)/);
    const second = spawn(['--store', url, '--operator', 'bob']);
    await second.waitFor(/Okta\s+1 \(0 on\)/);
    expect(second.screen()).not.toContain('read-only'); // both operators may change it
    await keys(first, '\r'); // the Okta drawer
    await first.waitFor('Okta · instances');
    await keys(first, ' ');
    await first.waitFor(/Okta Contoso EU .* On/);
    await second.waitFor(/Okta\s+1 \(1 on\)/, 3000);
    await keys(second, 'q');
    await keys(first, 'q');
    expect(await second.exit).toBe(0);
    expect(await first.exit).toBe(0);
  }, 60_000);
});
