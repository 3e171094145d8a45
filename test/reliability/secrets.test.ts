import { randomBytes } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../source/catalog/index.js';
import { CredentialError, resolveSecret } from '../../source/connectors/credentials.js';
import { redact } from '../../source/connectors/http.js';
import { CONNECTORS } from '../../source/connectors/registry.js';
import { InstanceSchema } from '../../source/domain/schemas.js';
import { pollInstances } from '../../source/poller/poller.js';
import type { Simulator } from '../../source/simulator/server.js';
import { VENDOR_SIMS } from '../../source/simulator/vendors.js';
import { FileStore } from '../../source/store/store.js';
import { sanitize } from '../../source/text/sanitize.js';
import { keys, spawn } from '../helpers/pty.js';
import { instanceFor, simulate, startSim } from '../helpers/sim.js';
import { cli } from '../commands/helpers.js';
import { docFor, envFor, oktaCopy, oktaEu, selfSignedCert, tempDir, writeStore } from './helpers.js';

const catalog = loadCatalog();

describe('credentials', () => {
  it('come from an environment variable, never echoed when missing', () => {
    expect(resolveSecret({ kind: 'env', variable: 'T' }, { T: ' s3cret-value \n' })).toBe('s3cret-value');
    expect(() => resolveSecret({ kind: 'env', variable: 'T' }, {})).toThrow(
      /^environment variable T is not set$/,
    );
  });

  it.each([
    [0o600, true],
    [0o400, true],
    [0o640, false],
    [0o644, false],
    [0o604, false],
    [0o660, false],
  ])('a credentials file of mode %o is %s', (mode, accepted) => {
    const file = join(tempDir(), 'token');
    writeFileSync(file, 'file-secret-9Qw\n');
    chmodSync(file, mode);
    if (accepted) expect(resolveSecret({ kind: 'file', path: file })).toBe('file-secret-9Qw');
    else {
      const err = (() => {
        try {
          resolveSecret({ kind: 'file', path: file });
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err).toBeInstanceOf(CredentialError);
      expect(err?.message).toBe(
        `credentials file ${file} must be mode 0600 (it is ${mode.toString(8).padStart(3, '0')})`,
      );
      expect(err?.message).not.toContain('file-secret');
    }
  });

  it('a poll with a readable-by-others credentials file is refused before any request', async () => {
    const t = oktaCopy('okta-file-cred');
    const sim = await simulate([t]);
    const dir = tempDir();
    const tokenFile = join(dir, 'okta.token');
    writeFileSync(tokenFile, t.token, { mode: 0o644 });
    chmodSync(tokenFile, 0o644);
    const doc = docFor(sim, [t], { credential: { kind: 'file', path: tokenFile } });
    writeStore(join(dir, 'store.json'), doc);
    const store = await FileStore.open(join(dir, 'store.json'));
    await pollInstances([t.id], { store, catalog, connectors: CONNECTORS, env: {} });
    expect(store.doc.instances[0]?.lastPoll?.error).toMatch(/must be mode 0600 \(it is 644\)/);
    expect(sim.log).toHaveLength(0);
    chmodSync(tokenFile, 0o600);
    await pollInstances([t.id], { store, catalog, connectors: CONNECTORS, env: {} });
    expect(store.doc.instances[0]?.lastPoll?.outcome).toBe('ok');
    store.close();
  });
});

describe('a canary token', () => {
  it('never reaches the store, its last good copy, the output, an error message or the screen', async () => {
    const canaryEnv = `canary-env-${randomBytes(6).toString('hex')}`;
    const canaryFile = `canary-file-${randomBytes(6).toString('hex')}`;
    const fromEnv = oktaCopy('okta-canary-env', { token: canaryEnv });
    const fromFile = oktaCopy('okta-canary-file', { token: canaryFile });
    // The vendor echoes the token in data, too: a policy named after it.
    for (const t of [fromEnv, fromFile])
      (t.data.policies as { name: string }[])[0]!.name = `Echo ${t.token} policy`;
    const tenants = [fromEnv, fromFile];
    const sim = await simulate(tenants);
    const dir = tempDir();
    const file = join(dir, 'store.json');
    const tokenFile = join(dir, 'okta.token');
    writeFileSync(tokenFile, canaryFile, { mode: 0o600 });
    const doc = docFor(sim, tenants);
    doc.instances[1]!.credential = { kind: 'file', path: tokenFile };
    writeStore(file, doc);
    const env = envFor([fromEnv]);
    const outputs: string[] = [];

    // A clean poll: the echoed name is stored redacted.
    const ok = await cli(['poll', '--once', '--store', file], { dir: tempDir(), env });
    expect(ok.code).toBe(0);
    outputs.push(ok.stdout, ok.stderr);
    expect(readFileSync(file, 'utf8')).toContain('Echo [redacted] policy');

    // Then the vendor echoes the Authorization header in its error bodies.
    sim.faults.add({
      kind: 'status',
      status: 400,
      message: 'bad header "{authorization}"',
      path: '/policies',
    });
    sim.faults.add({
      kind: 'status',
      status: 500,
      message: 'upstream saw {authorization}',
      path: '/api-tokens',
    });
    for (const args of [['poll', '--once'], ['poll', '--once', '--json'], ['status'], ['status', '--json']]) {
      const r = await cli([...args, '--store', file], { dir: tempDir(), env });
      outputs.push(r.stdout, r.stderr);
    }
    expect(outputs.join('\n')).toContain('Okta 400: Api validation failed: bad header "SSWS [redacted]"');

    // The console shows the instances and the last error.
    sim.faults.clear();
    sim.faults.add({ kind: 'status', status: 401, message: '{authorization} revoked' });
    const session = spawn(['--store', file], { env, cols: 160 });
    await session.waitFor('Connected apps');
    await keys(session, '\r');
    await session.waitFor('Okta · instances');
    await keys(session, 'r');
    await session.waitFor(/failed: Okta 401: Api validation failed: SSWS \[redacted\] revoked/);
    await keys(session, '3');
    await session.waitFor('Recommended actions');
    await keys(session, '\r');
    await session.waitFor('Evidence');
    await keys(session, 'q');
    await session.exit;
    outputs.push(session.raw());

    const files = readdirSync(dir).map((f) => join(dir, f));
    expect(files).toContain(`${file}.bak`);
    for (const canary of [canaryEnv, canaryFile]) {
      for (const f of files.filter((f) => f !== tokenFile))
        expect(readFileSync(f, 'utf8'), `${f} holds the token`).not.toContain(canary);
      for (const o of outputs) expect(o).not.toContain(canary);
    }
    // The tokens were really sent, and echoed: the redaction is what kept them out.
    expect(new Set(sim.log.map((r) => r.headers.authorization))).toEqual(
      new Set([`SSWS ${canaryEnv}`, `SSWS ${canaryFile}`]),
    );
  }, 30_000);
});

/**
 * A token echoed with something invisible inside it: a zero-width or bidi character, an escape
 * sequence. Redacting the raw text misses it; sanitizing for the screen makes it whole again.
 */
const splits = (token: string): { name: string; text: string }[] => {
  const [a, b] = [token.slice(0, 7), token.slice(7)];
  return [
    { name: 'zero-width space', text: `${a}\u200b${b}` },
    { name: 'SGR reset', text: `${a}\u001b[0m${b}` },
    { name: 'OSC title', text: `${a}\u001b]0;x\u0007${b}` },
    { name: 'bidi marks', text: `${a}\u200e\u202e${b}\u202c` },
    { name: 'soft hyphen and BOM', text: `${a}\u00ad\ufeff${b}` },
    { name: '8-bit CSI', text: `${a}\u009b2J${b}` },
  ];
};

/** Whether `text` shows `secret` whole: as it is, once sanitized, or in any string of it read as JSON. */
function shows(text: string, secret: string): boolean {
  const forms = [text, sanitize(text), sanitize(text, { multiline: true })];
  try {
    const strings: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') strings.push(v, sanitize(v), sanitize(v, { multiline: true }));
      else if (v && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) {
          walk(k);
          walk(x);
        }
    };
    walk(JSON.parse(text));
    forms.push(...strings);
  } catch {}
  return forms.some((f) => f.includes(secret));
}

describe('redaction, after sanitizing and before', () => {
  const token = 'tok-Canary-0123456789';

  it.each(splits(token))('a token split by a $name is redacted', ({ text }) => {
    const out = redact(`seen "${text}" here`, [token]);
    expect(shows(out, token)).toBe(false);
    expect(sanitize(out)).toBe('seen "[redacted]" here');
  });

  it('a text that shows no token is left as it was, invisible characters and all', () => {
    const text = 'Policy \u200b\u001b[31mred\u001b[0m, not the token';
    expect(redact(text, [token])).toBe(text);
    expect(redact(`plain ${token}`, [token])).toBe('plain [redacted]');
  });

  it('a secret with a character the sanitizer changes is redacted in both forms', () => {
    const secret = 'pass\tword-with-a-tab';
    expect(redact(`x ${secret} y`, [secret])).toBe('x [redacted] y');
    expect(redact(sanitize(`x ${secret} y`), [secret])).toBe('x [redacted] y');
  });
});

describe('a canary token split by invisible characters', () => {
  it('never shows whole in the store, an output, an export or the screen', async () => {
    const canary = `canary-${randomBytes(6).toString('hex')}`;
    const t = oktaCopy('okta-canary-split', { token: canary });
    const hidden = splits(canary);
    // The vendor echoes the token in data: policies named after it, each split another way.
    const policies = t.data.policies as { name: string }[];
    hidden.forEach((h, i) => {
      if (policies[i]) policies[i].name = `Echo ${h.text} policy`;
    });
    const sim = await simulate([t]);
    const dir = tempDir();
    const file = join(dir, 'store.json');
    writeStore(file, docFor(sim, [t]));
    const env = envFor([t]);
    const outputs: { what: string; text: string }[] = [];
    const run = async (...args: string[]) => {
      const r = await cli([...args, '--store', file], { dir: tempDir(), env });
      outputs.push(
        { what: args.join(' '), text: r.stdout },
        { what: `${args.join(' ')} (stderr)`, text: r.stderr },
      );
      return r;
    };

    expect((await run('poll', '--once')).code).toBe(0);
    // The echoes were read and stored, redacted.
    expect(sanitize(readFileSync(file, 'utf8'))).toContain('Echo [redacted] policy');
    for (const args of [['status'], ['status', '--json'], ['instances', '--json']]) await run(...args);
    for (const format of ['json', 'csv', 'sarif', 'markdown']) await run('export', '--format', format);

    // Then it echoes the Authorization header, split, in its error bodies.
    for (const h of hidden.slice(0, 2))
      sim.faults.add({
        kind: 'status',
        status: 400,
        message: `bad header "SSWS ${h.text}"`,
        path: '/policies',
      });
    sim.faults.add({
      kind: 'status',
      status: 500,
      message: `upstream saw ${hidden[2]!.text}`,
      path: '/api-tokens',
    });
    for (const args of [
      ['poll', '--once'],
      ['poll', '--once', '--json'],
      ['status'],
      ['instances'],
      ['doctor'],
    ])
      await run(...args);
    await run('doctor', '--json');
    await run('check', '--min-score', '50');
    expect(outputs.map((o) => sanitize(o.text)).join('\n')).toMatch(
      /Api validation failed: bad header "SSWS \[redacted\]"/,
    );

    // The console: the last error in the drawer, the evidence of an action.
    sim.faults.clear();
    sim.faults.add({ kind: 'status', status: 401, message: `${hidden[3]!.text} revoked` });
    const session = spawn(['--store', file], { env, cols: 160 });
    await session.waitFor('Connected apps');
    await keys(session, '\r');
    await session.waitFor('Okta · instances');
    await keys(session, 'r');
    await session.waitFor(/failed: Okta 401: Api validation failed: \[redacted\] revoked/);
    outputs.push({ what: 'the drawer', text: session.screen() });
    await keys(session, '3');
    await session.waitFor('Recommended actions');
    for (let i = 0; i < 4; i++) {
      await keys(session, '\r');
      await session.waitFor('Evidence');
      outputs.push({ what: `action ${i + 1}`, text: session.screen() });
      await keys(session, '\u001b', 'j');
    }
    await keys(session, 'q');
    await session.exit;
    outputs.push({ what: 'the terminal', text: session.raw() });

    const files = readdirSync(dir).map((f) => join(dir, f));
    expect(files).toContain(`${file}.bak`);
    for (const f of files) expect(shows(readFileSync(f, 'utf8'), canary), `${f} holds the token`).toBe(false);
    for (const o of outputs) expect(shows(o.text, canary), `${o.what} shows the token`).toBe(false);
    // The token was really sent, and echoed: the redaction is what kept it out.
    expect(new Set(sim.log.map((r) => r.headers.authorization))).toEqual(new Set([`SSWS ${canary}`]));
  }, 60_000);
});

describe('TLS', () => {
  it('is always verified: a self-signed server fails clearly without the CA file, works with it', async () => {
    const dir = tempDir();
    const { key, cert, certFile } = selfSignedCert(dir);
    const other = selfSignedCert(tempDir());
    const t = oktaCopy('okta-tls');
    const sim = await startSim({ tenants: [t], vendors: VENDOR_SIMS, tls: { key, cert } });
    expect(sim.origin).toMatch(/^https:/);
    const file = join(dir, 'store.json');
    writeStore(file, docFor(sim, [t]));
    const store = await FileStore.open(file);
    const poll = async (caFile: string | undefined) => {
      await store.update((d) => {
        if (caFile) d.instances[0]!.caFile = caFile;
        else delete d.instances[0]!.caFile;
      });
      await pollInstances([t.id], { store, catalog, connectors: CONNECTORS, env: envFor([t]) });
      return store.doc.instances[0]!.lastPoll!;
    };
    const untrusted =
      /^Okta's TLS certificate at 127\.0\.0\.1:\d+ is not trusted \(.+\); if it is signed by a private CA, set the instance's CA file$/;

    expect((await poll(undefined)).error).toMatch(untrusted);
    expect((await poll(undefined)).error).toMatch(/self-signed certificate/);
    expect(sim.log).toHaveLength(0); // no request got through the handshake
    expect((await poll(other.certFile)).error).toMatch(untrusted);
    expect((await poll(join(dir, 'missing.pem'))).error).toMatch(
      /^the CA file .*missing\.pem cannot be read/,
    );
    // The environment's off switch does not turn verification off.
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    try {
      expect((await poll(undefined)).error).toMatch(untrusted);
    } finally {
      delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    }
    expect(await poll(certFile)).toMatchObject({ outcome: 'ok' });
    expect(store.doc.results[t.id]?.results.length).toBeGreaterThan(0);
    store.close();
  });

  it('has no way to turn verification off, and plain http only on loopback', () => {
    const sources: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true }))
        if (e.isDirectory()) walk(join(d, e.name));
        else if (/\.tsx?$/.test(e.name)) sources.push(join(d, e.name));
    };
    walk(join(import.meta.dirname, '..', '..', 'source'));
    expect(sources.length).toBeGreaterThan(20);
    for (const f of sources) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/rejectUnauthorized\s*:\s*([^,}\s]+)/g)) expect(m[1], f).toBe('true');
      expect(text, f).not.toMatch(
        /(env\.|\[['"`])NODE_TLS_REJECT_UNAUTHORIZED|checkServerIdentity|--insecure/,
      );
    }
    const base = instanceFor({ baseUrl: () => 'x' } as unknown as Simulator, oktaEu);
    expect(InstanceSchema.safeParse({ ...base, baseUrl: 'http://okta.example.com' }).success).toBe(false);
    expect(InstanceSchema.safeParse({ ...base, baseUrl: 'http://127.0.0.1:8080/x' }).success).toBe(true);
  });
});
