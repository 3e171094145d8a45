import { z } from 'zod';
import { lazySchema } from './lazy-schema.js';

/** The apps posture has connectors for. */
export const APPS = ['okta', 'salesforce', 'servicenow', 'github', 'm365'] as const;
export const AppSchema = lazySchema(() => z.enum(APPS));
export type App = z.infer<typeof AppSchema>;

export const APP_LABELS: Record<App, string> = {
  okta: 'Okta',
  salesforce: 'Salesforce',
  servicenow: 'ServiceNow',
  github: 'GitHub',
  m365: 'Microsoft 365',
};

// An environment variable name: what we store instead of a secret.
export const EnvNameSchema = lazySchema(() =>
  z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be an environment variable name (letters, digits, _)'),
);

// Control characters (C0, DEL, C1), format characters (bidi controls, zero-width characters, BOM)
// and the Unicode line separators: text an operator types must be what the screen shows.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;
export const hasUnprintable = (s: string) => UNPRINTABLE.test(s);
export const UNPRINTABLE_MESSAGE = 'must not contain control or formatting characters';

export const InstanceNameSchema = lazySchema(() =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(80, 'must be at most 80 characters')
    // Names are typed by operators and shown on screen: printable text only.
    .refine((s) => !/[\p{Cc}\p{Cf}]/u.test(s), UNPRINTABLE_MESSAGE),
);

/**
 * Whether a host, as WHATWG URL parsing writes it, is a loopback address: 127.0.0.0/8, ::1, or
 * 127.0.0.0/8 mapped into IPv6. The parser has already turned every spelling of an address (127.1,
 * 0x7f.1, 2130706433, [0:0:0:0:0:0:0:1], [::ffff:127.0.0.1]) into one form, so the address is what
 * is judged. A name is never loopback, not even `localhost`: what it resolves to is up to the hosts
 * file and DNS (a resolver that misses it there may ask the network), and the token would go in clear.
 */
export function isLoopbackHost(hostname: string): boolean {
  return (
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) ||
    hostname === '[::1]' ||
    /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(hostname)
  );
}

/**
 * An instance's base URL, stored as WHATWG URL serialisation writes it (lower-case host, IDN as
 * punycode, default port dropped, dot segments resolved) without a trailing slash: the same
 * tenant is always the same text, and a URL read from a store is normalised the same way.
 */
export const BaseUrlSchema = lazySchema(() =>
  z
    .string()
    .trim()
    // abort: the checks below parse the URL and would throw on one that is not.
    .refine((s) => URL.canParse(s), { message: 'must be an absolute URL', abort: true })
    .refine((s) => {
      const u = new URL(s);
      return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname));
    }, 'must use https (http is allowed only on a loopback address: 127.0.0.1 or [::1])')
    .refine((s) => {
      const u = new URL(s);
      return !u.username && !u.password;
    }, 'must not carry credentials')
    // Connectors append paths to the base URL: a query or a fragment would end up in the middle.
    .refine((s) => {
      const u = new URL(s);
      return !u.search && !u.hash;
    }, 'must not have a query or a fragment')
    .transform((s) => {
      const u = new URL(s);
      return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
    }),
);

/**
 * A base URL as an operator types it. The parser would percent-encode a control or bidi character
 * in a path and silently drop a zero-width one from a host, so what was typed is not what would be
 * used: refused, before anything else is said about the URL.
 */
export const BaseUrlInputSchema = lazySchema(() =>
  z
    .string()
    .refine((s) => !hasUnprintable(s.trim()), { message: UNPRINTABLE_MESSAGE, abort: true })
    .pipe(BaseUrlSchema),
);

export const CredentialSchema = lazySchema(() =>
  z.discriminatedUnion('kind', [
    // The token lives in an environment variable; only its name is stored.
    z.object({ kind: z.literal('env'), variable: EnvNameSchema }),
    // The token lives in a 0600 file; only its path is stored.
    z.object({ kind: z.literal('file'), path: z.string().min(1) }),
  ]),
);
export type Credential = z.infer<typeof CredentialSchema>;

