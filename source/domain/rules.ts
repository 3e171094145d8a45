import type { Condition, Control, Evidence, Result, Rule } from './schemas.js';

/** What a connector read for one dataset: the items, or why it could not read them. */
export type Dataset = { ok: true; items: unknown[] } | { ok: false; reason: string };
export type Datasets = Record<string, Dataset>;

const MAX_EVIDENCE = 12;
const MISSING = Symbol('missing');
type Value = unknown | typeof MISSING;

/** RFC 6901 JSON pointer lookup; MISSING when any step is absent (or null: Okta omits nulls). */
export function pointer(doc: unknown, path: string): Value {
  if (path === '') return doc;
  let cur: unknown = doc;
  for (const raw of path.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return MISSING;
    if (!Object.hasOwn(cur, key)) return MISSING;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur === null || cur === undefined ? MISSING : cur;
}

// ServiceNow sends every value as a string; compare numbers and booleans by meaning.
function coerce(actual: unknown, expected: unknown): unknown {
  if (typeof actual === 'string' && typeof expected === 'number' && actual.trim() !== '') {
    const n = Number(actual);
    return Number.isNaN(n) ? actual : n;
  }
  if (typeof actual === 'string' && typeof expected === 'boolean') {
    if (actual === 'true') return true;
    if (actual === 'false') return false;
  }
  return actual;
}

/** true / false, or undefined when the value is not there to judge. */
export function test(item: unknown, c: Condition): boolean | undefined {
  const raw = pointer(item, c.path);
  if (c.op === 'exists') return (raw !== MISSING) === (c.value ?? true);
  if (raw === MISSING) return undefined;
  if (c.op === 'notEmpty') return Array.isArray(raw) ? raw.length > 0 : raw !== '';
  const list = Array.isArray(c.value) ? c.value : [];
  const v = coerce(raw, Array.isArray(c.value) ? c.value[0] : c.value);
  switch (c.op) {
    case 'eq':
      return v === c.value;
    case 'ne':
      return v !== c.value;
    case 'in':
      return list.includes(v);
    case 'notIn':
      return !list.includes(v);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (typeof v !== 'number' || typeof c.value !== 'number') return undefined;
      if (c.op === 'gt') return v > c.value;
      if (c.op === 'gte') return v >= c.value;
      if (c.op === 'lt') return v < c.value;
      return v <= c.value;
    }
  }
}

function show(v: Value): string {
  if (v === MISSING) return '(not revealed)';
  if (typeof v === 'string') return v;
  return JSON.stringify(v) ?? String(v);
}

function labelOf(item: unknown, rule: Rule, index: number): string {
  if (rule.label) {
    const v = pointer(item, rule.label);
    if (v !== MISSING) return show(v);
  }
  return `#${index + 1}`;
}

/** All conditions: false if any is false, undefined if any cannot be judged, else true. */
function all(item: unknown, conditions: Condition[]): boolean | undefined {
  let unknown = false;
  for (const c of conditions) {
    const r = test(item, c);
    if (r === false) return false;
    if (r === undefined) unknown = true;
  }
  return unknown ? undefined : true;
}

/** Evaluate one control's rule against what the connector read. Pure. */
export function evaluate(control: Control, datasets: Datasets): Result {
  const rule = control.rule;
  const base = { controlId: control.id };
  const ds = datasets[rule.dataset];
  if (!ds)
    return { ...base, outcome: 'unknown', reason: `dataset ${rule.dataset} was not collected`, evidence: [] };
  if (!ds.ok) return { ...base, outcome: 'unknown', reason: ds.reason, evidence: [] };

  let items = ds.items.filter((item) => all(item, rule.where) === true);
  let note: string | undefined;
  if (items.length === 0) {
    if (rule.onEmpty === 'default' && rule.defaultItem) {
      items = [rule.defaultItem];
      note = 'not set: the platform default applies';
    } else if (rule.onEmpty === 'pass' || rule.onEmpty === 'fail') {
      return { ...base, outcome: rule.onEmpty, reason: 'nothing to check', evidence: [] };
    } else {
      return { ...base, outcome: 'unknown', reason: 'no matching configuration was returned', evidence: [] };
    }
  }

  const verdicts = items.map((item) => all(item, rule.assert));
  const evidence: Evidence[] = [];
  items.slice(0, MAX_EVIDENCE).forEach((item, i) => {
    for (const c of rule.assert) {
      const label = note && item === rule.defaultItem ? 'platform default' : labelOf(item, rule, i);
      evidence.push({ item: label, path: c.path, value: show(pointer(item, c.path)) });
    }
  });
  const passed = verdicts.filter((v) => v === true).length;
  const failed = verdicts.filter((v) => v === false).length;
  const judged = passed + failed;
  const withNote = note ? { reason: note } : {};

  if (rule.mode === 'any') {
    if (passed > 0) return { ...base, outcome: 'pass', evidence, ...withNote };
    if (failed > 0) return { ...base, outcome: 'fail', evidence, ...withNote };
    return { ...base, outcome: 'unknown', reason: 'the API did not reveal the setting', evidence };
  }
  if (judged === 0)
    return { ...base, outcome: 'unknown', reason: 'the API did not reveal the setting', evidence };
  if (rule.mode === 'proportional' && control.scoring === 'proportional') {
    const outcome = passed === judged ? 'pass' : passed === 0 ? 'fail' : 'partial';
    return { ...base, outcome, count: passed, total: judged, evidence, ...withNote };
  }
  // Binary: one failing item fails; an item we cannot judge makes it unknown, never a fail.
  if (failed > 0) return { ...base, outcome: 'fail', count: passed, total: judged, evidence, ...withNote };
  if (judged < items.length)
    return {
      ...base,
      outcome: 'unknown',
      reason: 'the API did not reveal the setting for every item',
      evidence,
    };
  return { ...base, outcome: 'pass', count: passed, total: judged, evidence, ...withNote };
}
