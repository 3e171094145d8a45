import { joinItems } from './join.js';
import type { Applicability, Condition, Control, Evidence, FailingItem, Result, Rule } from './schemas.js';

/** Why this credential could not see something, and the right (role, scope, permission) it lacks. */
export interface Gap {
  reason: string;
  missing?: string;
}

/**
 * What a connector read for one dataset: the items, or why it could not read them. `hidden`: the
 * list may lack items this credential cannot see, so an absent item proves nothing. An item the
 * connector knows it could not see carries `_unseen` (a reason) and `_missing` (the right).
 */
export type Dataset = { ok: true; items: unknown[]; hidden?: Gap } | ({ ok: false } & Gap);
export type Datasets = Record<string, Dataset>;

/** A placeholder for an item the connector knows exists (or may exist) but could not read. */
export function unseenItem(fields: Record<string, unknown>, gap: Gap): Record<string, unknown> {
  return { ...fields, _unseen: gap.reason, ...(gap.missing ? { _missing: gap.missing } : {}) };
}

function unseenGap(item: unknown): Gap | undefined {
  if (item === null || typeof item !== 'object') return undefined;
  const { _unseen, _missing } = item as { _unseen?: unknown; _missing?: unknown };
  if (typeof _unseen !== 'string') return undefined;
  return { reason: _unseen, ...(typeof _missing === 'string' ? { missing: _missing } : {}) };
}

/**
 * An item seen in part: `_unseenFields` names, per top-level field, why the connector could not
 * settle it. Only the controls that assert such a field leave the item unjudged; the others judge it.
 */
export function unseenFields(
  fields: Record<string, unknown>,
  gaps: Record<string, Gap>,
): Record<string, unknown> {
  return Object.keys(gaps).length === 0 ? fields : { ...fields, _unseenFields: gaps };
}

function fieldGap(item: unknown, conditions: Condition[]): Gap | undefined {
  if (item === null || typeof item !== 'object') return undefined;
  const gaps = (item as { _unseenFields?: Record<string, Gap> })._unseenFields;
  if (!gaps) return undefined;
  for (const c of conditions) {
    const gap = gaps[c.path.split('/')[1] ?? ''];
    if (gap) return gap;
  }
  return undefined;
}

const MAX_EVIDENCE = 12;
/** Failing items kept per result: enough to follow each across polls, bounded for a huge tenant. */
export const MAX_FAILING = 500;
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