export const PollOutcomeSchema = lazySchema(() =>
  z.object({
    at: z.string(),
    outcome: z.enum(['ok', 'error']),
    error: z.string().optional(),
    durationMs: z.number().nonnegative().optional(),
  }),
);
export type PollOutcome = z.infer<typeof PollOutcomeSchema>;

export const InstanceSchema = lazySchema(() =>
  z.object({
    id: z.string().min(1),
    app: AppSchema,
    name: InstanceNameSchema,
    baseUrl: BaseUrlSchema,
    credential: CredentialSchema,
    /** Vendor-specific extra: GitHub organisation, Salesforce client id, ServiceNow user… */
    options: z.record(z.string(), z.string()).default(() => ({})),
    caFile: z.string().optional(),
    recommendations: z.boolean(),
    pollIntervalMinutes: z.number().int().min(1).max(10080).default(60),
    createdAt: z.string(),
    lastPoll: PollOutcomeSchema.optional(),
  }),
);
export type Instance = z.infer<typeof InstanceSchema>;

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export const SeveritySchema = lazySchema(() => z.enum(SEVERITIES));
export type Severity = z.infer<typeof SeveritySchema>;

// ---- Rules: declarative checks over a connector's datasets (Open-SSPM style JSON pointers). ----
export const OPS = ['eq', 'ne', 'in', 'notIn', 'gt', 'gte', 'lt', 'lte', 'exists', 'notEmpty'] as const;
export const ConditionSchema = lazySchema(() =>
  z.object({
    path: z.string().regex(/^(\/[^/]*)*$/, 'must be a JSON pointer'),
    op: z.enum(OPS),
    value: z.unknown().optional(),
  }),
);
export type Condition = z.infer<typeof ConditionSchema>;

export const RuleSchema = lazySchema(() =>
  z.object({
    dataset: z.string().min(1),
    /** Items the rule applies to (all conditions must hold). */
    where: z.array(ConditionSchema).default(() => []),
    /** What each selected item must satisfy (all conditions must hold). */
    assert: z.array(ConditionSchema).min(1),
    /**
     * all: every item passes (binary); proportional: points = passing / total × max;
     * any: at least one item passes (e.g. "a log stream is active").
     */
    mode: z.enum(['all', 'proportional', 'any']).default('all'),
    /**
     * What no selected items means. `default` evaluates `defaultItem` (a platform default applies);
     * `not_applicable`: what the setting concerns is not there (no application it names is installed).
     */
    onEmpty: z.enum(['pass', 'fail', 'unknown', 'default', 'not_applicable']).default('unknown'),
    defaultItem: z.record(z.string(), z.unknown()).optional(),
    /** JSON pointer to a human name for an item, shown in evidence. */
    label: z.string().optional(),
    /** JSON pointer to an item's stable identity (an id that survives renames); defaults to its label. */
    id: z.string().optional(),
    /** What the items are, plural, for "3 of 30 repositories failed". */
    noun: z.string().default('items'),
    /** With onEmpty `unknown`: what is missing; with `not_applicable`: what is not there. */
    emptyReason: z.string().optional(),
    /**
     * Where the setting applies at all (an application installed, inbound email on): the item of
     * `dataset` that matches `where` (`defaultItem` when none does) must meet `is`. Where it does not,
     * or nothing matches and there is no default, the result is `not_applicable`, saying `reason`: a
     * setting of an application that is not there exposes nothing, and earns no points either.
     */
    appliesWhen: z
      .object({
        dataset: z.string().min(1),
        where: z.array(ConditionSchema).min(1),
        is: z.array(ConditionSchema).min(1),
        defaultItem: z.record(z.string(), z.unknown()).optional(),
        reason: z.string().min(1),
      })
      .optional(),
    /**
     * Each item's own record in another dataset (an application's property, named after its scope):
     * the record of `dataset` whose `key` equals `name` with `{}` replaced by the item's `from`,
     * attached to the item as `as` before `assert` runs; `defaultItem` when the list shows there is none.
     */
    join: z
      .object({
        dataset: z.string().min(1),
        key: z.string().regex(/^\/\w+$/),
        from: z.string().regex(/^(\/[^/]*)+$/),
        name: z.string().includes('{}'),
        as: z.string().regex(/^\w+$/),
        defaultItem: z.record(z.string(), z.unknown()).optional(),
      })
      .optional(),
  }),
);
export type Rule = z.infer<typeof RuleSchema>;
export type Join = NonNullable<Rule['join']>;
export type Applicability = NonNullable<Rule['appliesWhen']>;

