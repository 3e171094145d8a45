import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../source/catalog/index.js';
import { type Datasets, evaluate, unseenItem } from '../../source/domain/rules.js';
import type { Control, Outcome } from '../../source/domain/schemas.js';
import hardening from '../fixtures/servicenow/hardening-settings.json' with { type: 'json' };

const PROPERTIES = 'servicenow:sys_properties';
const PLUGINS = 'servicenow:plugins';
const controls = loadCatalog().forApp('servicenow');
const byId = new Map(controls.map((c) => [c.id, c]));

/**
 * Per control: the record it reads, a passing and a failing value (strings, as ServiceNow sends
 * them), and what a missing record means, from ServiceNow's hardening settings.
 */
interface Case {
  dataset: string;
  key: string;
  pass: string[];
  fail: string[];
  missing: { outcome: Outcome; value: string };
}
const property = (key: string, pass: string[], fail: string[], missing: Case['missing']): Case => ({
  dataset: PROPERTIES,
  key,
  pass,
  fail,
  missing,
});
const plugin = (key: string): Case => ({
  dataset: PLUGINS,
  key,
  pass: ['active'],
  fail: ['inactive'],
  missing: { outcome: 'fail', value: 'inactive' },
});
const passes = (value: string) => ({ outcome: 'pass' as const, value });
const fails = (value: string) => ({ outcome: 'fail' as const, value });

const HAND: Record<string, Case> = {
  'snow.mfa': property('glide.authenticate.multifactor', ['true'], ['false'], fails('false')),
  // The Australia guide asks for 60 minutes or less (earlier baselines said 30).
  'snow.session_timeout': property('glide.ui.session_timeout', ['30', '60'], ['61', '90', '0'], passes('30')),
  'snow.ajax_acl': property('glide.script.secure.ajaxgliderecord', ['true'], ['false'], passes('true')),
  // The guide's fallback for every glide.basicauth.required.* property is false.
  'snow.soap_auth': property('glide.basicauth.required.soap', ['true'], ['false'], fails('false')),
  'snow.script_request_auth': property(
    'glide.basicauth.required.scriptedprocessor',
    ['true'],
    ['false'],
    fails('false'),
  ),
  'snow.processor_auth': property('glide.basicauth.required.csv', ['true'], ['false'], fails('false')),
  'snow.csrf': property('glide.security.use_csrf_token', ['true'], ['false'], fails('false')),
  'snow.high_security': plugin('com.glide.high_security'),
  'snow.explicit_roles': plugin('com.glide.explicit_roles'),
  'snow.default_deny': property('glide.sm.default_mode', ['deny'], ['allow'], fails('allow')),
  'snow.external_content': property('glide.ui.url.external.content', ['false'], ['true'], passes('false')),
  'snow.av_scan': property('com.glide.snap.enable_scan', ['true'], ['false'], passes('true')),
  'snow.jquery_legacy': property('glide.jquery.legacy', ['false'], ['true'], fails('true')),
  'snow.codetag': property('glide.ui.security.allow_codetag', ['false'], ['true'], fails('true')),
  'snow.script_sandbox': property('glide.script.use.sandbox', ['true'], ['false'], passes('true')),
  'snow.lockout': property('glide.user.max_unlock_attempts', ['5', '3'], ['6', '0'], passes('5')),
  'snow.blacklist_password': property('glide.enable.blacklist_password', ['true'], ['false'], fails('false')),
  'snow.ip_authenticator_plugin': {
    ...plugin('com.snc.ipauthenticator'),
    // The guide's fallback: the plugin is active by default.
    missing: { outcome: 'pass', value: 'active' },
  },
  'snow.oauth_implicit_grant_clients': property(
    'glide.oauth.clients.allowed.for.implicit.grant',
    [''],
    ['3d4f1a2b9c8e7d6f5a4b3c2d1e0f9a8b'],
    passes(''),
  ),
  'snow.outbound_http_log_level': property(
    'glide.outbound_http_log.override.level',
    ['basic', ''],
    ['all', 'elevated'],
    passes(''),
  ),
  'snow.saml_demo_keystore': property(
    'glide.authenticate.sso.saml2.keystore',
    ['a1b2c3d4e5f60718293a4b5c6d7e8f90'],
    ['c60ad24b732220103a5b0dd43cf6a7db', '3685fc22930212003c5537ae867ffb91'],
    passes(''),
  ),
  'snow.cs_embed_xframe_options': property(
    'com.glide.cs.embed.xframe_options',
    ['DENY', 'SAMEORIGIN'],
    ['ALLOW-FROM https://example.com', ''],
    fails(''),
  ),
  'snow.mid_jms_allowed_factories': property(
    'mid.property.jms.command.allowed_factory_names',
    [
      'connectionFactory,queueConnectionFactory,topicConnectionFactory',
      'connectionFactory, queueConnectionFactory, topicConnectionFactory',
    ],
    ['connectionFactory,queueConnectionFactory,topicConnectionFactory,ldapConnectionFactory'],
    passes('connectionFactory,queueConnectionFactory,topicConnectionFactory'),
  ),
  // The guide's page is not published; "Updated hardening settings for baseline version 8.0" names
  // the property, false as recommended and as the default.
  'snow.glide_cs_debug': property('glide.cs.debug', ['false'], ['true'], passes('false')),
  'snow.identity_security_audit_plugin': plugin('com.glide.security.audit'),
  'snow.limit_concurrent_sessions_plugin': plugin('com.glide.limit.concurrent.sessions'),
  'snow.contextual_security_plugin': plugin('com.glide.role_management'),
  'snow.security_jump_start_plugin': plugin('com.snc.system_security'),
  'snow.snc_access_control_plugin': plugin('com.snc.snc_access_control'),
};

