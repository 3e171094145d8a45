import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { COMMAND_NAMES as COMMANDS } from '../../source/commands/spec.js';
import {
  BACKENDS,
  cli,
  exists,
  fingerprint,
  instance,
  runIn,
  seed,
  snapshot,
  storeWith,
  tmp,
  workspace,
} from './helpers.js';

/** One line on stderr, nothing on stdout, exit 2. */
function expectUsageError(r: { code: number; stdout: string; stderr: string }, text?: string | RegExp) {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  expect(r.stderr).toMatch(/^posture: /);
  if (text) expect(r.stderr).toMatch(text);
}

describe('the command line of the built program', () => {
  it('prints its version', async () => {
    const t = tmp();
    const r = await cli(['--version'], t);
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('prints the overall help, naming every command, without touching a store', async () => {
    const t = tmp();
    const r = await cli(['--help', '--store', t.store], t);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(`posture ${c}`);
    expect(r.stdout).toContain('--store PATH');
    expect(existsSync(t.store)).toBe(false);
  });

  it.each([
    ['connect', ['--token-env VAR', '--org ORG', '--option key=value', 'permanent']],
    ['instances', ['--json']],
    ['poll', ['--once', '--instance N', 'ctrl-c']],
    ['status', ['--product P', '--instance N', '--limit N']],
    ['export', ['json', 'csv', 'sarif', 'markdown', '--output FILE']],
    ['check', ['--min-score PCT', 'Exit codes: 0 at or above']],
  ])('prints the help of %s', async (command, words) => {
    const t = tmp();
    const r = await cli([command, '--help'], t);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`posture ${command}`);
    for (const w of words) expect(r.stdout).toContain(w);
    const short = await cli([command, '-h'], t);
    expect(short.stdout).toBe(r.stdout);
  });
});

describe.each(BACKENDS)('the built program on $name', ({ backend }) => {
  it('without a terminal on stdout, `posture` prints the status instead of the console', async () => {
    const t = await workspace(backend);
    const r = await cli(['--demo', '--store', t.store], t);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Secure Score \d+\.\d%/);
    expect(r.stdout).toContain('Recommended action');
    expect(r.stdout).not.toContain('\u001b'); // no escape sequence: no console was drawn
    const json = await cli(['--demo', '--store', t.store, '--json'], t);
    expect(JSON.parse(json.stdout).score.current.percent).toBeGreaterThan(0);
  });

  it('honours $POSTURE_STORE when --store is not given', async () => {
    const t = await workspace(backend);
    await seed(t.store, storeWith([instance('a')]));
    const r = await cli(['instances'], { ...t, env: { POSTURE_STORE: t.store } });
    expect(r.stdout).toContain('Okta a');
  });
});

describe.each(BACKENDS)('bad input on $name: one line on stderr, exit 2, store untouched', ({ backend }) => {
  const READS_THE_STORE = new Set(['an unknown product', 'an unknown instance']);
  const cases: [string, string[], RegExp][] = [
    ['an unknown flag', ['status', '--frobnicate'], /unknown flag --frobnicate/],
    ['an unknown short flag', ['status', '-x'], /unknown flag -x/],
    ['an unknown command', ['frobnicate'], /unknown command "frobnicate"/],
    [
      'a flag of another command',
      ['status', '--format', 'csv'],
      /--format is not an option of posture status/,
    ],
    ['a flag given twice', ['status', '--product', 'okta', '--product', 'github'], /only be set once/],
    ['a flag without its value', ['status', '--instance'], /--instance needs a value/],
    ['an empty value', ['status', '--product='], /--product needs a value/],
    ['a stray argument', ['status', 'extra'], /unexpected argument "extra"/],
    ['a bad --limit', ['status', '--limit', 'many'], /--limit must be a whole number/],
    ['an unknown product', ['status', '--product', 'slack'], /unknown product "slack"/],
    ['an unknown instance', ['status', '--instance', 'Nope'], /unknown instance "Nope"/],
    [
      'an unknown app',
      ['connect', 'slack', '--name', 'S', '--url', 'https://s.example', '--token-env', 'T'],
      /unknown app "slack"/,
    ],
    [
      'a plain-http URL',
      ['connect', 'okta', '--name', 'O', '--url', 'http://o.example', '--token-env', 'T'],
      /--url: must use https/,
    ],
    [
      'a URL that is not one',
      ['connect', 'okta', '--name', 'O', '--url', 'okta', '--token-env', 'T'],
      /--url: must be an absolute URL/,
    ],
    [
      'a missing variable name',
      ['connect', 'okta', '--name', 'O', '--url', 'https://o.example'],
      /connect needs --token-env/,
    ],
    [
      'a bad variable name',
      ['connect', 'okta', '--name', 'O', '--url', 'https://o.example', '--token-env', 'MY-TOKEN'],
      /--token-env: must be an environment variable name/,
    ],
    ['a bad --format', ['export', '--format', 'xml'], /unknown format "xml"/],
    ['a missing --format', ['export'], /export needs --format/],
    ['a bad --min-score', ['check', '--min-score', 'high'], /--min-score must be a percentage/],
    ['an out-of-range --min-score', ['check', '--min-score', '101'], /--min-score must be a percentage/],
    ['an unknown instance to poll', ['poll', '--once', '--instance', 'Nope'], /unknown instance "Nope"/],
  ];

  it.each(cases)('%s', async (what, args, message) => {
    const t = await workspace(backend);
    // Once with no store at all (it must not be created), once with a store (its bytes must not change).
    const none = await cli([...args, '--store', t.store], t);
    // What only the store can tell (an instance's name) is checked once it is open; a command that
    // only reads finds no store first.
    expectUsageError(
      none,
      READS_THE_STORE.has(what) ? /^posture: no store at .*(store\.json|\/t_\w+) \(posture connect/ : message,
    );
    expect(await exists(t.store)).toBe(false);
    await seed(t.store, storeWith([instance('a')]));
    const before = await snapshot(t.store);
    const some = await cli([...args, '--store', t.store], t);
    expectUsageError(some, message);
    expect(await snapshot(t.store)).toBe(before);
    if (backend === 'file') expect(existsSync(`${t.store}.lock`)).toBe(false); // a database has no lock file
  });

  // File only: JSON is the file's format.
  it.runIf(backend === 'file')('a store that is not valid JSON is reported and left as it is', async () => {
    const t = tmp();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(t.store, '{"version": 1, "instances": [');
    const before = fingerprint(t.store);
    for (const args of [['status'], ['check', '--min-score', '50'], ['export', '--format', 'json']]) {
      const r = await cli([...args, '--store', t.store], t);
      expectUsageError(r, /is not valid JSON.*left untouched/);
    }
    expect(fingerprint(t.store)).toBe(before);
  });
});

describe('bad input in-process', () => {
  it('the same errors come back in-process, through run(), with the same words', async () => {
    const t = tmp();
    const r = await runIn(['status', '--bogus', '--store', t.store], t);
    expectUsageError(r, 'unknown flag --bogus');
    const help = await runIn(['export', '--help'], t);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('posture export --format');
    expect(existsSync(join(t.dir, 'data'))).toBe(false);
  });
});