export const ControlSchema = lazySchema(() =>
  z.object({
    id: z.string().regex(/^[a-z0-9]+(\.[a-z0-9_]+)+$/, 'must look like app.area.name'),
    app: AppSchema,
    title: z.string().min(1),
    description: z.string().min(1),
    severity: SeveritySchema,
    category: z.enum(['Identity', 'Data', 'Apps', 'Infrastructure', 'Device']),
    threats: z.array(z.string()).min(1),
    userImpact: z.enum(['low', 'moderate', 'high']),
    implementationCost: z.enum(['low', 'moderate', 'high']),
    maxPoints: z.number().positive().max(10),
    scoring: z.enum(['binary', 'proportional']),
    benchmarks: z.array(z.object({ name: z.string(), id: z.string() })).min(1),
    prerequisites: z.array(z.string()).default(() => []),
    steps: z.array(z.string()).min(1),
    links: z.array(z.string().url()).default(() => []),
    rule: RuleSchema,
  }),
);
export type Control = z.infer<typeof ControlSchema>;

/**
 * A requirement of a benchmark that no API can answer (a banner on the sign-in page, a workflow
 * outside the API, a certificate authority's provenance): listed so that coverage is honest,
 * shown in the framework views with status `manual` and how to check it by hand, never scored.
 * Kept apart from the controls (data/catalog/<app>.manual.json), so scoring, results, alerts and
 * the findings of exports never see one.
 */
export const ManualCheckSchema = lazySchema(() =>
  z.object({
    id: z.string().regex(/^[a-z0-9]+\.manual(\.[a-z0-9_]+)+$/, 'must look like app.manual.name'),
    app: AppSchema,
    title: z.string().min(1),
    /** Why no API answers it. */
    why: z.string().min(1),
    benchmarks: z.array(z.object({ name: z.string(), id: z.string() })).min(1),
    /** How to check it by hand, numbered as the vendor's console words it. */
    steps: z.array(z.string()).min(1),
    links: z.array(z.string().url()).default(() => []),
  }),
);
export type ManualCheck = z.infer<typeof ManualCheckSchema>;

/**
 * A benchmark as a list of requirements (data/frameworks/*.json). The controls and manual checks
 * behind a requirement are those whose `benchmarks` cite `benchmark` with the requirement's id:
 * the catalog says what implements what, the framework only what is required.
 */
export const FrameworkSchema = lazySchema(() =>
  z.object({
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be lower-case words joined by -'),
    name: z.string().min(1),
    version: z.string().min(1),
    app: AppSchema,
    /** The benchmark name controls cite (`benchmarks[].name`). */
    benchmark: z.string().min(1),
    /** Where the requirement ids and titles come from. */
    source: z.object({ title: z.string().min(1), url: z.string().url() }),
    requirements: z.array(z.object({ id: z.string().min(1), title: z.string().min(1) })).min(1),
  }),
);
export type Framework = z.infer<typeof FrameworkSchema>;

// ---- Results ----
/**
 * `not_applicable`: the setting does not exist where it was read (its application, plugin or
 * self-hosting is not there): neither passed nor failed, it earns no points and counts in no
 * maximum, as peer tools skip rather than pass such a check.
 */
export const OUTCOMES = ['pass', 'fail', 'partial', 'unknown', 'error', 'not_applicable'] as const;
export const OutcomeSchema = lazySchema(() => z.enum(OUTCOMES));
export type Outcome = z.infer<typeof OutcomeSchema>;
/** How an outcome reads to a person (the stored id has an underscore). */
export const outcomeLabel = (o: Outcome): string => (o === 'not_applicable' ? 'not applicable' : o);