/**
 * Settings whose page states no fallback value: a missing record is unknown, naming the property,
 * never a guessed default.
 */
const NO_FALLBACK: Record<string, { key: string; pass: string[]; fail: string[] }> = {
  'snow.no_blank_password': { key: 'glide.login.no_blank_password', pass: ['true'], fail: ['false'] },
  'snow.limit_concurrent_interactive_sessions': {
    key: 'glide.authenticate.limit.concurrent.interactive.sessions',
    pass: ['true'],
    fail: ['false'],
  },
  'snow.max_concurrent_interactive_sessions': {
    key: 'glide.authenticate.max.concurrent.interactive.sessions',
    pass: ['1', '3'],
    fail: ['0', '-1'],
  },
};

const APPS = 'servicenow:store_apps';
/**
 * Settings that apply only where something is there (an application installed, a plugin active,
 * an instance self-hosted, inbound email on): the record that says so (`on`, `off`, and what its
 * absence means), and the setting's own record, passing and failing.
 */
interface Scoped {
  gate: {
    dataset: string;
    on: Record<string, string>;
    off?: Record<string, string>;
    absent: 'applies' | 'not';
  };
  setting: Case;
}
/** The key of the record that decides, as the connector's placeholder for an unseen one carries it. */
const keyOf = (gate: Scoped['gate']): Record<string, string | undefined> =>
  gate.dataset === APPS
    ? { scope: gate.on.scope }
    : gate.dataset === PLUGINS
      ? { id: gate.on.id }
      : { name: gate.on.name };
const storeApp = (scope: string): Scoped['gate'] => ({
  dataset: APPS,
  on: { scope, name: scope, active: 'true' },
  off: { scope, name: scope, active: 'false' },
  absent: 'not',
});
/** Settings of a self-hosted instance only: not applicable where the installation says otherwise. */
const SELF_HOSTED: Scoped['gate'] = {
  dataset: PROPERTIES,
  on: { name: 'glide.installation.self_hosted', value: 'true' },
  off: { name: 'glide.installation.self_hosted', value: 'false' },
  absent: 'not',
};

