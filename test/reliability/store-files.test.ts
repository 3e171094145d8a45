import { execFileSync, spawn as spawnChild, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyStore } from '../../source/domain/schemas.js';
import { disposeWhenDone } from '../helpers/cleanup.js';
import { BIN, spawn } from '../helpers/pty.js';
import { cleanEnv, fingerprint, instance, storeWith } from '../commands/helpers.js';
import { sleep, tempDir, writeStore } from './helpers.js';

/**
 * Stores the file system will not let posture have: a read-only folder or file system, /sys, a
 * parent that is a file, a FIFO or a device, a mistyped path. Each gets one line naming the path
 * and why, exit 2, in a few seconds, and the store (if any) byte for byte as it was.
 */

interface Ended {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Still running after `timeoutMs`: it was sent SIGTERM, then SIGKILL. */
  hung: boolean;
  /** It hung, and SIGTERM did not end it either. */
  deafToSigterm: boolean;
}

/** Run the built program, ended (SIGTERM, then SIGKILL) if it has not exited in `timeoutMs`. */
function program(
  args: string[],
  o: { dir: string; uid?: number; timeoutMs?: number; env?: Record<string, string> },
): Promise<Ended> {
  if (!existsSync(BIN)) throw new Error('build first: npm run build');
  return new Promise((resolve, reject) => {
    const child = spawnChild(process.execPath, [BIN, ...args], {
      cwd: o.dir,
      env: cleanEnv(o.dir, o.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(o.uid === undefined ? {} : { uid: o.uid, gid: o.uid }),
    });
    disposeWhenDone(() => child.exitCode === null && child.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let hung = false;
    let deafToSigterm = false;
    const term = setTimeout(() => {
      hung = true;
      child.kill('SIGTERM');
      kill = setTimeout(() => {
        deafToSigterm = true;
        child.kill('SIGKILL');
      }, 2_000);
    }, o.timeoutMs ?? 8_000);
    let kill: NodeJS.Timeout | undefined;
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(term);
      clearTimeout(kill);
      resolve({ code, stdout, stderr, hung, deafToSigterm });
    });
  });
}

/** One line on stderr, exit 2, nothing on stdout, no stack trace, and no hang. */
function expectOneLine(r: Ended, line: RegExp | string): void {
  expect(r.hung).toBe(false);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(r.stderr.endsWith('\n')).toBe(true);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  if (typeof line === 'string') expect(r.stderr).toContain(line);
  else expect(r.stderr).toMatch(line);
  expect(r.code).toBe(2);
}

const READS: [string, string[]][] = [
  ['status', ['status']],
  ['status --json', ['status', '--json']],
  ['export', ['export', '--format', 'json']],
  ['check', ['check', '--min-score', '50']],
  ['instances', ['instances']],
  ['doctor', ['doctor']],
  ['posture without a terminal', []],
];

const WRITES: [string, string[]][] = [
  ['poll', ['poll', '--once']],
  [
    'connect',
    ['connect', 'okta', '--name', 'Okta X', '--url', 'https://x.okta.com', '--token-env', 'T', '--no-check'],
  ],
];

describe('a mistyped --store given to a command that reads', () => {
  it.each(READS)('%s: "no store at PATH", exit 2, and nothing created', async (_what, args) => {
    const dir = tempDir();
    const store = join(dir, 'typo', 'store.json');
    const r = await program([...args, '--store', store], { dir });
    expectOneLine(r, `posture: no store at ${store} (posture connect creates one)`);
    expect(existsSync(join(dir, 'typo'))).toBe(false);
  });

  it('with $POSTURE_STORE too, and a missing file in an existing folder: not even a lock is left', async () => {
    const dir = tempDir();
    const store = join(dir, 'stroe.json');
    const r = await program(['check', '--min-score', '1'], { dir, env: { POSTURE_STORE: store } });
    expectOneLine(r, `no store at ${store}`);
    expect(readdirSync(dir).filter((f) => f.startsWith('stroe'))).toEqual([]);
  });

  it('a command that writes still creates it, folders and all', async () => {
    const dir = tempDir();
    const store = join(dir, 'new', 'folder', 'store.json');
    const r = await program([...WRITES[1]![1], '--store', store], { dir });
    expect(r.code).toBe(0);
    expect(existsSync(store)).toBe(true);
  });
});