export const EvidenceSchema = lazySchema(() =>
  z.object({ item: z.string(), path: z.string(), value: z.string() }),
);
export type Evidence = z.infer<typeof EvidenceSchema>;

/** One item that failed a control: a stable id to follow it across polls, and its name. */
export const FailingItemSchema = lazySchema(() => z.object({ id: z.string(), name: z.string() }));
export type FailingItem = z.infer<typeof FailingItemSchema>;

export const ResultSchema = lazySchema(() =>
  z.object({
    controlId: z.string(),
    outcome: OutcomeSchema,
    /** Items that passed, of `total` judged. */
    count: z.number().int().nonnegative().optional(),
    total: z.number().int().nonnegative().optional(),
    reason: z.string().optional(),
    /** Unknown because of the credential: the right (role, scope, permission) it lacks. */
    missing: z.string().optional(),
    /** The failing items, in the dataset's order, at most MAX_FAILING of them. */
    failing: z.array(FailingItemSchema).optional(),
    evidence: z.array(EvidenceSchema).default(() => []),
  }),
);
export type Result = z.infer<typeof ResultSchema>;

export const InstanceResultsSchema = lazySchema(() =>
  z.object({ polledAt: z.string(), results: z.array(ResultSchema) }),
);
export type InstanceResults = z.infer<typeof InstanceResultsSchema>;

// ---- Status of a recommended action ----
export const STATES = [
  'to_address',
  'planned',
  'risk_accepted',
  'third_party',
  'alternate_mitigation',
  'completed',
  'not_applicable',
] as const;
export const StateSchema = lazySchema(() => z.enum(STATES));
export type State = z.infer<typeof StateSchema>;
/** The states only the system sets: from the result (all points achieved; the setting is not there). */
export const SYSTEM_STATES: readonly State[] = ['completed', 'not_applicable'];
/** States an operator may set. */
export const SETTABLE_STATES = STATES.filter((s) => !SYSTEM_STATES.includes(s));

export const STATE_LABELS: Record<State, string> = {
  to_address: 'To address',
  planned: 'Planned',
  risk_accepted: 'Risk accepted',
  third_party: 'Resolved through third party',
  alternate_mitigation: 'Resolved through alternate mitigation',
  completed: 'Completed',
  not_applicable: 'Not applicable',
};

export const StatusUpdateSchema = lazySchema(() =>
  z.object({
    instanceId: z.string(),
    controlId: z.string(),
    state: StateSchema,
    reason: z.string().default(''),
    by: z.string(),
    at: z.string(),
    expires: z.string().optional(),
  }),
);
export type StatusUpdate = z.infer<typeof StatusUpdateSchema>;

// ---- History: compact daily points and per-poll changes, never full copies ----
export const DailyPointSchema = lazySchema(() =>
  z.object({
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    achieved: z.number(),
    possible: z.number(),
  }),
);
export type DailyPoint = z.infer<typeof DailyPointSchema>;

export const ChangeSchema = lazySchema(() =>
  z.object({
    instanceId: z.string(),
    controlId: z.string(),
    kind: z.enum(['new', 'fixed', 'regressed']),
  }),
);
export const PollChangesSchema = lazySchema(() =>
  z.object({
    at: z.string(),
    instanceId: z.string(),
    changes: z.array(ChangeSchema),
  }),
);
export type PollChanges = z.infer<typeof PollChangesSchema>;

/**
 * Where alerts go: the name of the variable that holds the webhook URL (the URL often carries a
 * secret, as Slack's do: only the name is stored), and/or a program run with the alert on stdin.
 */
export const AlertSettingsSchema = lazySchema(() =>
  z.object({
    webhookEnv: EnvNameSchema.optional(),
    command: z.string().min(1).optional(),
    /** Changes of this severity or above are sent. */
    minSeverity: SeveritySchema.default('high'),
  }),
);
export type AlertSettings = z.infer<typeof AlertSettingsSchema>;
export const ALERT_TARGETS = ['webhook', 'command'] as const;
export type AlertTarget = (typeof ALERT_TARGETS)[number];