const SCOPED: Record<string, Scoped> = {
  'snow.fsm_query_rules': {
    gate: storeApp('sn_fsm'),
    setting: property('sn_fsm.use_query_rules', ['true'], ['false'], fails('false')),
  },
  'snow.csm_cmdb_model_customer_visible': {
    gate: storeApp('sn_customerservice'),
    setting: property('csm_cmdb_model.customer_visible_flag', ['true'], ['false'], fails('false')),
  },
  'snow.domain_condition_on_join': {
    gate: {
      dataset: PLUGINS,
      on: { id: 'com.glide.domain', name: 'Domain Support', active: 'active' },
      off: { id: 'com.glide.domain', name: 'Domain Support', active: 'inactive' },
      absent: 'not',
    },
    setting: property(
      'glide.sys.domain.include_domain_condition_on_join',
      ['true'],
      ['false'],
      fails('false'),
    ),
  },
  'snow.self_hosted_enabled': {
    gate: SELF_HOSTED,
    setting: property('glide.ip.authenticate.allow.self_hosted_enabled', ['true'], ['false'], fails('false')),
  },
  'snow.secured_self_hosted_enabled': {
    gate: SELF_HOSTED,
    setting: property(
      'glide.ip.authenticate.allow.secured.self_hosted_enabled',
      ['true'],
      ['false'],
      fails('false'),
    ),
  },
  'snow.url_allowlist_strict': {
    gate: {
      dataset: PROPERTIES,
      on: { name: 'glide.security.url.whitelist', value: '' },
      off: { name: 'glide.security.url.whitelist', value: 'https://login.example.com' },
      absent: 'applies',
    },
    setting: property('glide.security.url.whitelist.strict_check', ['true'], ['false'], passes('true')),
  },
  'snow.email_filter_plugin': {
    gate: {
      dataset: PROPERTIES,
      on: { name: 'glide.email.read.active', value: 'true' },
      off: { name: 'glide.email.read.active', value: 'false' },
      absent: 'applies',
    },
    setting: plugin('com.glide.email_filter'),
  },
};

/**
 * The hardening settings read from ServiceNow's Australia documentation (the fixture: each
 * setting's recommended value and its fallback, the value the platform uses when the property has
 * no record). A passing value is the recommendation, a failing one just outside it, and the
 * missing record is judged on the documented fallback.
 */
interface Setting {
  control: string;
  property: string;
  want: { equals?: string; atLeast?: number; atMost?: number; between?: number[] };
  fallback: string;
}
function meets(want: Setting['want'], value: string): boolean {
  const n = Number(value);
  if (want.equals !== undefined) return value === want.equals;
  if (want.atLeast !== undefined) return n >= want.atLeast;
  if (want.atMost !== undefined) return n <= want.atMost;
  const [low = 0, high = 0] = want.between ?? [];
  return n >= low && n <= high;
}
function fromGuide(s: Setting): Case {
  const { equals, atLeast, atMost, between } = s.want;
  const [pass, fail] =
    equals === 'true' || equals === 'false'
      ? [[equals], [equals === 'true' ? 'false' : 'true']]
      : equals !== undefined
        ? [[equals], ['', `${equals}_not`]]
        : atLeast !== undefined
          ? [[String(atLeast), String(atLeast + 1)], [String(atLeast - 1)]]
          : atMost !== undefined
            ? [[String(atMost)], [String(atMost + 1)]]
            : [
                [String(between?.[0]), String(between?.[1])],
                [String((between?.[1] ?? 0) + 1), '0'],
              ];
  const missing = {
    outcome: meets(s.want, s.fallback) ? ('pass' as const) : ('fail' as const),
    value: s.fallback,
  };
  return property(s.property, pass, fail, missing);
}
const GUIDE: Record<string, Case> = Object.fromEntries(
  (hardening as Setting[]).map((s) => [s.control, fromGuide(s)]),
);
const CASES: Record<string, Case> = { ...HAND, ...GUIDE };

function record(c: Case, value: string): Record<string, string> {
  return c.dataset === PROPERTIES ? { name: c.key, value } : { id: c.key, name: c.key, active: value };
}

function datasets(c: Case, items: unknown[]): Datasets {
  // Unrelated records of the same table must not change the verdict.
  const noise =
    c.dataset === PROPERTIES
      ? { name: 'glide.buildname', value: 'Zurich' }
      : { id: 'com.glide.ui.ng', name: 'Next UI', active: 'inactive' };
  return { [c.dataset]: { ok: true, items: [noise, ...items] } };
}

function control(id: string): Control {
  const c = byId.get(id);
  if (!c) throw new Error(`no control ${id}`);
  return c;
}

const OTHER = [
  'snow.blacklisted_password_count',
  'snow.ip_access_active',
  'snow.va_embed_public_page',
  'snow.enforce_security_scope',
  'snow.impersonate_check',
];
const COUNTS = 'servicenow:table_counts';
const VA_PAGE = '04b1905473222300e985658b4cf6a7ef';
const GAP = { reason: 'the integration user may not read it', missing: 'the admin role' };

