import { CONNECTOR_OPTIONS } from './app-options.js';
import {
  APP_LABELS,
  APPS,
  type App,
  AppSchema,
  BaseUrlSchema,
  EnvNameSchema,
  type Instance,
  InstanceNameSchema,
  STATE_LABELS,
  STATES,
  type State,
  StateSchema,
  type StoreDoc,
} from './schemas.js';

/**
 * Adding an instance: the one validation shared by the console's add form and `posture connect`,
 * so both refuse exactly the same things with the same words.
 */

export type AddField = 'app' | 'name' | 'url' | 'variable' | 'extra';

export interface AddValues {
  app?: string | undefined;
  name?: string | undefined;
  url?: string | undefined;
  /** The name of the environment variable that holds the secret (never the secret). */
  variable?: string | undefined;
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
}

const LABELS: Record<AddField, string> = {
  app: 'App',
  name: 'Name',
  url: 'Base URL',
  variable: 'Token variable',
  extra: 'Options',
};

function problem(field: AddField, message: string, option?: string): AddProblem {
  return { field, message, error: `${LABELS[field]}: ${message}`, ...(option ? { option } : {}) };
}

/**
 * Validate a new instance against the document; returns the instance or the first problem. When
 * `editing` names an instance, that one is being changed and does not count against itself.
 */
export function validateAdd(
  values: AddValues,
  doc: StoreDoc,
  editing?: string,
): AddProblem | { instance: NewInstance } {
  const others = doc.instances.filter((i) => i.id !== editing);
  const app = AppSchema.safeParse((values.app ?? '').trim().toLowerCase());
  if (!app.success) return problem('app', `one of ${APPS.join(', ')}`);
  const label = APP_LABELS[app.data];
  const name = InstanceNameSchema.safeParse(values.name ?? '');
  if (!name.success) return problem('name', name.error.issues[0]?.message ?? 'invalid');
  if (others.some((i) => i.app === app.data && i.name.toLowerCase() === name.data.toLowerCase()))
    return problem('name', `${label} already has an instance named "${name.data}"`);
  const url = BaseUrlSchema.safeParse(values.url ?? '');
  if (!url.success) return problem('url', url.error.issues[0]?.message ?? 'invalid');
  const variable = EnvNameSchema.safeParse((values.variable ?? '').trim());
  if (!variable.success) return problem('variable', variable.error.issues[0]?.message ?? 'invalid');
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
    options[m[1]!] = m[2]!.trim();
  }
  for (const o of CONNECTOR_OPTIONS[app.data])
    if (o.required && !options[o.name])
      return problem('extra', `${label} needs ${o.name}= (${o.description})`, o.name);
  if (doc.settings.instanceMode === 'single' && others.some((i) => i.app === app.data)) {
    const message = `single-instance mode: ${label} already has an instance`;
    return { field: 'app', message, error: message };
  }
  return {
    instance: {
      app: app.data,
      name: name.data,
      baseUrl: url.data,
      credential: { kind: 'env', variable: variable.data },
      options,
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
  return now - Date.parse(i.lastPoll.at) > i.pollIntervalMinutes * 60_000 * 2 ? 'stale' : 'ok';
}