export const SettingsSchema = lazySchema(() =>
  z.object({
    instanceMode: z.enum(['multiple', 'single']).default('multiple'),
    /** Single mode: the one instance per app whose recommendations count. */
    secureScoreInstance: z.record(z.string(), z.string()).default(() => ({})),
    alerts: AlertSettingsSchema.default(() => ({ minSeverity: 'high' as const })),
  }),
);
export type Settings = z.infer<typeof SettingsSchema>;

/** A change waiting to be sent: kept in the store until each target has taken it. */
export const QueuedAlertSchema = lazySchema(() =>
  z.object({
    at: z.string(),
    instanceId: z.string(),
    controlId: z.string(),
    kind: z.enum(['new', 'regressed']),
    severity: SeveritySchema,
    /** What failed, as it was when the change was seen ("3 of 30 repositories failed: …"). */
    failing: z.string().optional(),
    /** The targets that have not taken it yet. */
    to: z.array(z.enum(ALERT_TARGETS)).min(1),
  }),
);
export type QueuedAlert = z.infer<typeof QueuedAlertSchema>;
export const AlertQueueSchema = lazySchema(() =>
  z.object({
    pending: z.array(QueuedAlertSchema).default(() => []),
    /** Changes dropped, oldest first, when a target stayed down past the queue's size. */
    dropped: z.number().int().nonnegative().default(0),
  }),
);
export type AlertQueue = z.infer<typeof AlertQueueSchema>;

// Object and array defaults are functions: zod returns a default value itself, so a literal would
// be one object shared by every document parsed (a change to one emptyStore() changed the next).
// Version 2: poll history moved out of the document into a file of its own (store/history.ts).
// Version 3: the same document; the file is laid out a part a line (store/format.ts).
export const STORE_VERSION = 3;
export const StoreDocSchema = lazySchema(() =>
  z.object({
    version: z.literal(STORE_VERSION),
    settings: SettingsSchema.default(() => ({
      instanceMode: 'multiple' as const,
      secureScoreInstance: {},
      alerts: { minSeverity: 'high' as const },
    })),
    instances: z.array(InstanceSchema).default(() => []),
    results: z.record(z.string(), InstanceResultsSchema).default(() => ({})),
    statuses: z.array(StatusUpdateSchema).default(() => []),
    daily: z.array(DailyPointSchema).default(() => []),
    alertQueue: AlertQueueSchema.default(() => ({ pending: [], dropped: 0 })),
  }),
);
export type StoreDoc = z.infer<typeof StoreDocSchema>;

/**
 * The store's schemas, each after those it is made of: built one by one (store/check.ts), each
 * takes a fraction of a millisecond, where the document's, built first, made them all in one go
 * (about 10 ms that a key pressed at the console's first frame waited for).
 */
export const STORE_SCHEMAS: readonly object[] = [
  AppSchema,
  EnvNameSchema,
  InstanceNameSchema,
  BaseUrlSchema,
  CredentialSchema,
  PollOutcomeSchema,
  InstanceSchema,
  OutcomeSchema,
  EvidenceSchema,
  FailingItemSchema,
  ResultSchema,
  InstanceResultsSchema,
  StateSchema,
  StatusUpdateSchema,
  DailyPointSchema,
  SeveritySchema,
  AlertSettingsSchema,
  SettingsSchema,
  QueuedAlertSchema,
  AlertQueueSchema,
  StoreDocSchema,
];

/** A new store: what StoreDocSchema makes of `{ version }`, written out (no zod parse at start-up). */
export function emptyStore(): StoreDoc {
  return {
    version: STORE_VERSION,
    settings: { instanceMode: 'multiple', secureScoreInstance: {}, alerts: { minSeverity: 'high' } },
    instances: [],
    results: {},
    statuses: [],
    daily: [],
    alertQueue: { pending: [], dropped: 0 },
  };
}
