import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ConnectOptions, connect } from '../../source/commands/connect.js';
import { type IO, openContext } from '../../source/commands/context.js';
import { validateAdd as domainValidateAdd } from '../../source/domain/instances.js';
import { emptyStore } from '../../source/domain/schemas.js';
import { validateAdd } from '../../source/ui/controller.js';
import { runEffect } from '../../source/ui/effects.js';
import { openAny } from '../helpers/backends.js';
import {
  BACKENDS,
  cleanEnv,
  exists,
  instance,
  keptText,
  runIn,
  seed,
  Sink,
  snapshot,
  stored,
  storeWith,
  workspace,
} from './helpers.js';

/** `posture connect` with its four usual flags, and any others. */
const connectArgs = (
  app: string,
  name: string,
  url: string,
  tokenEnv: string,
  store: string,
  ...extra: string[]
) => ['connect', app, '--name', name, '--url', url, '--token-env', tokenEnv, '--store', store, ...extra];
const okta = (store: string, ...extra: string[]) =>
  connectArgs('okta', 'Okta Contoso EU', 'https://contoso-eu.okta.com/', 'OKTA_EU_TOKEN', store, ...extra);

describe.each(BACKENDS)('posture connect on $name', ({ backend }) => {
  it('adds an instance with recommendations off, storing the variable name only, and says it is permanent', async () => {
    const t = await workspace(backend);
    // Unchecked: the tenant is not reachable from the tests (the check has tests of its own).
    const r = await runIn(okta(t.store, '--no-check'), {
      ...t,
      env: { OKTA_EU_TOKEN: 'sekret-value-123456' },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Added Okta instance "Okta Contoso EU" \(id okta-contoso-eu-[0-9a-f]{6}\)/);
    expect(r.stdout).toContain('from $OKTA_EU_TOKEN');
    expect(r.stdout).toContain('Recommendations'.toLowerCase());
    expect(r.stdout).toContain('Off');
    expect(r.stdout).toContain('Adding an instance is permanent');
    const doc = await stored(t.store);
    expect(doc.instances).toHaveLength(1);
    expect(doc.instances[0]).toMatchObject({
      app: 'okta',
      name: 'Okta Contoso EU',
      baseUrl: 'https://contoso-eu.okta.com',
      credential: { kind: 'env', variable: 'OKTA_EU_TOKEN' },
      recommendations: false,
      pollIntervalMinutes: 60,
    });
    const kept = await keptText(t.store);
    expect(kept).toContain('OKTA_EU_TOKEN'); // what is kept is read: the name is there, not the value
    expect(kept).not.toContain('sekret-value-123456');
  });

  it('turns recommendations on with --on, and prints JSON with --json', async () => {
    const t = await workspace(backend);
    const r = await runIn(okta(t.store, '--on', '--json', '--no-check'), {
      ...t,
      env: { OKTA_EU_TOKEN: 'x' },
    });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      permanent: true,
      warnings: [],
      added: { app: 'okta', recommendations: true, counted: true, credential: { variable: 'OKTA_EU_TOKEN' } },
    });
    expect((await stored(t.store)).instances[0]?.recommendations).toBe(true);
  });

  it('warns on stderr when the variable is not set in this shell, and still stores it', async () => {
    const t = await workspace(backend);
    const r = await runIn(okta(t.store), t);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^posture: warning: \$OKTA_EU_TOKEN is not set in this shell/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect((await stored(t.store)).instances).toHaveLength(1);
  });

  it('needs --org for GitHub and stores it as an option', async () => {
    const t = await workspace(backend);
    const base = ['connect', 'github', '--name', 'GitHub Contoso', '--url', 'https://api.github.com'];
    const missing = await runIn([...base, '--token-env', 'GH_TOKEN', '--store', t.store], t);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/GitHub needs --org ORG \(the organisation login/);
    expect(await exists(t.store)).toBe(false);
    const ok = await runIn([...base, '--token-env', 'GH_TOKEN', '--org', 'contoso', '--store', t.store], t);
    expect(ok.code).toBe(0);
    expect((await stored(t.store)).instances[0]?.options).toEqual({ org: 'contoso' });
    const both = await runIn(
      [...base, '--name', 'X', '--token-env', 'G', '--org', 'a', '--option', 'org=b', '--store', t.store],
      t,
    );
    expect(both.code).toBe(2);
  });

  it('takes connector options with --option, and refuses --org for other apps', async () => {
    const t = await workspace(backend);
    const sf = ['connect', 'salesforce', '--name', 'SF', '--url', 'https://contoso.my.salesforce.com'];
    const missing = await runIn([...sf, '--token-env', 'SF_SECRET', '--store', t.store], t);
    expect(missing.stderr).toMatch(/Salesforce needs --option clientId=VALUE/);
    const org = await runIn([...sf, '--token-env', 'SF_SECRET', '--org', 'x', '--store', t.store], t);
    expect(org.stderr).toMatch(/--org is a GitHub option/);
    const badPair = await runIn([...sf, '--token-env', 'S', '--option', 'clientId', '--store', t.store], t);
    expect(badPair.stderr).toMatch(/--option: "clientId" is not key=value/);
    expect(await exists(t.store)).toBe(false);
    const ok = await runIn(
      [
        ...sf,
        '--token-env',
        'SF_SECRET',
        '--option',
        'clientId=3MVG9,x=y',
        '--option',
        'other=1',
        '--store',
        t.store,
      ],
      t,
    );
    expect(ok.code).toBe(0);
    // One pair per --option: a comma inside a value stays in it.
    expect((await stored(t.store)).instances[0]?.options).toEqual({ clientId: '3MVG9,x=y', other: '1' });
  });

  it('allows http only on loopback, and never a URL with credentials', async () => {
    const t = await workspace(backend);
    const base = ['connect', 'okta', '--token-env', 'T', '--store', t.store];
    expect((await runIn([...base, '--name', 'Local', '--url', 'http://127.0.0.1:8443'], t)).code).toBe(0);
    const creds = await runIn([...base, '--name', 'C', '--url', 'https://admin:hunter22@o.example'], t);
    expect(creds.code).toBe(2);
    expect(creds.stderr).toMatch(/--url: must not carry credentials/);
    expect(creds.stderr).not.toContain('hunter22');
  });

  it('refuses a name the app already has (whatever the case), leaving the store as it was', async () => {
    const t = await workspace(backend);
    await runIn(okta(t.store), t);
    const before = await snapshot(t.store);
    const again = await runIn(connectArgs('okta', 'okta contoso eu', 'https://x.okta.com', 'T', t.store), t);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('posture: --name: Okta already has an instance named "okta contoso eu"\n');
    expect(await snapshot(t.store)).toBe(before);
    // The same name for another app is fine.
    const other = await runIn(
      connectArgs('github', 'Okta Contoso EU', 'https://api.github.com', 'G', t.store, '--org', 'c'),
      t,
    );
    expect(other.code).toBe(0);
  });

  it('in single-instance mode refuses a second instance of an app, and makes the first the Secure Score instance', async () => {
    const t = await workspace(backend);
    const doc = storeWith([]);
    doc.settings.instanceMode = 'single';
    await seed(t.store, doc);
    const first = await runIn(okta(t.store, '--on'), t);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('On: the Secure Score instance for Okta');
    expect(first.stdout).not.toContain('permanent');
    const saved = await stored(t.store);
    expect(saved.settings.secureScoreInstance.okta).toBe(saved.instances[0]?.id);
    const before = await snapshot(t.store);
    const second = await runIn(connectArgs('okta', 'Okta US', 'https://us.okta.com', 'T', t.store), t);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/single-instance mode: Okta already has an instance/);
    expect(await snapshot(t.store)).toBe(before);
  });

  it('refuses to write a read-only store', async () => {
    const t = await workspace(backend);
    await seed(t.store, storeWith([instance('a')]));
    const before = await snapshot(t.store);
    const r = await runIn(okta(t.store, '--read-only'), t);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/connect needs to write the store/);
    expect(await snapshot(t.store)).toBe(before);
  });

  it('refuses a token value passed where the variable name belongs, without repeating it', async () => {
    const t = await workspace(backend);
    const secret = 'ghp_Canary0123456789abcdef';
    const r = await runIn(
      connectArgs('github', 'G', 'https://api.github.com', secret, t.store, '--org', 'c'),
      { ...t, env: { GH_TOKEN: secret } },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'posture: --token-env: takes the name of an environment variable (e.g. OKTA_TOKEN), not its value; the value given was not stored\n',
    );
    expect(r.stderr + r.stdout).not.toContain(secret);
    expect(await exists(t.store)).toBe(false);
    // The name of the variable that holds it is what connect takes.
    const ok = await runIn(
      connectArgs('github', 'G', 'https://api.github.com', 'GH_TOKEN', t.store, '--org', 'c', '--no-check'),
      { ...t, env: { GH_TOKEN: secret } },
    );
    expect(ok.code).toBe(0);
    expect(await keptText(t.store)).not.toContain(secret);
  });

  it('refuses control and bidi characters in a URL or an option, in one line, leaving no store', async () => {
    const t = await workspace(backend);
    const url = await runIn(connectArgs('okta', 'O', 'https://o.okta.com/\u202egnp.exe', 'T', t.store), t);
    expect(url).toMatchObject({
      code: 2,
      stderr: 'posture: --url: must not contain control or formatting characters\n',
      stdout: '',
    });
    const option = await runIn(
      connectArgs(
        'github',
        'G',
        'https://api.github.com',
        'T',
        t.store,
        '--org',
        'con\u001b]52;c;aGk=\u0007toso',
      ),
      t,
    );
    expect(option).toMatchObject({
      code: 2,
      stderr: 'posture: --option: the value of org must not contain control or formatting characters\n',
    });
    expect(await exists(t.store)).toBe(false);
  });
});

