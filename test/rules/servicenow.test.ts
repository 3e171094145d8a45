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

describe('ServiceNow catalog rules', () => {
  it('has a fixture for every control, and at least as many as the most complete open-source peer', () => {
    // ElectricEye's ServiceNow auditors hold 92 checks.
    expect(controls.length).toBeGreaterThanOrEqual(92);
    expect(Object.keys(CASES).sort()).toEqual(controls.map((c) => c.id).sort());
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
