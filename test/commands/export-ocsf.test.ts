import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../source/catalog/index.js';
import { OCSF_VERSION } from '../../source/commands/formats/ocsf.js';
import { COMMANDS } from '../../source/commands/spec.js';
import type { StoreDoc } from '../../source/domain/schemas.js';
import { FORBIDDEN, HOSTILE, PAYLOAD_MARKERS } from '../helpers/hostile.js';
import { BACKENDS, instance, runIn, seed, storeWith, workspace } from './helpers.js';

const catalog = loadCatalog();
const okta = catalog.forApp('okta');
const root = join(import.meta.dirname, '..', '..');

// The parts of the OCSF schema the events must follow (test/fixtures/ocsf/README.md).
interface Attribute {
  requirement: 'required' | 'recommended' | 'optional';
  type: string;
  is_array: boolean;
  sibling?: string;
  enum?: Record<string, string>;
  deprecated?: boolean;
}
interface Definition {
  attributes: Record<string, Attribute>;
  constraints?: { at_least_one?: string[] };
}
const schema = JSON.parse(
  readFileSync(join(root, 'test', 'fixtures', 'ocsf', 'compliance_finding.json'), 'utf8'),
) as {
  version: string;
  class: Definition & { uid: number; category: { uid: number } };
  objects: Record<string, Definition>;
  types: Record<string, { base: string; regex?: string }>;
};

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkValue(value: unknown, a: Attribute, path: string, errors: string[]): void {
  const object = schema.objects[a.type];
  if (object) {
    if (isObject(value)) checkObject(value, object, path, errors);
    else errors.push(`${path}: not an object`);
    return;
  }
  if (a.type === 'object') {
    if (!isObject(value)) errors.push(`${path}: not an object`);
    return;
  }
  const type = schema.types[a.type];
  if (!type) {
    errors.push(`${path}: type ${a.type} is not in the fixture`);
    return;
  }
  const ok = {
    string_t: typeof value === 'string',
    integer_t: Number.isSafeInteger(value),
    long_t: Number.isSafeInteger(value),
    float_t: typeof value === 'number',
    boolean_t: typeof value === 'boolean',
    json_t: true,
  }[type.base];
  if (!ok) errors.push(`${path}: ${JSON.stringify(value)} is not a ${a.type}`);
  if (type.regex && typeof value === 'string' && !new RegExp(type.regex).test(value))
    errors.push(`${path}: ${value} does not match ${a.type}`);
  if (a.enum && !(String(value) in a.enum)) errors.push(`${path}: ${String(value)} is not in its enum`);
}

function checkObject(value: Json, def: Definition, path: string, errors: string[]): void {
  for (const [k, a] of Object.entries(def.attributes))
    if (a.requirement === 'required' && value[k] === undefined) errors.push(`${path}.${k}: required`);
  const one = def.constraints?.at_least_one;
  if (one && !one.some((k) => value[k] !== undefined)) errors.push(`${path}: needs one of ${one.join(', ')}`);
  for (const [k, v] of Object.entries(value)) {
    const a = def.attributes[k];
    if (!a) {
      errors.push(`${path}.${k}: not an attribute of this class or object`);
      continue;
    }
    if (a.deprecated) errors.push(`${path}.${k}: deprecated`);
    if (a.is_array) {
      if (Array.isArray(v)) v.forEach((x, n) => checkValue(x, a, `${path}.${k}[${n}]`, errors));
      else errors.push(`${path}.${k}: not an array`);
    } else checkValue(v, a, `${path}.${k}`, errors);
    // A caption beside its id (severity beside severity_id) is the id's caption; beside Other (99)
    // it is the source's own value, as OCSF defines it.
    if (
      a.enum &&
      a.sibling &&
      v !== 99 &&
      value[a.sibling] !== undefined &&
      value[a.sibling] !== a.enum[String(v)]
    )
      errors.push(
        `${path}.${a.sibling}: ${String(value[a.sibling])} is not the caption of ${k} ${String(v)}`,
      );
  }
}

/** What the event breaks of the Compliance Finding class; nothing when it follows it. */
function violations(event: Json): string[] {
  const errors: string[] = [];
  checkObject(event, schema.class, 'event', errors);
  if (event.type_uid !== Number(event.class_uid) * 100 + Number(event.activity_id))
    errors.push('event.type_uid: not class_uid * 100 + activity_id');
  return errors;
}