describe('connect and the console', () => {
  it('shares one validation with the console: the same function, the same words', () => {
    expect(validateAdd).toBe(domainValidateAdd);
    const doc = structuredClone(emptyStore());
    doc.instances.push(instance('x', { name: 'Okta A' }));
    const form = (values: Record<string, string>) => {
      const r = validateAdd(values, doc);
      return 'error' in r ? r.error : 'ok';
    };
    const good = { app: 'okta', name: 'Okta B', url: 'https://b.okta.com', variable: 'B_TOKEN' };
    expect(form(good)).toBe('ok');
    expect(form({ ...good, app: 'slack' })).toBe('App: one of okta, salesforce, servicenow, github, m365');
    expect(form({ ...good, name: 'okta a' })).toBe('Name: Okta already has an instance named "okta a"');
    expect(form({ ...good, url: 'http://b.okta.com' })).toBe(
      'Base URL: must use https (http is allowed only on a loopback address: 127.0.0.1 or [::1])',
    );
    // The console hands the form its environment as connect does: a token's value is refused in both.
    const secret = 'ghp_Canary0123456789abcdef';
    const withEnv = validateAdd({ ...good, variable: secret }, doc, { env: { GH_TOKEN: secret } });
    expect('error' in withEnv && withEnv.error).toBe(
      'Token variable: takes the name of an environment variable (e.g. OKTA_TOKEN), not its value; the value given was not stored',
    );
    expect(form({ ...good, variable: '1X' })).toMatch(
      /^Token variable: must be an environment variable name/,
    );
    expect(form({ ...good, app: 'github' })).toMatch(/^Options: GitHub needs org= /);
    expect(form({ ...good, app: 'github', extra: 'org=a, team=b' })).toBe('ok');
    expect(form({ ...good, extra: 'nope' })).toBe('Options: "nope" is not key=value');
    doc.settings.instanceMode = 'single';
    expect(form(good)).toBe('single-instance mode: Okta already has an instance');
  });
});