describe('a store where the file system allows none', () => {
  const cases: [string, () => string, RegExp][] = [
    // sysfs lets nobody create a file, root included (EACCES; EROFS where it is mounted read-only).
    [
      '/sys/posture.json',
      () => '/sys/posture.json',
      /permission denied \(EACCES\)|\(EROFS\)|operation not permitted \(EPERM\)/,
    ],
    [
      'a path whose parent is a file',
      () => {
        const file = join(tempDir(), 'file');
        writeFileSync(file, 'not a folder');
        return join(file, 'store.json');
      },
      /not a folder \(ENOTDIR\)/,
    ],
  ];
  it.each(cases)('%s: one line naming the path and why, for every command', async (_what, path, reason) => {
    const store = path();
    for (const [, args] of WRITES) {
      const r = await program([...args, '--store', store], { dir: tempDir() });
      expectOneLine(r, `posture: store ${store}: `);
      expect(r.stderr).toMatch(reason);
    }
    for (const [, args] of READS) {
      const r = await program([...args, '--store', store], { dir: tempDir() });
      expectOneLine(r, store);
    }
  });

  it('/sys/posture.json in the console: one line, no stack trace drawn', async () => {
    const session = spawn(['--store', '/sys/posture.json']);
    expect(await session.exit).toBe(2);
    await sleep(100);
    const screen = session.screen().trim();
    expect(screen).toContain('posture: store /sys/posture.json: ');
    expect(screen).toMatch(/EACCES|EROFS|EPERM/);
    expect(session.raw()).not.toMatch(/internal error|posture\.mjs:\d+/);
  });

  it('a demo workspace whose folder cannot be made: one line', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'data'), 'a file where the XDG data folder should be');
    const r = await program(['status', '--demo'], { dir });
    expectOneLine(r, `posture: store ${join(dir, 'data', 'posture', 'demo.json')}: `);
  });
});

/**
 * Root is not stopped by permission bits: as root, the program runs as nobody (uid 65534), so
 * a folder of mode 0500 denies it for real.
 */
describe('a store in a folder the user cannot write (EACCES)', () => {
  const root = process.getuid?.() === 0;
  function readOnlyFolder(): { dir: string; store: string; before: string } {
    const dir = tempDir();
    chmodSync(dir, 0o755); // nobody must reach the folder inside
    const folder = join(dir, 'ro');
    mkdirSync(folder);
    const store = join(folder, 'store.json');
    writeStore(store, storeWith([instance('a', { baseUrl: 'https://127.0.0.1:9' })]));
    if (root) {
      chownSync(folder, 65534, 65534);
      chownSync(store, 65534, 65534);
    }
    chmodSync(folder, 0o500);
    return { dir, store, before: fingerprint(store) };
  }
  const as = root ? { uid: 65534 } : {};

  it.each(WRITES)('%s: one line, the store untouched, no lock or temporary file left', async (_w, args) => {
    const t = readOnlyFolder();
    const r = await program([...args, '--store', t.store], { dir: t.dir, ...as });
    expectOneLine(r, `posture: store ${t.store}: cannot be opened: permission denied (EACCES)`);
    expect(fingerprint(t.store)).toBe(t.before);
    expect(readdirSync(join(t.dir, 'ro'))).toEqual(['store.json']);
  });

  it.each(READS.filter(([w]) => w !== 'doctor'))(
    '%s reads it: a command that only reads takes no lock',
    async (_w, args) => {
      const t = readOnlyFolder();
      const r = await program([...args, '--store', t.store], { dir: t.dir, ...as });
      expect(r.stderr).toBe('');
      expect([0, 1]).toContain(r.code); // check: below the minimum is 1
      expect(fingerprint(t.store)).toBe(t.before);
    },
  );

  it('a store file the user cannot read: one line', async () => {
    const t = readOnlyFolder();
    chmodSync(t.store, 0o000);
    const r = await program(['status', '--store', t.store], { dir: t.dir, ...as });
    expectOneLine(r, `posture: store ${t.store}: cannot be read: permission denied (EACCES)`);
    expect(fingerprint(t.store)).toBe(t.before);
  });
});

