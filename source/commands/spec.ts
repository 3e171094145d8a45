/**
 * The command line, declared once: every flag (its type and what it means), every command (which
 * flags it takes, which it needs), and their help. meow's flags, `--help`, the checks of the
 * command line and the README's command list are all drawn from here.
 */

export interface Flag {
  type: 'string' | 'boolean' | 'number';
  /** What the value is, in help and usage ("N", "URL"); none for a boolean. */
  value?: string;
  multiple?: boolean;
  short?: string;
  /** The value as the options list shows it, when `value` lists choices too long for a column. */
  valueInOptions?: string;
  /** A boolean that is on unless negated: shown as `--no-<name>`. */
  negated?: boolean;
  help: string;
}

export const FLAGS = {
  store: {
    type: 'string',
    value: 'PATH',
    help: 'the store file, or a PostgreSQL URL (postgres://…) for a team\n(default $POSTURE_STORE, else $XDG_DATA_HOME/posture/store.json)',
  },
  operator: {
    type: 'string',
    value: 'NAME',
    help: 'who makes the changes, recorded with each status and commit (default: the OS user)',
  },
  demo: { type: 'boolean', help: 'the demo workspace: simulated tenants on loopback, polled first when due' },
  readOnly: { type: 'boolean', help: 'change nothing (commands that must write refuse)' },
  color: { type: 'boolean', negated: true, help: 'no colours (NO_COLOR is honoured too)' },
  help: { type: 'boolean', short: 'h', help: 'this help' },
  version: { type: 'boolean', help: "posture's version" },
  keys: { type: 'string', value: 'FILE', help: 'key bindings to override (JSON; default $POSTURE_KEYS)' },
  altScreen: {
    type: 'boolean',
    negated: true,
    help: "draw in the terminal's main screen, not the alternate one (POSTURE_ALT_SCREEN=0 too)",
  },
  json: { type: 'boolean', help: 'JSON for scripts' },
  once: { type: 'boolean', help: 'poll once and exit' },
  product: { type: 'string', value: 'P', help: 'only this app (okta, salesforce, servicenow, github)' },
  instance: { type: 'string', value: 'N', help: 'only this instance (name or id)' },
  limit: { type: 'number', value: 'N', help: 'actions to list (default 10)' },
  concurrency: { type: 'number', value: 'N', help: 'instances polled at once (default 8)' },
  name: { type: 'string', value: 'N', help: 'the instance\'s name, unique per app ("Okta Contoso EU")' },
  url: { type: 'string', value: 'URL', help: "the tenant's base URL: https (http only on loopback)" },
  tokenEnv: {
    type: 'string',
    value: 'VAR',
    help: 'the environment variable that holds the token; only its name is stored',
  },
  tokenFile: {
    type: 'string',
    value: 'FILE',
    help: 'or: a file that holds the token, mode 0600 or stricter; only its path is stored',
  },
  caFile: {
    type: 'string',
    value: 'FILE',
    help: "the CA certificate (PEM) that signed the tenant's certificate, for a private CA",
  },
  org: { type: 'string', value: 'ORG', help: 'GitHub: the organisation login' },
  option: {
    type: 'string',
    value: 'key=value',
    multiple: true,
    help: 'a connector option, repeatable: Salesforce clientId=…, ServiceNow username=…,\nOkta or ServiceNow auth=bearer',
  },
  on: { type: 'boolean', help: 'turn its Secure Score recommendations on (default: off)' },
  check: { type: 'boolean', negated: true, help: 'add it without reading the tenant first (offline set-up)' },
  format: { type: 'string', value: 'json|csv|sarif|markdown|ocsf', valueInOptions: 'F', help: 'the format' },
  output: { type: 'string', value: 'FILE', help: 'write FILE whole (mode 0600) instead of stdout' },
  category: {
    type: 'string',
    value: 'C',
    help: 'sarif: the GitHub code scanning category (default posture); give each workspace\nuploaded to one repository its own',
  },
  minScore: { type: 'string', value: 'PCT', help: 'the minimum percentage, 0 to 100 (e.g. 80 or 72.5%)' },
  webhookEnv: {
    type: 'string',
    value: 'VAR',
    help: 'the environment variable that holds the webhook URL (it often holds a secret);\nonly its name is stored',
  },
  command: {
    type: 'string',
    value: 'PROGRAM',
    help: 'a program to run, without a shell, with each alert as JSON on its stdin',
  },
  minSeverity: {
    type: 'string',
    value: 'critical|high|medium|low',
    valueInOptions: 'S',
    help: 'alert on changes of this severity or above: critical, high (default), medium, low',
  },
  off: { type: 'boolean', help: 'send no more alerts, and drop the ones still queued' },
  test: { type: 'boolean', help: 'send a test message to each target now and say how each answered' },
  framework: {
    type: 'string',
    value: 'NAME',
    help: 'a framework (see posture frameworks): its requirements instead of the Secure Score',
  },
} as const satisfies Record<string, Flag>;
export type FlagKey = keyof typeof FLAGS;