function idOf(item: unknown, rule: Rule, index: number): string {
  if (rule.id) {
    const v = pointer(item, rule.id);
    if (v !== MISSING) return show(v);
  }
  return labelOf(item, rule, index);
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

type Scope =
  | { kind: 'applies' }
  | { kind: 'not applicable'; reason: string; evidence: Evidence[] }
  | { kind: 'unknown'; gap: Gap };

/**
 * Whether a control's setting applies: what its `appliesWhen` item says, judged as a rule's items
 * are. An item the credential could not see, or a list that may lack it, settles nothing.
 */
function applicability(a: Applicability, datasets: Datasets): Scope {
  const ds = datasets[a.dataset];
  if (!ds) return { kind: 'unknown', gap: { reason: `dataset ${a.dataset} was not collected` } };
  if (!ds.ok) return { kind: 'unknown', gap: ds };
  const matched = ds.items.filter((item) => all(item, a.where) === true);
  const unseen = matched.map(unseenGap).find((g) => g !== undefined);
  if (unseen) return { kind: 'unknown', gap: unseen };
  if (matched.length === 0 && ds.hidden) return { kind: 'unknown', gap: ds.hidden };
  const items = matched.length > 0 ? matched : a.defaultItem ? [a.defaultItem] : [];
  const verdicts = items.map((item) => all(item, a.is));
  if (verdicts.includes(true)) return { kind: 'applies' };
  if (verdicts.includes(undefined))
    return { kind: 'unknown', gap: { reason: 'the API did not reveal whether the setting applies' } };
  const key = a.where[0];
  const evidence: Evidence[] = (items.length > 0 ? items : [undefined]).flatMap((item) =>
    a.is.map((c) => ({
      item:
        item === undefined
          ? show(key?.value)
          : item === a.defaultItem
            ? 'platform default'
            : show(pointer(item, key?.path ?? '')),
      path: c.path,
      value: item === undefined ? '(no record)' : show(pointer(item, c.path)),
    })),
  );
  return { kind: 'not applicable', reason: a.reason, evidence };
}

/** Evaluate one control's rule against what the connector read. Pure. */
export function evaluate(control: Control, datasets: Datasets): Result {
  const rule = control.rule;
  const base = { controlId: control.id };
  const unknown = (gap: Gap, evidence: Evidence[] = [], extra: Partial<Result> = {}): Result => ({
    ...base,
    outcome: 'unknown',
    reason: gap.reason,
    ...(gap.missing ? { missing: gap.missing } : {}),
    ...extra,
    evidence,
  });
  if (rule.appliesWhen) {
    const scope = applicability(rule.appliesWhen, datasets);
    if (scope.kind === 'unknown') return unknown(scope.gap);
    if (scope.kind === 'not applicable')
      return { ...base, outcome: 'not_applicable', reason: scope.reason, evidence: scope.evidence };
  }
  const ds = datasets[rule.dataset];
  if (!ds) return unknown({ reason: `dataset ${rule.dataset} was not collected` });
  if (!ds.ok) return unknown(ds);

  // A joined item the connector could not see may be one the rule selects: kept, so it is unknown.
  let items = ds.items.filter(
    (item) =>
      all(item, rule.where) === true ||
      (rule.join !== undefined && unseenGap(item) !== undefined && all(item, rule.where) !== false),
  );
  let note: string | undefined;
  if (items.length === 0) {
    // Nothing seen matches, but the credential may not see everything: no default, no verdict.
    if (ds.hidden) return unknown(ds.hidden);
    if (rule.onEmpty === 'default' && rule.defaultItem) {
      items = [rule.defaultItem];
      note = 'not set: the platform default applies';
    } else if (rule.onEmpty === 'pass' || rule.onEmpty === 'fail') {
      return { ...base, outcome: rule.onEmpty, reason: 'nothing to check', evidence: [] };
    } else if (rule.onEmpty === 'not_applicable') {
      const reason = rule.emptyReason ?? 'nothing the setting concerns is there';
      return { ...base, outcome: 'not_applicable', reason, evidence: [] };
    } else {
      return unknown({ reason: rule.emptyReason ?? 'no matching configuration was returned' });
    }
  }

  if (rule.join) {
    const joined = joinItems(items, rule.join, datasets);
    if (!Array.isArray(joined)) return unknown(joined);
    items = joined;
  }
  // An item the connector could not see is never judged, whatever its fields say.
  const judged = items.map((item, index) => {
    const gap = unseenGap(item) ?? fieldGap(item, rule.assert);
    return { item, index, gap, verdict: gap ? undefined : all(item, rule.assert) };
  });
  const failingItems = judged.filter((j) => j.verdict === false);
  const passed = judged.filter((j) => j.verdict === true).length;
  const failed = failingItems.length;
  const unjudged = items.length - passed - failed;

  // Evidence shows the failing items first, then those that could not be judged, then the rest.
  const rank = (v: boolean | undefined) => (v === false ? 0 : v === undefined ? 1 : 2);
  const evidence: Evidence[] = [];
  for (const j of [...judged].sort((a, b) => rank(a.verdict) - rank(b.verdict)).slice(0, MAX_EVIDENCE)) {
    const label = note && j.item === rule.defaultItem ? 'platform default' : labelOf(j.item, rule, j.index);
    for (const c of rule.assert)
      evidence.push({
        item: label,
        path: c.path,
        value: j.gap ? `(not visible: ${j.gap.reason})` : show(pointer(j.item, c.path)),
      });
  }
  const failing: FailingItem[] = failingItems
    .slice(0, MAX_FAILING)
    .map((j) => ({ id: idOf(j.item, rule, j.index), name: labelOf(j.item, rule, j.index) }));
  const found = { evidence, ...(failing.length > 0 ? { failing } : {}), ...(note ? { reason: note } : {}) };

  // Why some items could not be judged: the first item the connector could not see, else the list.
  const gap =
    judged.find((j) => j.verdict === undefined && j.gap)?.gap ?? (unjudged === 0 ? ds.hidden : undefined);
  const notJudged = (fallback: string): Result => {
    const of = `${unjudged} of ${items.length} ${rule.noun}`;
    if (gap)
      return unknown(
        { ...gap, reason: unjudged > 0 ? `could not judge ${of}: ${gap.reason}` : gap.reason },
        evidence,
        found.failing ? { failing } : {},
      );
    return unknown({ reason: fallback }, evidence, found.failing ? { failing } : {});
  };
  const incomplete = unjudged > 0 || ds.hidden !== undefined;

  if (rule.mode === 'any') {
    if (passed > 0) return { ...base, outcome: 'pass', ...found };
    if (incomplete) return notJudged('the API did not reveal the setting');
    return { ...base, outcome: 'fail', ...found };
  }
  if (passed + failed === 0) return notJudged('the API did not reveal the setting');
  const counts = { count: passed, total: passed + failed };
  // Binary: one failing item seen fails, whatever the others are.
  if (rule.mode !== 'proportional' || control.scoring !== 'proportional') {
    if (failed > 0) return { ...base, outcome: 'fail', ...counts, ...found };
    if (incomplete) return notJudged('the API did not reveal the setting for every item');
    return { ...base, outcome: 'pass', ...counts, ...found };
  }
  // Proportional: points over items not seen would be a guess either way.
  if (incomplete) return notJudged('the API did not reveal the setting for every item');
  const outcome = failed === 0 ? 'pass' : passed === 0 ? 'fail' : 'partial';
  return { ...base, outcome, ...counts, ...found };
}

/** "3 of 30 repositories": how many items failed of how many judged, or undefined when none failed. */
export function failedOf(result: Result, noun: string): string | undefined {
  const failing = result.failing ?? [];
  if (failing.length === 0) return undefined;
  const judged = result.total !== undefined && result.count !== undefined;
  const failed = judged ? result.total! - result.count! : failing.length;
  return `${failed} of ${result.total ?? failing.length} ${noun}`;
}

/** "3 of 30 repositories failed: api, web, infra and 27 more", or undefined when nothing failed. */
export function describeFailing(result: Result, noun: string, names = 3): string | undefined {
  const of = failedOf(result, noun);
  if (!of) return undefined;
  const failed = Number(of.split(' ')[0]);
  const shown = (result.failing ?? []).slice(0, names).map((f) => f.name);
  const more = failed - shown.length;
  return `${of} failed: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}