describe('ServiceNow settings read from counts, public pages and per-application properties', () => {
  it('counts the excluded passwords: 5,000 at least', () => {
    const c = control('snow.blacklisted_password_count');
    const ds = (items: unknown[]): Datasets => ({ [COUNTS]: { ok: true, items } });
    const noise = { table: 'ip_access', count: '9000' };
    expect(evaluate(c, ds([noise, { table: 'blacklisted_password', count: '5000' }])).outcome).toBe('pass');
    expect(evaluate(c, ds([noise, { table: 'blacklisted_password', count: '4999' }])).outcome).toBe('fail');
    const unseen = evaluate(c, ds([unseenItem({ table: 'blacklisted_password' }, GAP)]));
    expect(unseen).toMatchObject({ outcome: 'unknown', missing: 'the admin role' });
    expect(evaluate(c, { [COUNTS]: { ok: false, ...GAP } })).toMatchObject({ outcome: 'unknown', ...GAP });
  });

  it('asks for at least one active IP access rule', () => {
    const c = control('snow.ip_access_active');
    const ds = (items: unknown[]): Datasets => ({ [COUNTS]: { ok: true, items } });
    expect(evaluate(c, ds([{ table: 'ip_access', count: '1' }])).outcome).toBe('pass');
    expect(evaluate(c, ds([{ table: 'ip_access', count: '0' }])).outcome).toBe('fail');
    expect(evaluate(c, ds([unseenItem({ table: 'ip_access' }, GAP)])).outcome).toBe('unknown');
  });

  it('fails while the Virtual Agent client has an active public page, passes once it is inactive or gone', () => {
    const c = control('snow.va_embed_public_page');
    const ds = (items: unknown[]): Datasets => ({ 'servicenow:public_pages': { ok: true, items } });
    const page = (active: string) => ({ sys_id: VA_PAGE, page: 'sn_va_web_client_app_embed', active });
    expect(evaluate(c, ds([page('true')]))).toMatchObject({
      outcome: 'fail',
      failing: [{ id: VA_PAGE, name: 'sn_va_web_client_app_embed' }],
    });
    expect(evaluate(c, ds([page('false')])).outcome).toBe('pass');
    expect(evaluate(c, ds([])).outcome).toBe('pass');
    expect(evaluate(c, ds([unseenItem({ sys_id: VA_PAGE }, GAP)])).outcome).toBe('unknown');
  });

  for (const [id, name] of [
    ['snow.enforce_security_scope', (scope: string) => `glide.enforce_security_scope.${scope}`],
    ['snow.impersonate_check', (scope: string) => `${scope}.impersonateCheck`],
  ] as const) {
    describe(id, () => {
      const app = (scope: string, active = 'true') => ({ scope, name: scope, active });
      const ds = (apps: unknown[], props: unknown[]): Datasets => ({
        [APPS]: { ok: true, items: apps },
        [PROPERTIES]: { ok: true, items: [{ name: 'glide.buildname', value: 'Zurich' }, ...props] },
      });
      it("matches each installed application with its own property; an absent one is false, as the guide's script reads it", () => {
        const c = control(id);
        const set = (scope: string, value: string) => ({ name: name(scope), value });
        expect(
          evaluate(
            c,
            ds([app('sn_hr_core'), app('sn_em')], [set('sn_hr_core', 'true'), set('sn_em', 'true')]),
          ),
        ).toMatchObject({ outcome: 'pass', count: 2, total: 2 });
        // Another application's property does not stand in for it.
        const r = evaluate(c, ds([app('sn_hr_core'), app('sn_em')], [set('sn_hr_core', 'true')]));
        expect(r).toMatchObject({ outcome: 'fail', failing: [{ id: 'sn_em' }] });
        expect(r.evidence[0]).toEqual({ item: 'sn_em', path: '/property/value', value: 'false' });
        expect(evaluate(c, ds([app('sn_hr_core')], [set('sn_hr_core', 'false')])).outcome).toBe('fail');
      });
      it('is not applicable, earning no points, where none of its applications is installed and active', () => {
        const c = control(id);
        const none = evaluate(c, ds([app('sn_hr_core', 'false'), app('sn_not_listed')], []));
        expect(none).toMatchObject({
          outcome: 'not_applicable',
          reason: 'none of the applications it concerns is installed and active',
        });
        expect(evaluate(c, ds([], [])).outcome).toBe('not_applicable');
      });
      it('is unknown, naming the right, when the property or the application could not be seen', () => {
        const c = control(id);
        const hiddenProp = ds([app('sn_hr_core')], [unseenItem({ name: name('sn_hr_core') }, GAP)]);
        expect(evaluate(c, hiddenProp)).toMatchObject({ outcome: 'unknown', missing: 'the admin role' });
        const hiddenApp = ds([unseenItem({ scope: 'sn_hr_core' }, GAP)], []);
        expect(evaluate(c, hiddenApp)).toMatchObject({ outcome: 'unknown', missing: 'the admin role' });
        const noProps: Datasets = { ...ds([app('sn_hr_core')], []), [PROPERTIES]: { ok: false, ...GAP } };
        expect(evaluate(c, noProps)).toMatchObject({ outcome: 'unknown', ...GAP });
        const partial: Datasets = {
          ...ds([app('sn_hr_core')], []),
          [PROPERTIES]: { ok: true, items: [], hidden: GAP },
        };
        expect(evaluate(c, partial)).toMatchObject({ outcome: 'unknown', missing: 'the admin role' });
      });
    });
  }
});

