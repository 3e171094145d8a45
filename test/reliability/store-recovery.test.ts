import { spawn as spawnChild } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreDocSchema } from '../../source/domain/schemas.js';
import { FileStore, StoreError } from '../../source/store/store.js';
import { instance } from '../helpers/fixtures.js';
import { lockHolders } from '../helpers/lock.js';
import { BIN, keys, spawn } from '../helpers/pty.js';
import { simulate } from '../helpers/sim.js';
import { cli } from '../commands/helpers.js';
import { docFor, envFor, oktaEu, sleep, tempDir, writeStore } from './helpers.js';

/** A corrupt store is refused and kept, with its last good copy; two programs share a store safely. */

/** A store with two commits, so a last good copy (`.bak`) sits beside it. */
async function storeWithBackup(): Promise<string> {
  const file = join(tempDir(), 'store.json');
  const s = await FileStore.open(file);
  await s.update((d) => {
    d.instances.push(instance('a', { baseUrl: 'https://a.okta.com' }));
  });
  await s.update((d) => {
    d.instances.push(instance('b', { baseUrl: 'https://b.okta.com' }));
  });
  s.close();
  return file;
}

const CORRUPTIONS: [string, (good: string) => string, RegExp][] = [
  ['cut in the middle of a write', (good) => good.slice(0, Math.floor(good.length / 2)), /is not valid JSON/],
  ['emptied', () => '', /is not valid JSON/],
  ['binary garbage', () => '\u0000\u0001\u00ff\u001b]52;c;AAAA\u0007', /is not valid JSON/],
  [
    'valid JSON, wrong shape',
    (good) => good.replace('"https://a.okta.com"', '42'),
    /does not match the schema/,
  ],
  [
    'valid JSON, instances not a list',
    (good) => good.replace('"instances":[', '"instances":42,"moved":['),
    /does not match the schema at instances/,
  ],
  ['from a newer posture', (good) => good.replace(/"version":\d+/, '"version":7'), /newer than this posture/],
  [
    'of a version that never was',
    (good) => good.replace(/"version":\d+/, '"version":0'),
    /no migration from schema version 0/,
  ],
];

/** A store with a last good copy, then corrupted: its file and the bytes it now holds. */
async function corruptStore(corrupt: (good: string) => string) {
  const file = await storeWithBackup();
  const bytes = corrupt(readFileSync(file, 'utf8'));
  writeFileSync(file, bytes);
  return { file, bytes };
}

describe('a corrupt store', () => {
  it.each(CORRUPTIONS)(
    '%s: refused naming the file, left as it is, its last good copy kept',
    async (_what, corrupt, reason) => {
      const { file, bytes } = await corruptStore(corrupt);
      for (const args of [['status'], ['poll', '--once'], ['status', '--json']]) {
        const r = await cli([...args, '--store', file], { dir: tempDir() });
        expect(r.code).toBe(2);
        expect(r.stdout).toBe('');
        // One clear line: which file, what is wrong, that it was not touched, where the good copy is.
        const lines = r.stderr.trimEnd().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(`posture: store ${file}: `);
        expect(lines[0]).toMatch(reason);
        expect(lines[0]).toContain(`it was left untouched (the last good copy is ${file}.bak)`);
        expect(lines[0]).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/); // the file's bytes are not echoed raw
      }
      expect(readFileSync(file, 'utf8')).toBe(bytes);
      expect(existsSync(`${file}.lock`)).toBe(false);
      // The last good copy parses, validates and opens.
      const restored = join(tempDir(), 'restored.json');
      copyFileSync(`${file}.bak`, restored);
      StoreDocSchema.parse(JSON.parse(readFileSync(restored, 'utf8')));
      const s = await FileStore.open(restored, { readOnly: true });
      expect(s.doc.instances.map((i) => i.id)).toEqual(['a']);
      s.close();
    },
  );
});