/** `connect` called as cli.tsx calls it, on a store in `t`, with what it wrote. */
async function connectWith(t: { dir: string; store: string }, o: Partial<ConnectOptions>) {
  const stdout = new Sink();
  const stderr = new Sink();
  const io: IO = { stdout, stderr, env: cleanEnv(t.dir) };
  const ctx = await openContext({ store: t.store, demo: false, readOnly: false, color: false }, io, {
    command: 'connect',
  });
  try {
    const code = await connect(ctx, { option: [], on: false, json: false, check: false, ...o });
    return { code, stdout: stdout.text, stderr: stderr.text };
  } finally {
    await ctx.close();
  }
}

const oktaEU = { app: 'okta', name: 'Okta Contoso EU', url: 'https://contoso-eu.okta.com' };

function fileIn(dir: string, name: string, mode: number): string {
  const path = join(dir, name);
  writeFileSync(path, 'secret-token\n');
  chmodSync(path, mode);
  return path;
}

describe.each(BACKENDS)('posture connect: a token file and a CA file, on $name', ({ backend }) => {
  it('stores the paths of a 0600 token file and a CA file, never the token', async () => {
    const t = await workspace(backend);
    const token = fileIn(t.dir, 'okta.token', 0o600);
    const ca = fileIn(t.dir, 'ca.pem', 0o644);
    const r = await connectWith(t, { ...oktaEU, tokenFile: token, caFile: ca });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(''); // no warning about an unset variable: there is none
    expect(r.stdout).toContain(`token            from the file ${token} (only its path is stored)`);
    expect(r.stdout).toContain(`CA file          ${ca}`);
    expect((await stored(t.store)).instances[0]).toMatchObject({
      credential: { kind: 'file', path: token },
      caFile: ca,
    });
    expect(await keptText(t.store)).not.toContain('secret-token');
  });

  it('refuses a token file others can read, a missing one and a missing CA file, in the words of the form', async () => {
    const t = await workspace(backend);
    const loose = fileIn(t.dir, 'loose.token', 0o644);
    const refused = (o: Partial<ConnectOptions>) =>
      connectWith(t, { ...oktaEU, ...o }).then(
        () => 'added',
        (e: Error) => `${e.constructor.name}: ${e.message}`,
      );
    expect(await refused({ tokenFile: loose })).toBe(
      `UsageError: --token-file: ${loose} must be mode 0600 or stricter (it is 0644)`,
    );
    expect(await refused({ tokenFile: join(t.dir, 'none.token') })).toBe(
      `UsageError: --token-file: ${join(t.dir, 'none.token')} does not exist`,
    );
    expect(await refused({ tokenEnv: 'T', caFile: join(t.dir, 'none.pem') })).toBe(
      `UsageError: --ca-file: ${join(t.dir, 'none.pem')} does not exist`,
    );
    expect(await refused({ tokenEnv: 'T', tokenFile: fileIn(t.dir, 'ok.token', 0o600) })).toBe(
      'UsageError: give the token once: --token-env or --token-file, not both',
    );
    expect(await exists(t.store)).toBe(false);
    // The form says the same after its field's label.
    const form = validateAdd({ ...oktaEU, tokenFile: loose }, emptyStore(), { stat: statSync });
    expect('error' in form && form.error).toBe(
      `Token file: ${loose} must be mode 0600 or stricter (it is 0644)`,
    );
  });

  it('reads a relative path from where it runs, and stores it absolute', async () => {
    const t = await workspace(backend);
    const token = fileIn(t.dir, 'okta.token', 0o600);
    const r = await connectWith(t, { ...oktaEU, tokenFile: relative(process.cwd(), token) });
    expect(r.code).toBe(0);
    expect((await stored(t.store)).instances[0]?.credential).toEqual({ kind: 'file', path: token });
  });
});

