import { CONNECTOR_OPTIONS } from './app-options.js';
import {
  APP_LABELS,
  APPS,
  type App,
  AppSchema,
  BaseUrlInputSchema,
  type Credential,
  EnvNameSchema,
  hasUnprintable,
  type Instance,
  InstanceNameSchema,
  STATE_LABELS,
  STATES,
  type State,
  StateSchema,
  type StoreDoc,
  UNPRINTABLE_MESSAGE,
} from './schemas.js';

/**
 * Adding an instance: the one validation shared by the console's add form and `posture connect`,
 * so both refuse exactly the same things with the same words.
 */

export type AddField = 'app' | 'name' | 'url' | 'variable' | 'tokenFile' | 'caFile' | 'extra';

export interface AddValues {
  app?: string | undefined;
  name?: string | undefined;
  url?: string | undefined;
  /** The name of the environment variable that holds the secret (never the secret). */
  variable?: string | undefined;
  /** Or the path of a file that holds the secret, mode 0600 or stricter (never the secret). */
  tokenFile?: string | undefined;
  /** A PEM file of the private CA that signs the tenant's certificate. */
  caFile?: string | undefined;
  /** Connector options: `key=value` pairs, comma separated (the form) or one per element (the CLI). */
  extra?: string | readonly string[] | undefined;
}

export type NewInstance = Omit<Instance, 'id' | 'createdAt'>;

export interface AddProblem {
  field: AddField;
  /** The problem without a field label, for front ends that name the field their own way. */
  message: string;
  /** The form's wording: the field's label, then the problem. */
  error: string;
  /** A required connector option that is missing. */
  option?: string;
  /** The field holds a secret, not what belongs there: a front end clears it and never repeats it. */
  secret?: true;
}

const LABELS: Record<AddField, string> = {
  app: 'App',
  name: 'Name',
  url: 'Base URL',
  variable: 'Token variable',
  tokenFile: 'Token file',
  caFile: 'CA file',
  extra: 'Options',
};

/**
 * How a named file is looked at: node's `statSync`, or a fake in tests. It throws (with the errno
 * code) when the file cannot be looked at. Passed in: the domain does no I/O of its own.
 */
export type StatFile = (path: string) => { mode: number; isFile(): boolean };

