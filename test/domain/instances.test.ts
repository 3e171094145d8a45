import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type AddValues,
  commitCreation,
  createInstance,
  type NewInstance,
  validateAdd,
} from '../../source/domain/instances.js';
import { emptyStore } from '../../source/domain/schemas.js';
import { instance } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp.js';

/** A file with the given mode, in a fresh directory. */
function file(name: string, mode: number, text = 'secret-token\n'): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

const good = { app: 'okta', name: 'Okta B', url: 'https://b.okta.com' };
const check = (values: AddValues) => {
  const r = validateAdd(values, emptyStore(), { stat: statSync });
  return 'error' in r ? r.error : r.instance;
};

describe('validateAdd: token and CA files', () => {
  it('takes a token file of mode 0600 and a CA file, and returns them as the credential and caFile', () => {
    const token = file('okta.token', 0o600);
    const ca = file('ca.pem', 0o644, '-----BEGIN CERTIFICATE-----\n');
    expect(check({ ...good, tokenFile: token, caFile: ca })).toMatchObject({
      credential: { kind: 'file', path: token },
      caFile: ca,
    });
    // 0400 is stricter than 0600: fine.
    expect(check({ ...good, tokenFile: file('ro.token', 0o400) })).toMatchObject({
      credential: { kind: 'file' },
    });
    // Without a CA file the instance has none (not an empty one).
    expect(check({ ...good, variable: 'B_TOKEN' })).not.toHaveProperty('caFile');
  });

  it('refuses a token file others can read, naming its mode', () => {
    const token = file('okta.token', 0o644);
    expect(check({ ...good, tokenFile: token })).toBe(
      `Token file: ${token} must be mode 0600 or stricter (it is 0644)`,
    );
    expect(check({ ...good, tokenFile: file('g.token', 0o640) })).toMatch(/\(it is 0640\)$/);
  });

  it('refuses a token file or a CA file that does not exist', () => {
    const dir = tempDir();
    expect(check({ ...good, tokenFile: join(dir, 'none.token') })).toBe(
      `Token file: ${join(dir, 'none.token')} does not exist`,
    );
    expect(check({ ...good, variable: 'B_TOKEN', caFile: join(dir, 'none.pem') })).toBe(
      `CA file: ${join(dir, 'none.pem')} does not exist`,
    );
  });

  it('refuses a directory, a relative path, and a variable and a file both', () => {
    const dir = tempDir();
    expect(check({ ...good, tokenFile: dir })).toBe(`Token file: ${dir} is not a file`);
    expect(check({ ...good, variable: 'B_TOKEN', caFile: 'ca.pem' })).toBe(
      'CA file: ca.pem is not an absolute path',
    );
    expect(check({ ...good, variable: 'B_TOKEN', tokenFile: file('t', 0o600) })).toBe(
      'Token file: give a token variable or a token file, not both',
    );
  });

  it('says why a file cannot be looked at when it is not missing', () => {
    const denied = () => {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    };
    const r = validateAdd({ ...good, tokenFile: '/secret/okta.token' }, emptyStore(), { stat: denied });
    expect('error' in r && r.error).toBe('Token file: /secret/okta.token cannot be read (EACCES)');
  });
});

const draft: NewInstance = {
  app: 'okta',
  name: 'Okta Contoso EU',
  baseUrl: 'https://contoso-eu.okta.com',
  credential: { kind: 'env', variable: 'OKTA_EU_TOKEN' },
  options: {},
  recommendations: false,
  pollIntervalMinutes: 60,
};
const now = new Date('2026-11-23T10:00:00.000Z');
/** A random source that says the given suffixes in turn, then the last one forever. */
const saying =
  (...suffixes: string[]) =>
  () =>
    suffixes.length > 1 ? suffixes.shift()! : suffixes[0]!;

describe('validateAdd: a token given where its variable’s name belongs', () => {
  const secret = 'ghp_Canary0123456789abcdef';
  const env = { GH_TOKEN: secret, HOME: '/home/me' };
  const withEnv = (variable: string) => {
    const r = validateAdd({ ...good, variable }, emptyStore(), { env });
    return 'error' in r ? r : r.instance.credential;
  };

  it('is refused, marked as a secret, and not repeated', () => {
    const r = withEnv(secret);
    expect(r).toEqual({
      field: 'variable',
      message:
        'takes the name of an environment variable (e.g. OKTA_TOKEN), not its value; the value given was not stored',
      error:
        'Token variable: takes the name of an environment variable (e.g. OKTA_TOKEN), not its value; the value given was not stored',
      secret: true,
    });
    expect(JSON.stringify(r)).not.toContain(secret);
    expect(withEnv(`  ${secret} `)).toMatchObject({ secret: true }); // pasted with spaces around
  });

  it('takes the name, a name that is also some value when it names a variable, and short text', () => {
    expect(withEnv('GH_TOKEN')).toEqual({ kind: 'env', variable: 'GH_TOKEN' });
    const r = validateAdd({ ...good, variable: 'GH_TOKEN_LONGER' }, emptyStore(), {
      env: { GH_TOKEN_LONGER: 'x', OTHER: 'GH_TOKEN_LONGER' },
    });
    expect('instance' in r).toBe(true);
    expect(validateAdd({ ...good, variable: 'T' }, emptyStore(), { env: { A: 'T' } })).toHaveProperty(
      'instance',
    );
  });
});

describe('createInstance', () => {
  it('makes an id no instance has: a suffix that repeats is drawn again', () => {
    const doc = structuredClone(emptyStore());
    doc.instances.push(instance('okta-contoso-eu-aaaaaa'));
    const c = createInstance(draft, doc, { recommendations: false, now, suffix: saying('aaaaaa', 'bbbbbb') });
    expect(c.instance.id).toBe('okta-contoso-eu-bbbbbb');
    expect(c.instance).toMatchObject({ ...draft, createdAt: now.toISOString() });
  });

  it('ends even when the random source only repeats, numbering the id instead', () => {
    const doc = structuredClone(emptyStore());
    doc.instances.push(instance('okta-contoso-eu-aaaaaa'), instance('okta-contoso-eu-2'));
    const c = createInstance(draft, doc, { recommendations: false, now, suffix: saying('aaaaaa') });
    expect(c.instance.id).toBe('okta-contoso-eu-3');
  });

  it('in single-instance mode makes the new instance its app’s Secure Score instance, on or off', () => {
    for (const recommendations of [true, false]) {
      const doc = structuredClone(emptyStore());
      doc.settings.instanceMode = 'single';
      // An id left from an instance of the app that is not there any more does not hold the place.
      doc.settings.secureScoreInstance.okta = 'gone';
      const c = createInstance(draft, doc, { recommendations, now, suffix: saying('cccccc') });
      expect(c).toMatchObject({ secureScoreInstance: true, instance: { recommendations } });
      commitCreation(doc, c);
      expect(doc.settings.secureScoreInstance.okta).toBe('okta-contoso-eu-cccccc');
      expect(doc.instances.map((i) => i.id)).toEqual(['okta-contoso-eu-cccccc']);
    }
  });

  it('in multiple-instance mode leaves the settings alone', () => {
    const doc = structuredClone(emptyStore());
    const c = createInstance(draft, doc, { recommendations: true, now, suffix: saying('dddddd') });
    expect(c.secureScoreInstance).toBe(false);
    commitCreation(doc, c);
    expect(doc.settings.secureScoreInstance).toEqual({});
    expect(doc.instances).toHaveLength(1);
  });
});