async function ocsf(store: string, dir: string): Promise<Json[]> {
  const r = await runIn(['export', '--format', 'ocsf', '--store', store], { dir });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout.endsWith('\n')).toBe(true);
  return r.stdout
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Json);
}

const uidOf = (e: Json) => (e.finding_info as Json).uid as string;
const complianceOf = (e: Json) => e.compliance as Json;

describe('the OCSF fixture check', () => {
  it('finds what a broken event breaks', () => {
    const good = {
      activity_id: 1,
      category_uid: 2,
      class_uid: 2003,
      type_uid: 200301,
      severity_id: 3,
      time: 1,
      metadata: { version: '1.8.0', product: { name: 'posture' } },
      finding_info: { uid: 'a/b' },
      compliance: { status_id: 3 },
    };
    expect(violations(good)).toEqual([]);
    const bad = {
      ...good,
      class_uid: 2001,
      severity_id: 7,
      severity: 'Low',
      time: '2026-01-01',
      finding_info: { title: 'x' },
      compliance: { status_id: 4, standards: 'CIS' },
      resources: [{ type: 'SaaS tenant' }],
      resource: { uid: 'x' },
      extra: 1,
    };
    expect(violations(bad).sort()).toEqual(
      [
        'event.class_uid: 2001 is not in its enum',
        'event.severity_id: 7 is not in its enum',
        'event.severity: Low is not the caption of severity_id 7',
        'event.time: "2026-01-01" is not a timestamp_t',
        'event.finding_info.uid: required',
        'event.compliance.status_id: 4 is not in its enum',
        'event.compliance.standards: not an array',
        'event.resources[0]: needs one of name, uid',
        'event.resource: deprecated',
        'event.extra: not an attribute of this class or object',
        'event.type_uid: not class_uid * 100 + activity_id',
      ].sort(),
    );
  });
});

describe('the OCSF version', () => {
  it('names the OCSF version it follows in the README and the help, and follows the fixture', () => {
    expect(OCSF_VERSION).toBe(schema.version);
    const format = COMMANDS.export.flags.find((f) => f.key === 'format');
    expect(format?.help).toContain(`ocsf       OCSF ${OCSF_VERSION} Compliance Finding`);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(`OCSF ${OCSF_VERSION}`);
  });
});