describe.each(BACKENDS)('one way to create an instance for connect and console, on $name', ({ backend }) => {
  it('in single-instance mode both make the new instance the Secure Score instance, with the same fields', async () => {
    const made = [];
    for (const by of ['connect', 'console'] as const) {
      const t = await workspace(backend);
      const doc = storeWith([]);
      doc.settings.instanceMode = 'single';
      await seed(t.store, doc);
      if (by === 'connect')
        expect((await connectWith(t, { ...oktaEU, tokenEnv: 'OKTA_EU_TOKEN' })).code).toBe(0);
      else {
        const store = await openAny(t.store);
        const checked = validateAdd({ ...oktaEU, variable: 'OKTA_EU_TOKEN' }, store.doc);
        if ('error' in checked) throw new Error(checked.error);
        await runEffect(
          { type: 'add', instance: checked.instance },
          {
            store,
            user: 'tester',
            exit: () => {},
            note: () => {},
          },
        );
        await store.close();
      }
      const saved = await stored(t.store);
      const added = saved.instances[0]!;
      expect(saved.settings.secureScoreInstance.okta).toBe(added.id);
      expect(added.id).toMatch(/^okta-contoso-eu-[0-9a-f]{6}$/);
      const { id: _id, createdAt: _at, ...fields } = added;
      made.push(fields);
    }
    expect(made[0]).toEqual(made[1]);
  });
});