/** Flags every command takes. */
export const GLOBAL_FLAGS: readonly FlagKey[] = [
  'store',
  'operator',
  'demo',
  'readOnly',
  'color',
  'help',
  'version',
];

/** A flag as one command takes it: whether it must be given, and what it means there if not the usual. */
export interface FlagUse {
  key: FlagKey;
  required?: boolean;
  /** Flags of one group are alternatives: usage shows them as `(a | b)`, one of them required if `required`. */
  group?: string;
  help?: string;
}

export interface Command {
  summary: string;
  /** Positional arguments, as usage shows them ("<app>"). */
  args?: string;
  flags: readonly FlagUse[];
  /** Text after the summary, before the options (how it works, exit codes). */
  about?: string;
  /** Text after the options (notes, examples). */
  notes?: string;
}

export const COMMAND_NAMES = [
  'connect',
  'doctor',
  'instances',
  'poll',
  'alerts',
  'status',
  'export',
  'check',
  'frameworks',
  'worker',
  'store',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export const COMMANDS: Record<CommandName | 'console', Command> = {
  // `posture` alone: the console, or without a terminal on stdout the status (hence status's flags).
  console: {
    summary: 'posture: SaaS security posture management in the terminal',
    flags: [
      { key: 'keys' },
      { key: 'altScreen' },
      { key: 'json', help: 'without a terminal: the status as JSON' },
      { key: 'product' },
      { key: 'instance' },
      { key: 'limit' },
    ],
  },
  connect: {
    summary: 'Add an instance of an app (okta, salesforce, servicenow, github)',
    args: '<app>',
    flags: [
      { key: 'name', required: true },
      { key: 'url', required: true },
      { key: 'tokenEnv', required: true, group: 'token' },
      { key: 'tokenFile', required: true, group: 'token' },
      { key: 'caFile' },
      { key: 'org' },
      { key: 'option' },
      { key: 'on' },
      { key: 'check' },
      { key: 'json', help: 'print the added instance as JSON' },
    ],
    about:
      'When the token can be read, the tenant is read once first, and each control is listed with whether\nthis credential can evaluate it (see posture doctor); a tenant that cannot be read is not added.',
    notes:
      'Adding an instance is permanent (multiple-instance mode): it can be turned off, never deleted.\n\nExample\n  $ export OKTA_EU_TOKEN=…\n  $ posture connect okta --name "Okta Contoso EU" --url https://contoso-eu.okta.com --token-env OKTA_EU_TOKEN',
  },
  doctor: {
    summary:
      "Check what each instance's credential can evaluate: read every dataset once (nothing is stored)\nand list, per control, whether it can be evaluated and, where not, the right that is missing",
    flags: [
      { key: 'instance' },
      { key: 'json', help: 'one report per instance: evaluable, total, missing rights, controls' },
    ],
    about:
      'Exit codes: 0 every control can be evaluated; 1 some cannot, or an instance cannot be read; 2 bad input.',
  },
  instances: {
    summary: 'List the connected instances: id, app, name, URL, recommendations, last poll, health',
    flags: [{ key: 'json', help: 'the instances as JSON (the "instances" of the export schema)' }],
  },
  poll: {
    summary: "Poll instances: read each one's API and evaluate its controls",
    flags: [
      { key: 'once' },
      { key: 'instance' },
      { key: 'json', help: 'JSON: an array with --once, else one object per line' },
      { key: 'concurrency' },
    ],
    about:
      '--once polls now, prints a summary and exits 1 if any poll failed; without it posture keeps\npolling each instance on its interval (one line per poll) until ctrl-c or SIGTERM.',
  },
  alerts: {
    summary:
      'Show or set where the alerts of `posture poll` go: new failures and regressions at or above a\nseverity, sent to a webhook and/or a program',
    flags: [
      { key: 'webhookEnv' },
      { key: 'command' },
      { key: 'minSeverity' },
      { key: 'off' },
      { key: 'test' },
      { key: 'json', help: 'the alert settings as JSON' },
    ],
    about:
      'Without options it shows the settings. Each poll that changes something queues its alerts in the\nstore; poll sends them after its commit, retrying with backoff, and what could not be sent goes\nwith the next poll. The webhook gets a POST of posture.alert/1 JSON with a Slack-compatible "text";\nthe program gets the same JSON on stdin and must exit 0 (it has at most 10 s). A running poll\nreads the settings when it starts; so does the console, which sends the alerts of its own polls.\n--test sends a message with no change in it to each target and exits 1 if one did not take it.',
    notes:
      'Example\n  $ export POSTURE_SLACK_WEBHOOK=https://hooks.slack.com/services/…\n  $ posture alerts --webhook-env POSTURE_SLACK_WEBHOOK --min-severity high --test',
  },
  status: {
    summary: 'Print the Secure Score and the top recommended actions',
    flags: [
      { key: 'json', help: 'the score, breakdowns and actions as JSON' },
      { key: 'product' },
      { key: 'instance' },
      { key: 'limit' },
      {
        key: 'framework',
        help: 'the requirements of a framework (e.g. disa-okta-idaas-stig-v1r2): status, controls',
      },
    ],
  },
  export: {
    summary: 'Export the score, the instances and every result',
    flags: [
      {
        key: 'format',
        required: true,
        help: 'json       posture.export/1: score, breakdowns, instances, results with status history\ncsv        RFC 4180, one row per instance and control\nsarif      SARIF 2.1.0: controls as rules, failing and partial results as results\nmarkdown   a report: score, breakdowns, actions by severity with their steps\nocsf       OCSF 1.8.0 Compliance Finding events, one a line: a Fail per failing item, Pass, Warning',
      },
      { key: 'output' },
      {
        key: 'instance',
        help: 'sarif: only this instance (name or id), under the category <category>/<id>,\nso the uploads of each instance keep their own alerts',
      },
      { key: 'category' },
      {
        key: 'framework',
        help: "one framework's requirements, for an auditor: json, markdown or csv",
      },
    ],
  },
  check: {
    summary: 'Check the Secure Score against a minimum, for CI',
    flags: [
      { key: 'minScore', required: true },
      { key: 'product', help: "only this app's score" },
      { key: 'instance', help: "only this instance's score" },
      { key: 'json', help: 'the score, the minimum and the gap as JSON' },
      { key: 'framework', help: "gate on a framework's share of checkable requirements met instead" },
    ],
    about:
      'Exit codes: 0 at or above the minimum, 1 below it, 2 on an error (bad input, no score yet, a bad store).',
  },
  frameworks: {
    summary:
      'List the frameworks posture knows, with how many of their requirements a control checks,\nhow many are checked by hand (manual) and how many are not covered yet',
    flags: [{ key: 'json', help: 'the frameworks and their coverage as JSON' }],
  },
  worker: {
    summary:
      "Poll as one of a team's workers: share the due instances of a PostgreSQL store with\nthe other workers, within each tenant's API quota",
    flags: [{ key: 'concurrency', help: 'polls this worker runs at once (default 8)' }],
    about:
      'Needs a PostgreSQL store (--store postgres://… or $POSTURE_STORE): its jobs live in the same\ndatabase. One line per poll; SIGTERM or ctrl-c lets the polls in flight finish (20 s at most,\nthen they go back to the queue), a second one stops at once. A worker that dies loses nothing:\nits polls are retried by the others once they expire.',
  },
  store: {
    summary:
      'Copy a workspace between stores, the file and PostgreSQL either way: instances, results,\nstatuses and their history, settings, daily points, the alert queue and poll history',
    args: 'copy FROM TO',
    flags: [],
    about:
      'FROM and TO are store files or PostgreSQL URLs (postgres://user@host/db). TO must not hold a\nworkspace yet (a file that does not exist, or a database posture has not written); FROM is\nonly read.',
    notes:
      'Example\n  $ posture store copy ~/.local/share/posture/store.json postgres://posture@db.internal/posture',
  },
};

/** `tokenEnv` -> `--token-env`; a negated boolean as `--no-…`; a one-letter key as `-x`. */
export function flagName(key: string): string {
  const kebab = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  if (key.length === 1) return `-${key}`;
  const flag = (FLAGS as Record<string, Flag>)[key];
  return flag?.negated ? `--no-${kebab}` : `--${kebab}`;
}

function shown(key: FlagKey, inOptions = false): string {
  const f: Flag = FLAGS[key];
  const value = (inOptions && f.valueInOptions) || f.value;
  return value ? `${flagName(key)} ${value}` : flagName(key);
}

/** The one-line usage of a command: `posture connect <app> --name N … [--json]`. */
export function synopsis(name: CommandName): string {
  const c = COMMANDS[name];
  const parts: string[] = [];
  c.flags.forEach(({ key, required, group }, n) => {
    if (group && c.flags[n - 1]?.group === group) return; // shown with the first of its group
    const alternatives = group
      ? c.flags.filter((u) => u.group === group).map((u) => shown(u.key))
      : [shown(key)];
    const text = alternatives.join(' | ');
    const multiple = (FLAGS[key] as Flag).multiple ? '...' : '';
    parts.push(`${required ? (alternatives.length > 1 ? `(${text})` : text) : `[${text}]`}${multiple}`);
  });
  return ['posture', name, ...(c.args ? [c.args] : []), ...parts].join(' ');
}

const indent = (text: string, by: string) => text.replace(/\n/g, `\n${by}`);

function optionLines(uses: readonly FlagUse[]): string[] {
  const rows = uses.map(({ key, help }) => [shown(key, true), help ?? FLAGS[key].help] as const);
  const width = Math.max(16, ...rows.map(([s]) => s.length + 2));
  return rows.map(([s, help]) => `    ${s.padEnd(width)}${indent(help, `    ${' '.repeat(width)}`)}`);
}

function globalLines(): string[] {
  const uses = GLOBAL_FLAGS.filter((k) => k !== 'help' && k !== 'version').map((key) => ({ key }));
  return ['', '  Global options', ...optionLines(uses), '    --help, --version'];
}

/** The help of posture (`console`) or of one command, drawn from the declarations above. */
export function helpText(name: CommandName | 'console'): string {
  const c = COMMANDS[name];
  const out = [`  ${indent(c.summary, '  ')}`, ''];
  if (name === 'console') {
    out.push(
      '  Usage',
      '    $ posture                      the console (without a terminal on stdout: the status)',
      '    $ posture --demo               the console on the demo workspace',
      ...COMMAND_NAMES.map((n) => `    $ ${synopsis(n)}`),
      '',
      "  posture <command> --help shows a command's options.",
      '',
      '  Console options',
      ...optionLines(c.flags),
      ...globalLines(),
      '',
      '  Exit codes: 0 ok; 1 a poll failed (poll --once), a control cannot be evaluated (doctor) or the',
      '  score is below the minimum (check); 2 bad input or an error (one line on stderr; the store is',
      '  left as it was).',
    );
    return finish(out);
  }
  out.push('  Usage', `    $ ${synopsis(name)}`, '');
  if (c.about) out.push(`  ${indent(c.about, '  ')}`, '');
  out.push('  Options', ...optionLines(c.flags), ...globalLines());
  if (c.notes) out.push('', `  ${indent(c.notes, '  ')}`);
  return finish(out);
}

const finish = (lines: string[]) => `${lines.join('\n').replace(/[ ]+$/gm, '')}\n`;

/** meow's flag declarations, from the one above. */
export function meowFlags() {
  return Object.fromEntries(
    Object.entries(FLAGS).map(([key, f]: [string, Flag]) => [
      key,
      {
        type: f.type,
        ...(f.multiple ? { isMultiple: true } : {}),
        ...(f.short ? { shortFlag: f.short } : {}),
      },
    ]),
  ) as { [K in FlagKey]: { type: (typeof FLAGS)[K]['type']; isMultiple?: boolean; shortFlag?: string } };
}