describe('a corrupt store opened in the console', () => {
  it.each(CORRUPTIONS)(
    '%s: one clear line instead of the console, the file left as it is',
    async (_what, corrupt, reason) => {
      const { file, bytes } = await corruptStore(corrupt);
      const session = spawn(['--store', file]);
      expect(await session.exit).toBe(2);
      await sleep(100); // xterm parses what is left
      const screen = session.screen().trim();
      expect(screen).toContain(`posture: store ${file}: `);
      expect(screen).toMatch(reason);
      expect(screen).not.toContain('Connected apps'); // no console frame left behind
      expect(session.raw()).not.toMatch(/ERROR|posture\.mjs:\d+/); // nor a stack trace drawn on the way
      expect(readFileSync(file, 'utf8')).toBe(bytes);
      expect(existsSync(`${file}.lock`)).toBe(false);
    },
  );
});

describe('a store written by hand with only what the schema requires', () => {
  it('opens in the console with the defaults filled in, though its first frame is drawn before the check', async () => {
    const file = join(tempDir(), 'store.json');
    const { pollIntervalMinutes: _, options: __, recommendations: ___, ...bare } = instance('a');
    writeFileSync(file, JSON.stringify({ version: 1, instances: [{ ...bare, recommendations: true }] }));
    const session = spawn(['--store', file]);
    await session.waitFor('Enter open');
    expect(session.screen()).toContain('Okta');
    await keys(session, 'q');
    expect(await session.exit).toBe(0);
  });
});

describe('a commit that cannot be written', () => {
  it('fails loudly, as a store error naming the file, and leaves the document as it was, in memory too', async () => {
    const dir = tempDir();
    const file = join(dir, 'store.json');
    const s = await FileStore.open(file);
    await s.update((d) => {
      d.instances.push(instance('a', { baseUrl: 'https://a.okta.com' }));
    });
    rmSync(dir, { recursive: true }); // the directory is gone: the write must fail
    await expect(
      s.update((d) => {
        d.instances.push(instance('b', { baseUrl: 'https://b.okta.com' }));
      }),
    ).rejects.toThrow(new StoreError(file, 'cannot be written: no such file or folder (ENOENT)'));
    expect(s.doc.instances.map((i) => i.id)).toEqual(['a']);
    s.close();
  });
});

describe('two programs on one store', () => {
  it('the second opens read-only with a notice; a SIGKILLed holder’s lock is taken over', async () => {
    const sim = await simulate([oktaEu]);
    const file = join(tempDir(), 'store.json');
    writeStore(file, docFor(sim, [oktaEu]));
    const env = envFor([oktaEu]);

    // First: `posture poll` keeps polling and holds the store.
    const childEnv = { ...process.env, ...env };
    delete childEnv.CI;
    const first = spawnChild(process.execPath, [BIN, 'poll', '--store', file], {
      env: childEnv,
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => first.once('exit', (_code, signal) => resolve(signal)));
    const lockFile = `${file}.lock`;
    for (let i = 0; i < 200 && lockHolders(file).length === 0; i++) await sleep(25);
    expect(lockHolders(file)).toMatchObject([{ pid: first.pid, host: hostname() }]);

    // Second: the console, in a terminal, says it is read-only and why.
    const session = spawn(['--store', file], { env });
    await session.waitFor(new RegExp(`read-only: another posture \\(pid ${first.pid} on `));
    await keys(session, 'q');
    expect(await session.exit).toBe(0);
    // Quitting the reader left the writer's lock alone.
    expect(lockHolders(file)).toMatchObject([{ pid: first.pid }]);
    // A headless writer is refused too, in one line that names the lock.
    const refused = await cli(['poll', '--once', '--store', file], { dir: tempDir(), env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      new RegExp(`^posture: .*read-only.*pid ${first.pid}\\b.*; its lock is ${lockFile}\\n$`),
    );

    // The holder dies without releasing its lock.
    first.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(lockHolders(file)).toMatchObject([{ pid: first.pid }]);

    // The next program sees the holder is gone and takes over.
    const next = await cli(['poll', '--once', '--store', file], { dir: tempDir(), env });
    expect(next.stderr).toBe('');
    expect(next.stdout).toMatch(/^ok {5}Okta Contoso EU/);
    expect(next.code).toBe(0);
    expect(existsSync(lockFile)).toBe(false);
    const s = await FileStore.open(file, { readOnly: true });
    expect(s.doc.instances[0]?.lastPoll?.outcome).toBe('ok');
    s.close();
  });
});
