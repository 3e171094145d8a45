/** The help text of posture and of each command, and which flags each command takes. */

export const COMMANDS = ['connect', 'doctor', 'instances', 'poll', 'status', 'export', 'check'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** Flags every command takes. */
export const GLOBAL_FLAGS = ['store', 'demo', 'readOnly', 'color', 'help', 'version'] as const;

/** Each command's own flags (meow's camelCase keys). `posture` alone may print the status. */
export const COMMAND_FLAGS: Record<CommandName | 'console', readonly string[]> = {
  console: ['keys', 'json', 'product', 'instance', 'limit'],
  connect: ['name', 'url', 'tokenEnv', 'org', 'option', 'on', 'check', 'json'],
  doctor: ['instance', 'json'],
  instances: ['json'],
  poll: ['once', 'json', 'instance', 'concurrency'],
  status: ['json', 'product', 'instance', 'limit'],
  export: ['format', 'output'],
  check: ['minScore', 'json', 'product', 'instance'],
};

const GLOBAL = `
  Global options
    --store PATH     the store file (default $POSTURE_STORE, else $XDG_DATA_HOME/posture/store.json)
    --demo           the demo workspace: simulated tenants on loopback, polled first when due
    --read-only      change nothing (commands that must write refuse)
    --no-color       no colours (NO_COLOR is honoured too)
    --help, --version`;

export const HELP: Record<CommandName | 'console', string> = {
  console: `
  posture: SaaS security posture management in the terminal

  Usage
    $ posture                      the console (without a terminal on stdout: the status)
    $ posture --demo               the console on the demo workspace
    $ posture connect <app> --name N --url URL --token-env VAR [--org ORG] [--option key=value]...
    $ posture doctor [--instance N] [--json]
    $ posture instances [--json]
    $ posture poll [--once] [--instance N] [--json]
    $ posture status [--json] [--product P] [--instance N] [--limit N]
    $ posture export --format json|csv|sarif|markdown [--output FILE]
    $ posture check --min-score PCT [--product P] [--instance N] [--json]

  posture <command> --help shows a command's options.

  Console options
    --keys FILE      key bindings to override (JSON; default $POSTURE_KEYS)
${GLOBAL}

  Exit codes: 0 ok; 1 a poll failed (poll --once) or the score is below the minimum (check);
  2 bad input or an error (one line on stderr; the store is left as it was).
`,
  connect: `
  Add an instance of an app (okta, salesforce, servicenow, github)

  Usage
    $ posture connect <app> --name N --url URL --token-env VAR [--org ORG] [--option key=value]... [--on]

  When the variable is set, the tenant is read once first, and each control is listed with whether
  this credential can evaluate it (see posture doctor); a tenant that cannot be read is not added.

  Options
    --name N          the instance's name, unique per app ("Okta Contoso EU")
    --url URL         the tenant's base URL: https (http only on loopback)
    --token-env VAR   the environment variable that holds the token; only its name is stored
    --org ORG         GitHub: the organisation login
    --option k=v      a connector option, repeatable: Salesforce clientId=…, ServiceNow username=…,
                      Okta or ServiceNow auth=bearer
    --on              turn its Secure Score recommendations on (default: off)
    --no-check        add it without reading the tenant first (offline set-up)
    --json            print the added instance as JSON
${GLOBAL}

  Adding an instance is permanent (multiple-instance mode): it can be turned off, never deleted.

  Example
    $ export OKTA_EU_TOKEN=…
    $ posture connect okta --name "Okta Contoso EU" --url https://contoso-eu.okta.com --token-env OKTA_EU_TOKEN
`,
  doctor: `
  Check what each instance's credential can evaluate: read every dataset once (nothing is stored)
  and list, per control, whether it can be evaluated and, where not, the right that is missing

  Usage
    $ posture doctor [--instance N] [--json]

  Exit codes: 0 every control can be evaluated; 1 some cannot, or an instance cannot be read; 2 bad input.

  Options
    --instance N      only this instance (name or id)
    --json            one report per instance: evaluable, total, missing rights, controls
${GLOBAL}
`,
  instances: `
  List the connected instances: id, app, name, URL, recommendations, last poll, health

  Usage
    $ posture instances [--json]

  Options
    --json            the instances as JSON (the "instances" of the export schema)
${GLOBAL}
`,
  poll: `
  Poll instances: read each one's API and evaluate its controls

  Usage
    $ posture poll --once [--instance N] [--json]   poll now, print a summary, exit 1 if any failed
    $ posture poll [--instance N] [--json]          keep polling each instance on its interval
                                                     (one line per poll) until ctrl-c or SIGTERM

  Options
    --once            poll once and exit
    --instance N      only this instance (name or id)
    --json            JSON: an array with --once, else one object per line
    --concurrency N   instances polled at once (default 8)
${GLOBAL}
`,
  status: `
  Print the Secure Score and the top recommended actions

  Usage
    $ posture status [--json] [--product P] [--instance N] [--limit N]

  Options
    --product P       only this app (okta, salesforce, servicenow, github)
    --instance N      only this instance (name or id)
    --limit N         actions to list (default 10)
    --json            the score, breakdowns and actions as JSON
${GLOBAL}
`,
  export: `
  Export the score, the instances and every result

  Usage
    $ posture export --format json|csv|sarif|markdown [--output FILE]

  Options
    --format F        json       posture.export/1: score, breakdowns, instances, results with status history
                      csv        RFC 4180, one row per instance and control
                      sarif      SARIF 2.1.0: controls as rules, failing and partial results as results
                      markdown   a report: score, breakdowns, actions by severity with their steps
    --output FILE     write FILE whole (mode 0600) instead of stdout
${GLOBAL}
`,
  check: `
  Check the Secure Score against a minimum, for CI

  Usage
    $ posture check --min-score PCT [--product P] [--instance N] [--json]

  Exit codes: 0 at or above the minimum, 1 below it, 2 on an error (bad input, no score yet, a bad store).

  Options
    --min-score PCT   the minimum percentage, 0 to 100 (e.g. 80 or 72.5%)
    --product P       only this app's score
    --instance N      only this instance's score
    --json            the score, the minimum and the gap as JSON
${GLOBAL}
`,
};