/** A real read-only file system (EROFS): a read-only bind mount, in a mount namespace of its own. */
const canMount =
  process.platform === 'linux' &&
  spawnSync('unshare', ['-m', 'sh', '-c', 'mount --bind /tmp /mnt'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!canMount)('a store on a read-only file system (EROFS)', () => {
  /** Run the program with `folder` remounted read-only, in its own mount namespace. */
  function onReadOnly(folder: string, args: string[], dir: string): Ended {
    const script = `mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" "$1" && shift && exec "$@"`;
    const r = spawnSync('unshare', ['-m', 'sh', '-c', script, 'sh', folder, process.execPath, BIN, ...args], {
      cwd: dir,
      env: cleanEnv(dir),
      encoding: 'utf8',
      timeout: 10_000,
    });
    return {
      code: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      hung: r.error !== undefined,
      deafToSigterm: false,
    };
  }

  it('poll, connect and the first use of a new store: one line each, the store untouched', () => {
    const dir = tempDir();
    const folder = join(dir, 'ro');
    mkdirSync(folder);
    const store = join(folder, 'store.json');
    writeStore(store, storeWith([instance('a', { baseUrl: 'https://127.0.0.1:9' })]));
    const before = fingerprint(store);
    for (const [, args] of WRITES) {
      const r = onReadOnly(folder, [...args, '--store', store], dir);
      expectOneLine(r, `posture: store ${store}: cannot be opened: read-only file system (EROFS)`);
    }
    const fresh = join(folder, 'sub', 'store.json');
    const r = onReadOnly(folder, [...WRITES[1]![1], '--store', fresh], dir);
    expectOneLine(
      r,
      `posture: store ${fresh}: cannot create its folder ${join(folder, 'sub')}: read-only file system (EROFS)`,
    );
    // Reading needs no write.
    const status = onReadOnly(folder, ['status', '--json', '--store', store], dir);
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(fingerprint(store)).toBe(before);
    expect(readdirSync(folder)).toEqual(['store.json']);
  });
});

describe('a FIFO or a device as --store', () => {
  function fifo(): string {
    const path = join(tempDir(), 'store.fifo');
    execFileSync('mkfifo', [path]);
    return path;
  }
  const targets: [string, () => string, string][] = [
    ['a FIFO', fifo, 'is a FIFO, not a regular file'],
    ['/dev/null', () => '/dev/null', 'is a character device, not a regular file'],
    ['/dev/zero', () => '/dev/zero', 'is a character device, not a regular file'],
  ];
  it.each(targets)(
    '%s: refused at once by every command, nothing created beside it',
    async (_w, path, says) => {
      const store = path();
      for (const [, args] of [...READS, ...WRITES]) {
        const r = await program([...args, '--store', store], { dir: tempDir(), timeoutMs: 5_000 });
        expect(r.deafToSigterm).toBe(false);
        expectOneLine(r, `posture: store ${store}: cannot be opened: ${says}`);
        expect(existsSync(`${store}.lock`)).toBe(false);
      }
    },
  );

  it('a FIFO in the console: one line, exit 2', async () => {
    const store = fifo();
    const session = spawn(['--store', store], { cols: 200 });
    const code = await Promise.race([session.exit, sleep(8_000).then(() => 'hung')]);
    expect(code).toBe(2);
    await sleep(100);
    expect(session.screen()).toContain('is a FIFO, not a regular file');
  });
});

describe('a FIFO or a device as --keys', () => {
  it.each([
    ['a FIFO', 'fifo', 'is a FIFO, not a regular file'],
    ['/dev/zero', '/dev/zero', 'is a character device, not a regular file'],
    ['/dev/null', '/dev/null', 'is a character device, not a regular file'],
  ])('%s: the console says so in one line and exits 2', async (_w, which, says) => {
    const dir = tempDir();
    const keys = which === 'fifo' ? join(dir, 'keys.fifo') : which;
    if (which === 'fifo') execFileSync('mkfifo', [keys]);
    const store = join(dir, 'store.json');
    writeStore(store, emptyStore());
    const session = spawn(['--keys', keys, '--store', store], { cols: 200 });
    const code = await Promise.race([session.exit, sleep(8_000).then(() => 'hung')]);
    expect(code).toBe(2);
    await sleep(100);
    expect(session.screen()).toContain(`posture: key bindings ${keys}: cannot be read: ${says}`);
  });
});