describe.each(BACKENDS)('posture export --format ocsf, on $name', ({ backend }) => {
  it('writes one Compliance Finding event a line, each valid for the OCSF schema, on the demo workspace', async () => {
    const t = await workspace(backend);
    const r = await runIn(['export', '--format', 'ocsf', '--demo', '--store', t.store], t);
    expect(r.code).toBe(0);
    const lines = r.stdout.slice(0, -1).split('\n');
    expect(lines.length).toBeGreaterThan(50);
    const statuses = new Set<unknown>();
    for (const line of lines) {
      const e = JSON.parse(line) as Json;
      expect(violations(e), line.slice(0, 300)).toEqual([]);
      expect(e).toMatchObject({ class_uid: schema.class.uid, category_uid: schema.class.category.uid });
      expect(e.metadata).toMatchObject({ version: schema.version, product: { name: 'posture' } });
      statuses.add(complianceOf(e).status);
    }
    // The demo's ServiceNow settings of applications that are not installed: Not Applicable.
    expect([...statuses].sort()).toEqual(['Fail', 'Not Applicable', 'Pass', 'Warning']);
    expect(new Set(lines.map((l) => uidOf(JSON.parse(l) as Json))).size).toBe(lines.length);
  });

  const failing = [
    { id: 'p2', name: 'Weak' },
    { id: 'p3', name: 'Contractors' },
  ];
  function store(name = 'Okta X', names = failing, polledAt?: string): StoreDoc {
    return storeWith(
      [instance('x', { name })],
      {
        x: [
          {},
          { outcome: 'partial', count: 2, total: 4, failing: names },
          {
            outcome: 'unknown',
            reason: 'the token may not read this',
            missing: 'the okta.logStreams.read scope',
          },
        ],
      },
      polledAt,
    );
  }

  it('gives one Fail event per failing item, and one event for each other control', async () => {
    const t = await workspace(backend);
    await seed(t.store, store());
    const events = await ocsf(t.store, t.dir);
    for (const e of events) expect(violations(e)).toEqual([]);
    const control = `x/${okta[1]!.id}`;
    const items = events.filter((e) => complianceOf(e).control === okta[1]!.id);
    expect(items.map(uidOf)).toEqual([`${control}/p2`, `${control}/p3`]);
    for (const [n, e] of items.entries()) {
      expect(e).toMatchObject({
        activity_id: 1,
        finding_info: { uid_alt: control },
        compliance: { status_id: 3, status: 'Fail' },
        status: 'New',
      });
      const resources = e.resources as Json[];
      expect(resources[0]).toMatchObject({ uid: failing[n]!.id, name: failing[n]!.name });
      expect(resources[1]).toEqual({ uid: 'x', name: 'Okta X', type: 'SaaS tenant', provider: 'Okta' });
    }
    // Failed with no item named, not judged, passed: one event each, with the control's uid.
    const others = events.filter((e) => complianceOf(e).control !== okta[1]!.id);
    expect(others.map(uidOf)).toEqual(okta.filter((_, n) => n !== 1).map((c) => `x/${c.id}`));
    expect(others[0]).toMatchObject({ compliance: { status: 'Fail' } });
    expect(others[1]).toMatchObject({ activity_id: 1, compliance: { status_id: 2, status: 'Warning' } });
    expect(complianceOf(others[1]!).status_details).toEqual([
      'the token may not read this',
      'the credential lacks the okta.logStreams.read scope',
    ]);
    for (const e of others.slice(2))
      expect(e).toMatchObject({ activity_id: 3, severity_id: 1, status_id: 4, compliance: { status_id: 1 } });
    expect(events).toHaveLength(okta.length + 1);
  });

  it('reports a setting that is not there as Other, named Not Applicable, closing its findings', async () => {
    const t = await workspace(backend);
    await seed(
      t.store,
      storeWith([instance('x')], {
        x: [{ outcome: 'not_applicable', reason: 'the application is not installed', evidence: [] }],
      }),
    );
    const events = await ocsf(t.store, t.dir);
    const na = events.find((e) => complianceOf(e).control === okta[0]!.id)!;
    expect(violations(na)).toEqual([]);
    expect(na).toMatchObject({
      activity_id: 3,
      severity_id: 1,
      status_id: 5,
      status: 'Archived',
      compliance: {
        status_id: 99,
        status: 'Not Applicable',
        status_details: ['the application is not installed'],
      },
      unmapped: { posture: { outcome: 'not_applicable', points: null } },
    });
  });

  it('keeps the uids from one export to the next, through renames and new polls', async () => {
    const t = await workspace(backend);
    await seed(t.store, store());
    const first = (await ocsf(t.store, t.dir)).map(uidOf);
    const renamed = failing.map((f) => ({ ...f, name: `${f.name} (renamed)` }));
    await seed(t.store, store('Okta renamed', renamed, '2030-01-01T00:00:00.000Z'));
    const second = await ocsf(t.store, t.dir);
    expect(second.map(uidOf)).toEqual(first);
    expect(second[0]!.time).toBe(Date.parse('2030-01-01T00:00:00.000Z'));
    expect(JSON.stringify(second)).toContain('Weak (renamed)');
  });

  it('neutralises hostile strings in every field, and stays one event a line', async () => {
    const t = await workspace(backend);
    const hostile = HOSTILE.map((h) => h.text).join(' ');
    await seed(
      t.store,
      storeWith([instance('h')], {
        h: [{ failing: [{ id: hostile, name: hostile }], reason: hostile, missing: hostile }],
      }),
    );
    const r = await runIn(['export', '--format', 'ocsf', '--store', t.store], t);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(FORBIDDEN);
    expect(r.stdout).not.toMatch(/\\u00(1b|9b|9d|07|08)|\\u202e|[\u2028\u2029]/i);
    for (const marker of PAYLOAD_MARKERS) expect(r.stdout).not.toContain(marker);
    const lines = r.stdout.slice(0, -1).split('\n');
    expect(lines).toHaveLength(okta.length);
    const first = JSON.parse(lines[0]!) as Json;
    expect(violations(first)).toEqual([]);
    expect((first.resources as Json[])[0]!.name).toContain('Policy'); // there, cleaned
  });
});