export interface AddOptions {
  /** The instance being edited: it does not count against itself. */
  editing?: string | undefined;
  /** Needed when a token file or a CA file is named. */
  stat?: StatFile | undefined;
  /**
   * The environment posture runs in, to recognise a token given where its variable's name belongs
   * (`--token-env $OKTA_TOKEN`, or the value pasted into the form). Passed in: no I/O here.
   */
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

// Variable names this long are rare and tokens are longer: shorter text is taken as a name.
const SECRET_MIN_LENGTH = 12;

/** Whether `text` is not a variable's name but some variable's value: the secret itself. */
function isSomeValue(text: string, env: AddOptions['env']): boolean {
  if (!env || text.length < SECRET_MIN_LENGTH || env[text] !== undefined) return false;
  return Object.values(env).some((v) => v?.trim() === text);
}

function problem(field: AddField, message: string, option?: string): AddProblem {
  return { field, message, error: `${LABELS[field]}: ${message}`, ...(option ? { option } : {}) };
}

/**
 * A file an instance names must be there when it is added, not at its first poll; a file holding a
 * secret must be the owner's alone (the connector refuses it otherwise, at every poll).
 */
function checkFile(field: AddField, path: string, stat: StatFile, secret: boolean): AddProblem | undefined {
  // Polls may run from another directory (the worker, a service): only an absolute path means one
  // file. POSIX paths: credentials files are judged by their POSIX mode bits anyway.
  if (!path.startsWith('/')) return problem(field, `${path} is not an absolute path`);
  let found: ReturnType<StatFile>;
  try {
    found = stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return problem(
      field,
      code === 'ENOENT' ? `${path} does not exist` : `${path} cannot be read (${code ?? 'error'})`,
    );
  }
  if (!found.isFile()) return problem(field, `${path} is not a file`);
  if (secret && (found.mode & 0o077) !== 0)
    return problem(
      field,
      `${path} must be mode 0600 or stricter (it is ${(found.mode & 0o777).toString(8).padStart(4, '0')})`,
    );
  return undefined;
}

function needStat(o: AddOptions): StatFile {
  if (!o.stat) throw new Error('validateAdd: a token file or CA file needs options.stat to be checked');
  return o.stat;
}

/**
 * Single-instance mode keeps one instance per app: a second is refused, with the words the add
 * form shows as soon as its app is known (before anything else is typed) and `connect` prints.
 */
export function singleModeRefusal(doc: StoreDoc, app: App, editing?: string): AddProblem | undefined {
  if (doc.settings.instanceMode !== 'single') return undefined;
  if (!doc.instances.some((i) => i.app === app && i.id !== editing)) return undefined;
  const message = `single-instance mode: ${APP_LABELS[app]} already has an instance`;
  return { field: 'app', message, error: message };
}

/**
 * Validate a new instance against the document; returns the instance or the first problem. When
 * `options.editing` names an instance, that one is being changed and does not count against itself.
 */
export function validateAdd(
  values: AddValues,
  doc: StoreDoc,
  o: AddOptions = {},
): AddProblem | { instance: NewInstance } {
  const others = doc.instances.filter((i) => i.id !== o.editing);
  const app = AppSchema.safeParse((values.app ?? '').trim().toLowerCase());
  if (!app.success) return problem('app', `one of ${APPS.join(', ')}`);
  const label = APP_LABELS[app.data];
  // First: nothing typed after the app can make a second instance possible in single-instance mode.
  const refused = singleModeRefusal(doc, app.data, o.editing);
  if (refused) return refused;
  const name = InstanceNameSchema.safeParse(values.name ?? '');
  if (!name.success) return problem('name', name.error.issues[0]?.message ?? 'invalid');
  if (others.some((i) => i.app === app.data && i.name.toLowerCase() === name.data.toLowerCase()))
    return problem('name', `${label} already has an instance named "${name.data}"`);
  const url = BaseUrlInputSchema.safeParse(values.url ?? '');
  if (!url.success) return problem('url', url.error.issues[0]?.message ?? 'invalid');
  const tokenFile = (values.tokenFile ?? '').trim();
  const variableText = (values.variable ?? '').trim();
  let credential: Credential;
  if (tokenFile) {
    if (variableText) return problem('tokenFile', 'give a token variable or a token file, not both');
    const bad = checkFile('tokenFile', tokenFile, needStat(o), true);
    if (bad) return bad;
    credential = { kind: 'file', path: tokenFile };
  } else {
    // Before the name's syntax: a token may look like a name (ghp_…), and the message must not echo it.
    if (isSomeValue(variableText, o.env))
      return {
        ...problem(
          'variable',
          'takes the name of an environment variable (e.g. OKTA_TOKEN), not its value; the value given was not stored',
        ),
        secret: true,
      };
    const variable = EnvNameSchema.safeParse(variableText);
    if (!variable.success) return problem('variable', variable.error.issues[0]?.message ?? 'invalid');
    credential = { kind: 'env', variable: variable.data };
  }
  const caFile = (values.caFile ?? '').trim();
  if (caFile) {
    const bad = checkFile('caFile', caFile, needStat(o), false);
    if (bad) return bad;
  }
  const pairs =
    typeof values.extra === 'string'
      ? values.extra
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : (values.extra ?? []).map((s) => s.trim());
  const options: Record<string, string> = {};
  for (const pair of pairs) {
    const m = /^([a-zA-Z][\w]*)=(.+)$/.exec(pair);
    if (!m) return problem('extra', `"${pair}" is not key=value`);
    // The value is not repeated: what it carries would reach the screen.
    if (hasUnprintable(m[2]!)) return problem('extra', `the value of ${m[1]} ${UNPRINTABLE_MESSAGE}`);
    options[m[1]!] = m[2]!.trim();
  }
  for (const o of CONNECTOR_OPTIONS[app.data])
    if (o.required && !options[o.name])
      return problem('extra', `${label} needs ${o.name}= (${o.description})`, o.name);
  return {
    instance: {
      app: app.data,
      name: name.data,
      baseUrl: url.data,
      credential,
      options,
      ...(caFile ? { caFile } : {}),
      recommendations: false,
      pollIntervalMinutes: 60,
    },
  };
}

/** The readable part of a new instance's id: its name in lower-case words joined by dashes. */
export function instanceSlug(instance: Pick<Instance, 'name' | 'app'>): string {
  const slug = instance.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return slug || instance.app;
}

export interface CreateOptions {
  /** Whether its Secure Score recommendations start on. */
  recommendations: boolean;
  now: Date;
  /** The random part of the id (six hex digits from the callers); a test can make it repeat. */
  suffix: () => string;
}

/** What adding an instance changes: the instance to push, and whether it is its app's Secure Score instance. */
export interface Creation {
  instance: Instance;
  secureScoreInstance: boolean;
}

/** Random suffixes tried before numbering: a repeat is rare, an endless one must still end. */
const SUFFIX_TRIES = 8;

function newId(doc: StoreDoc, draft: Pick<Instance, 'name' | 'app'>, suffix: () => string): string {
  const taken = new Set(doc.instances.map((i) => i.id));
  const base = instanceSlug(draft);
  for (let n = 0; n < SUFFIX_TRIES; n++) {
    const id = `${base}-${suffix()}`;
    if (!taken.has(id)) return id;
  }
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/**
 * The one way an instance is created, for `posture connect` and the console's add form: an id no
 * other instance has, and in single-instance mode the app's Secure Score instance (the app has no
 * other instance then: validateAdd refuses a second), so it counts once its recommendations are on.
 * Pure: the caller commits it with `commitCreation` inside its store update.
 */
export function createInstance(draft: NewInstance, doc: StoreDoc, o: CreateOptions): Creation {
  const instance: Instance = {
    ...draft,
    recommendations: o.recommendations,
    id: newId(doc, draft, o.suffix),
    createdAt: o.now.toISOString(),
  };
  const current = doc.settings.secureScoreInstance[draft.app];
  const held = doc.instances.some((i) => i.app === draft.app && i.id === current);
  return { instance, secureScoreInstance: doc.settings.instanceMode === 'single' && !held };
}

/** Apply a creation to the document being updated. */
export function commitCreation(doc: StoreDoc, c: Creation): void {
  doc.instances.push(c.instance);
  if (c.secureScoreInstance) doc.settings.secureScoreInstance[c.instance.app] = c.instance.id;
}

/** An app from what an operator typed: its id or its label, in any case ("okta", "ServiceNow"). */
export function parseApp(text: string): App | undefined {
  const lower = text.trim().toLowerCase();
  const id = AppSchema.safeParse(lower);
  return id.success ? id.data : APPS.find((a) => APP_LABELS[a].toLowerCase() === lower);
}

/** A status from what an operator typed: its id or its label, in any case ("risk accepted"). */
export function parseState(text: string): State | undefined {
  const lower = text.trim().toLowerCase();
  const id = StateSchema.safeParse(lower.replace(/[\s-]+/g, '_'));
  return id.success ? id.data : STATES.find((s) => STATE_LABELS[s].toLowerCase() === lower);
}

/** An instance by its id or its name (any case). */
export function findInstance(doc: StoreDoc, text: string): Instance | undefined {
  const want = text.trim().toLowerCase();
  return doc.instances.find((i) => i.id === text || i.name.toLowerCase() === want);
}

export type Health = 'ok' | 'error' | 'stale' | 'never';

/** ok, error (the last poll failed), stale (not polled in twice its interval) or never polled. */
export function healthOf(i: Instance, now: number): Health {
  if (!i.lastPoll) return 'never';
  if (i.lastPoll.outcome === 'error') return 'error';
  return now - Date.parse(i.lastPoll.at) > staleAfter(i) ? 'stale' : 'ok';
}

/** A good poll goes stale after two intervals without another. */
const staleAfter = (i: Instance) => i.pollIntervalMinutes * 60_000 * 2;

/** The first instant after `now` at which `healthOf` reads differently (Infinity: not by time alone). */
export function healthChangesAt(i: Instance, now: number): number {
  if (!i.lastPoll || i.lastPoll.outcome === 'error') return Infinity;
  const at = Date.parse(i.lastPoll.at) + staleAfter(i) + 1;
  return at > now ? at : Infinity;
}