describe('ServiceNow catalog rules', () => {
  it('has a fixture for every control, and at least as many as the most complete open-source peer', () => {
    // ElectricEye's ServiceNow auditors hold 92 checks.
    expect(controls.length).toBeGreaterThanOrEqual(92);
    expect(
      [...Object.keys(CASES), ...Object.keys(NO_FALLBACK), ...Object.keys(SCOPED), ...OTHER].sort(),
    ).toEqual(controls.map((c) => c.id).sort());
  });

  for (const [id, c] of Object.entries(CASES)) {
    describe(id, () => {
      it('passes on a compliant record', () => {
        for (const value of c.pass) {
          const r = evaluate(control(id), datasets(c, [record(c, value)]));
          expect(r.outcome, value).toBe('pass');
          expect(r.evidence[0]).toMatchObject({ item: c.key, value });
        }
      });

      it('fails on a non-compliant record', () => {
        for (const value of c.fail) {
          const r = evaluate(control(id), datasets(c, [record(c, value)]));
          expect(r.outcome, value).toBe('fail');
          expect(r.evidence[0]).toMatchObject({ item: c.key, value });
        }
      });

      it('applies the platform default when the record is missing, and says so', () => {
        const r = evaluate(control(id), datasets(c, []));
        expect(r.outcome).toBe(c.missing.outcome);
        expect(r.reason).toBe('not set: the platform default applies');
        expect(r.evidence[0]).toMatchObject({ item: 'platform default', value: c.missing.value });
      });

      it('is unknown, naming the missing role, when the record may exist but is hidden from the user', () => {
        const gap = { reason: 'a read ACL hides it', missing: 'the admin role' };
        const item = unseenItem(c.dataset === PROPERTIES ? { name: c.key } : { id: c.key }, gap);
        const r = evaluate(control(id), datasets(c, [item]));
        expect(r).toMatchObject({ outcome: 'unknown', missing: 'the admin role' });
        expect(r.reason).toMatch(/^could not judge 1 of 1 (properties|plugins): a read ACL hides it$/);
        expect(r.evidence[0]).toMatchObject({ item: c.key, value: '(not visible: a read ACL hides it)' });
      });

      it('is unknown, with the reason, when the table could not be read', () => {
        const reason = 'the token may not read this (ServiceNow 403: Insufficient rights to query records)';
        const r = evaluate(control(id), { [c.dataset]: { ok: false, reason } });
        expect(r).toMatchObject({ outcome: 'unknown', reason });
        expect(evaluate(control(id), {}).outcome).toBe('unknown');
      });
    });
  }

  for (const [id, c] of Object.entries(NO_FALLBACK)) {
    describe(id, () => {
      const ds = (items: unknown[]): Datasets => ({ [PROPERTIES]: { ok: true, items } });
      it('judges the record when it is set', () => {
        for (const value of c.pass)
          expect(evaluate(control(id), ds([{ name: c.key, value }])).outcome, value).toBe('pass');
        for (const value of c.fail)
          expect(evaluate(control(id), ds([{ name: c.key, value }])).outcome, value).toBe('fail');
      });
      it('is unknown, naming the property, when it has no record: the guide states no fallback', () => {
        const r = evaluate(control(id), ds([{ name: 'glide.buildname', value: 'Zurich' }]));
        expect(r.outcome).toBe('unknown');
        expect(r.reason).toBe(
          `${c.key} has no record in sys_properties, and ServiceNow's hardening guide states no fallback value for it: set it explicitly`,
        );
      });
    });
  }

  for (const [id, { gate, setting }] of Object.entries(SCOPED)) {
    describe(id, () => {
      const both = (gateItems: unknown[], items: unknown[]): Datasets => {
        const out: Datasets = { [setting.dataset]: { ok: true, items } };
        const prior = out[gate.dataset];
        const extra = prior?.ok ? prior.items : [];
        out[gate.dataset] = { ok: true, items: [...extra, ...gateItems] };
        return out;
      };
      it('judges the setting where it applies, the fallback included', () => {
        for (const value of setting.pass)
          expect(evaluate(control(id), both([gate.on], [record(setting, value)])).outcome, value).toBe(
            'pass',
          );
        for (const value of setting.fail)
          expect(evaluate(control(id), both([gate.on], [record(setting, value)])).outcome, value).toBe(
            'fail',
          );
        const r = evaluate(control(id), both([gate.on], []));
        expect(r).toMatchObject({
          outcome: setting.missing.outcome,
          reason: 'not set: the platform default applies',
        });
      });
      it('is not applicable, saying why, where it does not apply: never passed, never failed', () => {
        const failing = [record(setting, setting.fail[0] ?? '')];
        const cases = [...(gate.off ? [[gate.off]] : []), ...(gate.absent === 'not' ? [[]] : [])];
        expect(cases.length).toBeGreaterThan(0);
        for (const gateItems of cases) {
          const r = evaluate(control(id), both(gateItems, failing));
          expect(r.outcome, JSON.stringify(gateItems)).toBe('not_applicable');
          expect(r.reason).toBe(control(id).rule.appliesWhen?.reason);
          // What was read to decide it: the gate's item, not the setting's.
          expect(r.evidence.length).toBeGreaterThan(0);
          const is = control(id).rule.appliesWhen?.is ?? [];
          expect(r.evidence.every((e) => is.some((c) => c.path === e.path))).toBe(true);
        }
        if (gate.absent === 'applies') expect(evaluate(control(id), both([], failing)).outcome).toBe('fail');
      });
      it('is unknown, naming the right, when what decides whether it applies could not be read', () => {
        const gap = { reason: 'the integration user may not read it', missing: 'the admin role' };
        const datasets = both([], [record(setting, setting.pass[0] ?? '')]);
        datasets[gate.dataset] = { ok: false, ...gap };
        if (gate.dataset === setting.dataset) return;
        expect(evaluate(control(id), datasets)).toMatchObject({ outcome: 'unknown', ...gap });
        const hidden = both([unseenItem(keyOf(gate), gap)], [record(setting, setting.pass[0] ?? '')]);
        expect(evaluate(control(id), hidden)).toMatchObject({
          outcome: 'unknown',
          missing: 'the admin role',
        });
      });
    });
  }

  it('gives partial points for the share of processors that require authentication', () => {
    const c = control('snow.processor_auth');
    const items = [
      { name: 'glide.basicauth.required.api', value: 'true' },
      { name: 'glide.basicauth.required.csv', value: 'true' },
      { name: 'glide.basicauth.required.pdf', value: 'false' },
      // Not part of this control: has its own.
      { name: 'glide.basicauth.required.soap', value: 'false' },
    ];
    const r = evaluate(c, { [PROPERTIES]: { ok: true, items } });
    expect(r).toMatchObject({ outcome: 'partial', count: 2, total: 3 });
    // The failing property first, then the rest in the order read.
    expect(r.evidence.map((e) => e.item)).toEqual([
      'glide.basicauth.required.pdf',
      'glide.basicauth.required.api',
      'glide.basicauth.required.csv',
    ]);
    expect(r.failing).toEqual([{ id: 'glide.basicauth.required.pdf', name: 'glide.basicauth.required.pdf' }]);
  });

  it('does not accept a near miss of a plugin or property name', () => {
    const r = evaluate(control('snow.high_security'), {
      [PLUGINS]: { ok: true, items: [{ id: 'com.glide.high_security.v2', name: 'x', active: 'active' }] },
    });
    expect(r).toMatchObject({ outcome: 'fail', reason: 'not set: the platform default applies' });
  });
});
