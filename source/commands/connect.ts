import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { CONNECTOR_OPTIONS } from '../domain/app-options.js';
import {
  type AddField,
  type AddProblem,
  commitCreation,
  createInstance,
  validateAdd,
} from '../domain/instances.js';
import { APP_LABELS, APPS, AppSchema, emptyStore } from '../domain/schemas.js';
import { sanitize } from '../text/sanitize.js';
import { type Context, UsageError } from './context.js';
import { type AccessReport, accessText, checkAccess } from './doctor.js';
import { jsonText } from './output.js';
import { exportInstances } from './report.js';

export interface ConnectOptions {
  app?: string | undefined;
  name?: string | undefined;
  url?: string | undefined;
  tokenEnv?: string | undefined;
  /** Instead of --token-env: a file holding the secret, mode 0600 or stricter (--token-file). */
  tokenFile?: string | undefined;
  /** The PEM file of a private CA that signs the tenant's certificate (--ca-file). */
  caFile?: string | undefined;
  org?: string | undefined;
  option: string[];
  on: boolean;
  /** Read the tenant once before adding it (default); --no-check skips it. */
  check?: boolean;
  json: boolean;
}

const FLAGS: Record<AddField, string> = {
  app: '<app>',
  name: '--name',
  url: '--url',
  variable: '--token-env',
  tokenFile: '--token-file',
  caFile: '--ca-file',
  extra: '--option',
};

/** The console's wording names form fields; here we name the flags. Values are not echoed: they may be secrets. */
function usage(p: AddProblem, app: string | undefined): UsageError {
  const parsed = AppSchema.safeParse(app?.toLowerCase());
  if (p.field === 'app' && !parsed.success)
    return new UsageError(`unknown app "${app ?? ''}" (one of ${APPS.join(', ')})`);
  if (p.field === 'app')
    return new UsageError(`${p.message}; posture keeps one instance per app in this mode`);
  if (p.field === 'extra' && p.option && parsed.success) {
    const description = CONNECTOR_OPTIONS[parsed.data].find((o) => o.name === p.option)?.description;
    const how = p.option === 'org' && parsed.data === 'github' ? '--org ORG' : `--option ${p.option}=VALUE`;
    return new UsageError(`${APP_LABELS[parsed.data]} needs ${how}${description ? ` (${description})` : ''}`);
  }
  return new UsageError(`${FLAGS[p.field]}: ${p.message}`);
}

// Files named on the command line are relative to where it runs; the store keeps them absolute.
const absolute = (path: string | undefined) => (path?.trim() ? resolve(path.trim()) : undefined);

function values(o: ConnectOptions) {
  return {
    app: o.app,
    name: o.name,
    url: o.url,
    variable: o.tokenEnv,
    tokenFile: absolute(o.tokenFile),
    caFile: absolute(o.caFile),
    extra: [...(o.org !== undefined ? [`org=${o.org}`] : []), ...o.option],
  };
}

/**
 * Everything that can be checked without the store, checked before it is opened: bad input must
 * leave the store untouched (not even created).
 */
export function checkConnect(o: ConnectOptions, env: NodeJS.ProcessEnv): void {
  if (o.app === undefined)
    throw new UsageError(
      `connect needs an app: posture connect <${APPS.join('|')}> --name N --url URL --token-env VAR`,
    );
  const missing = [
    ['--name', o.name],
    ['--url', o.url],
    ['--token-env or --token-file', o.tokenEnv ?? o.tokenFile],
  ].filter(([, v]) => v === undefined);
  if (missing.length > 0)
    throw new UsageError(`connect needs ${missing.map(([f]) => f).join(', ')} (see posture connect --help)`);
  if (o.tokenEnv !== undefined && o.tokenFile !== undefined)
    throw new UsageError('give the token once: --token-env or --token-file, not both');
  const app = AppSchema.safeParse(o.app.toLowerCase());
  if (o.org !== undefined && app.success && app.data !== 'github')
    throw new UsageError('--org is a GitHub option; for other apps use --option key=value');
  if (o.org !== undefined && o.option.some((p) => p.trim().startsWith('org=')))
    throw new UsageError('give the organisation once: --org or --option org=, not both');
  // `--token-env $GH_TOKEN` hands us the secret itself: the shared validation refuses it unrepeated.
  const checked = validateAdd(values(o), emptyStore(), { stat: statSync, env });
  if ('error' in checked) throw usage(checked, o.app);
}

/** `posture connect`: add an instance; only the variable's name is stored, never the secret. */
export async function connect(ctx: Context, o: ConnectOptions): Promise<number> {
  checkConnect(o, ctx.io.env);
  if (ctx.store.readOnly)
    throw new UsageError(
      `connect needs to write the store, but ${ctx.store.notice ?? 'it is open read-only'}`,
    );
  const doc = ctx.store.doc;
  const checked = validateAdd(values(o), doc, { stat: statSync, env: ctx.io.env });
  if ('error' in checked) throw usage(checked, o.app);
  const single = doc.settings.instanceMode === 'single';
  const creation = createInstance(checked.instance, doc, {
    recommendations: o.on,
    now: new Date(),
    suffix: () => randomBytes(3).toString('hex'),
  });
  const { instance } = creation;
  const { credential } = instance;
  const variable = credential.kind === 'env' ? credential.variable : '';
  // A token file was checked above (there, and the owner's alone); a variable may be set elsewhere.
  const secretHere = credential.kind === 'file' || Boolean(ctx.io.env[variable]);
  // Read the tenant once before adding it for good: a wrong URL or token is refused, not stored.
  let access: AccessReport | undefined;
  if (o.check !== false && secretHere) {
    access = await checkAccess(ctx, instance);
    if (access.outcome === 'error')
      throw new UsageError(
        `"${instance.name}" was not added: ${access.error} (fix the URL or the credential, or add it unchecked with --no-check)`,
      );
  }
  await ctx.store.update((d) => commitCreation(d, creation));

  const warnings: string[] = [];
  if (!secretHere)
    warnings.push(
      `$${variable} is not set in this shell; set it wherever posture polls, or polls of "${instance.name}" fail`,
    );
  for (const w of warnings) ctx.io.stderr.write(`posture: warning: ${sanitize(w)}\n`);

  const label = APP_LABELS[instance.app];
  const permanent = !single;
  if (o.json) {
    const added = exportInstances(ctx.store.doc, new Date()).find((i) => i.id === instance.id);
    ctx.io.stdout.write(jsonText({ added, permanent, warnings, access: access ?? null }));
    return 0;
  }
  const options = Object.entries(instance.options).map(([k, v]) => `${k}=${v}`);
  const lines = [
    `Added ${label} instance "${instance.name}" (id ${instance.id})`,
    `  URL              ${instance.baseUrl}`,
    credential.kind === 'env'
      ? `  token            from $${variable} (only the variable's name is stored)`
      : `  token            from the file ${credential.path} (only its path is stored)`,
    ...(instance.caFile ? [`  CA file          ${instance.caFile}`] : []),
    ...(options.length > 0 ? [`  options          ${options.join(', ')}`] : []),
    `  recommendations  ${
      o.on
        ? `On${single ? `: the Secure Score instance for ${label}` : ''}`
        : "Off: turn them on in the console's instance drawer (Space), or connect with --on"
    }`,
  ];
  if (permanent)
    lines.push(
      'Adding an instance is permanent: it can be turned off, never deleted, so its history stays auditable.',
    );
  lines.push(`Next: posture poll --once --instance ${instance.id}`);
  ctx.io.stdout.write(`${lines.map((l) => sanitize(l)).join('\n')}\n`);
  if (access) ctx.io.stdout.write(`\nWhat this credential can evaluate:\n${accessText(access)}\n`);
  return 0;
}
