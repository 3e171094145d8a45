import { execFileSync } from 'node:child_process';
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../source/catalog/index.js';
import { CSV_COLUMNS, csvCell } from '../../source/commands/formats/csv.js';
import { GITHUB_LIMITS, overGithubLimits } from '../../source/commands/formats/sarif-limits.js';
import { md, mdLine } from '../../source/commands/formats/markdown.js';
import type { StoreDoc } from '../../source/domain/schemas.js';
import { FORBIDDEN, HOSTILE, PAYLOAD_MARKERS } from '../helpers/hostile.js';
import {
  BACKENDS,
  cleanEnv,
  fingerprint,
  instance,
  runIn,
  seed,
  Sink,
  snapshot,
  storeWith,
  tmp,
  workspace,
  writeStore,
} from './helpers.js';
import { run } from '../../source/cli.js';
import { DEMO_TENANTS } from '../../source/simulator/vendors.js';

const catalog = loadCatalog();
const okta = catalog.forApp('okta');

/** RFC 4180: records end in CRLF; quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  expect(field).toBe(''); // the last record ends in CRLF too
  return rows;
}

/** A store with awkward data: formula-like and markup-like names, statuses with history, hostile API text. */
function awkwardStore(): StoreDoc {
  const hostile = HOSTILE.map((h) => h.text).join(' ');
  const doc = storeWith(
    [
      instance('formula', { name: '=HYPERLINK("http://attacker.test","x")' }),
      instance('pipes', {
        name: 'Okta | *prod* <b>',
        lastPoll: { at: new Date().toISOString(), outcome: 'error', error: hostile },
      }),
      instance('off', { name: '@SUM(A1)', recommendations: false }),
    ],
    {
      formula: [
        {
          evidence: [{ item: hostile, path: '/x', value: hostile }],
          failing: [{ id: hostile, name: hostile }],
          missing: hostile,
          reason: hostile,
        },
      ],
    },
  );
  doc.statuses.push(
    {
      instanceId: 'formula',
      controlId: okta[0]!.id,
      state: 'planned',
      reason: '',
      by: '+alice',
      at: '2026-01-01T00:00:00.000Z',
    },
    {
      instanceId: 'formula',
      controlId: okta[0]!.id,
      state: 'risk_accepted',
      reason: `-1, "quoted"\nnext line ${hostile}`,
      by: 'bob',
      at: '2026-01-02T00:00:00.000Z',
      expires: '2099-12-31T23:59:59.999Z',
    },
    {
      instanceId: 'pipes',
      controlId: okta[1]!.id,
      state: 'third_party',
      reason: 'handled by the IdP | upstream',
      by: 'carol',
      at: '2026-01-03T00:00:00.000Z',
    },
  );
  return doc;
}

async function exportOf(store: string, dir: string, format: string): Promise<string> {
  const r = await runIn(['export', '--format', format, '--store', store], { dir });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

describe.each(BACKENDS)('posture export --format json, on $name', ({ backend }) => {
  it('writes posture.export/1: score, breakdowns, instances and a result per instance and control', async () => {
    const t = await workspace(backend);
    const r = await runIn(['export', '--format', 'json', '--demo', '--store', t.store], t);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual([
      'schema',
      'generatedAt',
      'generator',
      'instanceMode',
      'score',
      'byProduct',
      'byInstance',
      'instances',
      'results',
    ]);
    expect(doc.schema).toBe('posture.export/1');
    expect(Number.isNaN(Date.parse(doc.generatedAt))).toBe(false);
    expect(Object.keys(doc.score)).toEqual(['current', 'planned', 'achievable']);
    expect(doc.instances).toHaveLength(DEMO_TENANTS.length);
    const expected = doc.instances.reduce(
      (n: number, i: { app: 'okta' }) => n + catalog.forApp(i.app).length,
      0,
    );
    expect(doc.results).toHaveLength(expected);
    // Every instance's results, counted or not; ranks only where they count.
    const eu = doc.results.filter((x: { instanceId: string }) => x.instanceId === 'okta-contoso-eu');
    expect(eu.length).toBe(okta.length);
    for (const x of eu) expect(x).toMatchObject({ counted: false, rank: null });
    const status = await runIn(['status', '--json', '--demo', '--store', t.store], t);
    expect(doc.score).toEqual(JSON.parse(status.stdout).score);
  });

  it('is one line for a tool (a pipe, --output) and indented at a terminal: the same document', async () => {
    const t = await workspace(backend);
    const doc = awkwardStore();
    // More than 1,000 results: the export is written in pieces, cut at the pieces' joins.
    const more = storeWith(Array.from({ length: 30 }, (_, n) => instance(`extra-${n}`)));
    doc.instances.push(...more.instances);
    Object.assign(doc.results, more.results);
    await seed(t.store, doc);
    const piped = await exportOf(t.store, t.dir, 'json');
    const file = join(t.dir, 'export.json');
    const written = await runIn(['export', '--format', 'json', '--output', file, '--store', t.store], t);
    expect(written.code).toBe(0);
    const terminal = new Sink();
    terminal.isTTY = true;
    const code = await run(['export', '--format', 'json', '--store', t.store], {
      stdout: terminal,
      stderr: new Sink(),
      env: cleanEnv(t.dir),
    });
    expect(code).toBe(0);
    for (const text of [piped, readFileSync(file, 'utf8')]) {
      expect(text.indexOf('\n')).toBe(text.length - 1);
      expect(text).not.toMatch(FORBIDDEN);
    }
    expect(terminal.text.startsWith('{\n  "schema": "posture.export/1",\n')).toBe(true);
    const same = (text: string) => {
      const d = JSON.parse(text) as { generatedAt?: string; results: unknown[] };
      delete d.generatedAt;
      return d;
    };
    expect(same(piped).results.length).toBeGreaterThan(1000);
    expect(same(piped)).toEqual(same(terminal.text));
    expect(same(readFileSync(file, 'utf8'))).toEqual(same(terminal.text));
  });

  it('carries each result status and its whole history', async () => {
    const t = await workspace(backend);
    await seed(t.store, awkwardStore());
    const doc = JSON.parse(await exportOf(t.store, t.dir, 'json'));
    const accepted = doc.results.find(
      (x: { instanceId: string; controlId: string }) =>
        x.instanceId === 'formula' && x.controlId === okta[0]!.id,
    );
    expect(accepted.status).toMatchObject({
      state: 'risk_accepted',
      label: 'Risk accepted',
      by: 'bob',
      expires: '2099-12-31T23:59:59.999Z',
      unverified: false,
    });
    expect(accepted.history.map((h: { state: string }) => h.state)).toEqual(['planned', 'risk_accepted']);
    expect(accepted.evidence).toHaveLength(1);
    const resolved = doc.results.find(
      (x: { instanceId: string; controlId: string }) =>
        x.instanceId === 'pipes' && x.controlId === okta[1]!.id,
    );
    expect(resolved).toMatchObject({ points: okta[1]!.maxPoints, status: { unverified: true } });
  });
});

describe.each(BACKENDS)('posture export --format csv, on $name', ({ backend }) => {
  it('is RFC 4180 with CRLF line ends and one row per instance and control', async () => {
    const t = await workspace(backend);
    await seed(t.store, awkwardStore());
    const text = await exportOf(t.store, t.dir, 'csv');
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/\r/);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(1 + 3 * okta.length);
    for (const row of rows) expect(row).toHaveLength(CSV_COLUMNS.length);
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    const accepted = rows.find(
      (r) => r[col('instance_id')] === 'formula' && r[col('control_id')] === okta[0]!.id,
    )!;
    // Quotes doubled, comma and newline kept inside the quoted field, a leading minus neutralised.
    expect(accepted[col('status_reason')]).toMatch(/^'-1, "quoted"\nnext line Policy/);
    expect(text).toContain('"\'-1, ""quoted""\nnext line');
    expect(accepted[col('status')]).toBe('risk_accepted');
  });

  it('neutralises spreadsheet formulas in every cell', async () => {
    const t = await workspace(backend);
    await seed(t.store, awkwardStore());
    const rows = parseCsv(await exportOf(t.store, t.dir, 'csv'));
    const names = new Set(rows.slice(1).map((r) => r[1]));
    expect(names).toEqual(
      new Set(['\'=HYPERLINK("http://attacker.test","x")', 'Okta | *prod* <b>', "'@SUM(A1)"]),
    );
    expect(rows.find((r) => r[16] === "'+alice")).toBeUndefined(); // the latest update is bob's
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('\t=1')).toBe("'  =1"); // the tab became spaces, the formula is still neutralised
    expect(csvCell(' =1')).toBe("' =1");
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell(-1)).toBe('-1'); // numbers are ours, not formulas
    expect(csvCell(null)).toBe('');
  });
});

describe.each(BACKENDS)('posture export --format sarif, on $name', ({ backend }) => {
  let validate: ReturnType<Ajv['compile']>;
  beforeAll(() => {
    const schema = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', 'fixtures', 'sarif-schema-2.1.0.json'), 'utf8'),
    );
    // SARIF 2.1.0 Errata 01 renamed suppression.state to status (see test/fixtures/README.md).
    const suppression = schema.definitions.suppression.properties;
    suppression.status = suppression.state;
    delete suppression.state;
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    validate = ajv.compile(schema);
  });

  it('validates against the SARIF 2.1.0 schema, on the demo workspace', async () => {
    const t = await workspace(backend);
    const r = await runIn(['export', '--format', 'sarif', '--demo', '--store', t.store], t);
    const log = JSON.parse(r.stdout);
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const run = log.runs[0];
    expect(run.tool.driver.name).toBe('posture');
    expect(run.tool.driver.rules.length).toBe(catalog.controls.length);
    expect(run.results.length).toBeGreaterThan(10);
    for (const res of run.results) {
      const rule = run.tool.driver.rules[res.ruleIndex];
      expect(rule.id).toBe(res.ruleId);
      expect(res.level).toBe(
        { critical: 'error', high: 'error', medium: 'warning', low: 'note' }[
          rule.properties.severity as string
        ],
      );
      expect(res.locations[0].logicalLocations[0].fullyQualifiedName).toMatch(
        /^(okta|salesforce|servicenow|github|m365)\/.+/,
      );
      expect(['fail', 'partial']).toContain(res.properties.outcome);
      // What GitHub code scanning needs to show and track an alert.
      expect(res.locations).toHaveLength(1);
      expect(res.locations[0].physicalLocation).toEqual({
        artifactLocation: { uri: `posture/${res.properties.app}/${res.properties.instanceId}` },
        region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
      });
      expect(res.partialFingerprints.primaryLocationLineHash).toMatch(/^[0-9a-f]{16}:1$/);
    }
    for (const rule of run.tool.driver.rules) {
      expect(Number(rule.properties['security-severity'])).toBeGreaterThan(0);
      expect(Number(rule.properties['security-severity'])).toBeLessThanOrEqual(10);
      expect(rule.properties.tags).toContain('security');
      expect(rule.help.markdown).toMatch(/^\*\*Implementation\*\*\n\n1\. /);
      expect(rule.name).toBeUndefined(); // it would only repeat the id
    }
    // Every alert its own identity: GitHub keys them by rule, path and this hash.
    const keys = run.results.map(
      (x: {
        ruleId: string;
        locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
        partialFingerprints: { primaryLocationLineHash: string };
      }) =>
        `${x.ruleId} ${x.locations[0]!.physicalLocation.artifactLocation.uri} ${x.partialFingerprints.primaryLocationLineHash}`,
    );
    expect(new Set(keys).size).toBe(keys.length);
    expect(run.automationDetails.id).toBe(`posture/${log.runs[0].invocations[0].endTimeUtc}`);
  });

  it('describes the controls as rules with their steps, and accepted risks as suppressed results', async () => {
    const t = await workspace(backend);
    await seed(t.store, awkwardStore());
    const log = JSON.parse(await exportOf(t.store, t.dir, 'sarif'));
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const run = log.runs[0];
    const rule = run.tool.driver.rules.find((x: { id: string }) => x.id === okta[0]!.id);
    expect(rule.help.text).toContain(`1. ${okta[0]!.steps[0]}`);
    expect(rule.help.markdown).toMatch(/^\*\*Implementation\*\*\n\n1\. /);
    expect(rule.shortDescription.text).toBe(okta[0]!.title);
    // Only the counted instances' failing and partial results.
    const ids = new Set(
      run.results.map((x: { properties: { instanceId: string } }) => x.properties.instanceId),
    );
    expect(ids).toEqual(new Set(['formula', 'pipes']));
    const accepted = run.results.find(
      (x: { ruleId: string; properties: { instanceId: string } }) =>
        x.ruleId === okta[0]!.id && x.properties.instanceId === 'formula',
    );
    expect(accepted.suppressions).toEqual([
      expect.objectContaining({
        kind: 'external',
        status: 'accepted',
        justification: expect.stringMatching(/^Risk accepted until 2099/),
      }),
    ]);
    // Located at its failing item, the names on one line.
    const where = accepted.locations[0].logicalLocations[0];
    expect(where.fullyQualifiedName.startsWith('okta/=HYPERLINK("http://attacker.test","x")/Policy')).toBe(
      true,
    );
    expect(where.name).toMatch(/^Policy/);
    expect(where.fullyQualifiedName).not.toMatch(/\n/);
    expect(accepted.locations[0].physicalLocation.artifactLocation.uri).toBe('posture/okta/formula');
    expect(run.invocations[0].toolExecutionNotifications).toHaveLength(1);
  });
});

describe.each(BACKENDS)('posture export --format sarif for GitHub code scanning, on $name', ({ backend }) => {
  interface SarifResult {
    ruleId: string;
    partialFingerprints: { primaryLocationLineHash: string };
    locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
    properties: { instanceId: string; item?: { id: string; name: string } };
    message: { text: string };
  }
  const resultsOf = (text: string): SarifResult[] => JSON.parse(text).runs[0].results;
  /** The SARIF of a workspace where okta[1] failed on these items in instance `x` (and `y`). */
  async function sarifWith(items: { id: string; name: string }[], extra: string[] = []) {
    const t = await workspace(backend);
    await seed(
      t.store,
      storeWith([instance('x', { name: 'Okta X' }), instance('y', { name: 'Okta Y' })], {
        x: [{}, { outcome: 'partial', count: 1, total: 10, failing: items }],
        y: [{}, { outcome: 'partial', count: 1, total: 10, failing: items }],
      }),
    );
    const r = await runIn(['export', '--format', 'sarif', '--store', t.store, ...extra], t);
    expect(r.stderr).toBe('');
    return resultsOf(r.stdout);
  }
  const hashes = (rs: SarifResult[], instanceId: string) =>
    new Map(
      rs
        .filter((r) => r.ruleId === okta[1]!.id && r.properties.instanceId === instanceId)
        .map((r) => [r.properties.item!.id, r.partialFingerprints.primaryLocationLineHash]),
    );

  it('one result per failing item, and one for a failing control that names none', async () => {
    const rs = await sarifWith([
      { id: 'r1', name: 'api' },
      { id: 'r2', name: 'web' },
      { id: 'r3', name: 'infra' },
    ]);
    const partial = rs.filter((r) => r.ruleId === okta[1]!.id && r.properties.instanceId === 'x');
    expect(partial.map((r) => r.properties.item)).toEqual([
      { id: 'r1', name: 'api' },
      { id: 'r2', name: 'web' },
      { id: 'r3', name: 'infra' },
    ]);
    expect(partial[1]!.message.text).toMatch(/^Okta X \(Okta\), web: /);
    const whole = rs.filter((r) => r.ruleId === okta[0]!.id && r.properties.instanceId === 'x');
    expect(whole).toHaveLength(1);
    expect(whole[0]!.properties.item).toBeUndefined();
    expect(whole[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('posture/okta/x');
  });

  it('an item keeps its fingerprint across exports: renamed, reordered, with others fixed or new', async () => {
    const before = await sarifWith([
      { id: 'r1', name: 'api' },
      { id: 'r2', name: 'web' },
      { id: 'r3', name: 'infra' },
    ]);
    const after = await sarifWith([
      { id: 'r4', name: 'docs' },
      { id: 'r3', name: 'infra' },
      { id: 'r1', name: 'api-renamed' },
    ]);
    const [b, a] = [hashes(before, 'x'), hashes(after, 'x')];
    expect(a.get('r1')).toBe(b.get('r1')); // same alert, still open
    expect(a.get('r3')).toBe(b.get('r3'));
    expect(a.has('r2')).toBe(false); // fixed: its alert closes
    expect([...b.values()]).not.toContain(a.get('r4')); // a new alert
    // The same item in another instance is another alert.
    expect(hashes(before, 'y').get('r1')).not.toBe(b.get('r1'));
    // And a regression reopens the same alert: the hash depends on nothing but the ids.
    const again = await sarifWith([{ id: 'r2', name: 'web' }]);
    expect(hashes(again, 'x').get('r2')).toBe(b.get('r2'));
  });

  it('leaves out a setting that is not there, so that the alert of its earlier failure closes', async () => {
    // Code scanning opens an alert for every result whatever its kind: notApplicable would be one.
    const t = tmp();
    const failed = storeWith([instance('x', { name: 'Okta X' })]);
    writeStore(t.store, failed);
    const before = resultsOf((await runIn(['export', '--format', 'sarif', '--store', t.store], t)).stdout);
    expect(before.map((r) => r.ruleId)).toContain(okta[0]!.id);
    writeStore(
      t.store,
      storeWith([instance('x', { name: 'Okta X' })], {
        x: [{ outcome: 'not_applicable', reason: 'the application is not installed', evidence: [] }],
      }),
    );
    const after = resultsOf((await runIn(['export', '--format', 'sarif', '--store', t.store], t)).stdout);
    expect(after.map((r) => r.ruleId)).not.toContain(okta[0]!.id);
    expect(after).toHaveLength(before.length - 1);
  });

  it('--instance: one instance under its own category; --category names the workspace', async () => {
    const t = await workspace(backend);
    await seed(t.store, storeWith([instance('x', { name: 'Okta X' }), instance('y', { name: 'Okta Y' })]));
    const one = await runIn(['export', '--format', 'sarif', '--instance', 'okta y', '--store', t.store], t);
    expect(one).toMatchObject({ code: 0, stderr: '' });
    const log = JSON.parse(one.stdout);
    expect(log.runs[0].automationDetails.id).toMatch(/^posture\/y\/\d{4}-/);
    expect(new Set(log.runs[0].results.map((r: SarifResult) => r.properties.instanceId))).toEqual(
      new Set(['y']),
    );
    const named = await runIn(
      ['export', '--format', 'sarif', '--category', 'posture/contoso', '--instance', 'x', '--store', t.store],
      t,
    );
    expect(JSON.parse(named.stdout).runs[0].automationDetails.id).toMatch(/^posture\/contoso\/x\/\d{4}-/);
    const ws = await runIn(['export', '--format', 'sarif', '--category', 'fabrikam', '--store', t.store], t);
    expect(JSON.parse(ws.stdout).runs[0].automationDetails.id).toMatch(/^fabrikam\/\d{4}-/);
  });

  it.each([
    [['--format', 'csv', '--instance', 'x'], '--instance applies to --format sarif only'],
    [['--format', 'json', '--category', 'a'], '--category applies to --format sarif only'],
    [['--format', 'sarif', '--category', 'a b'], '--category must be letters'],
    [['--format', 'sarif', '--category', 'a/'], '--category must be letters'],
    [['--format', 'sarif', '--instance', 'nope'], 'unknown instance "nope"'],
  ])('%j is refused with exit 2', async (args, error) => {
    const t = await workspace(backend);
    await seed(t.store, storeWith([instance('x', { name: 'Okta X' })]));
    const r = await runIn(['export', ...args, '--store', t.store], t);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(error);
  });

  it("refuses a fleet over GitHub's 25,000 results per run, and says how to split it", async () => {
    const t = await workspace(backend);
    const failing = Array.from({ length: 25_001 }, (_, n) => ({ id: `u${n}`, name: `user${n}` }));
    await seed(
      t.store,
      storeWith([instance('x', { name: 'Okta X' })], {
        x: [{}, { outcome: 'partial', count: 0, total: failing.length, failing }],
      }),
    );
    const out = join(t.dir, 'posture.sarif');
    const r = await runIn(['export', '--format', 'sarif', '--output', out, '--store', t.store], t);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'posture: the SARIF has 25,002 results; GitHub code scanning rejects more than 25,000 per run: export one instance at a time (--instance N) and upload each file\n',
    );
    expect(existsSync(out)).toBe(false);
    const one = await runIn(['export', '--format', 'sarif', '--instance', 'x', '--store', t.store], t);
    expect(one.stderr).toMatch(/25,000 per run: this one instance is over it/);
  });

  // Store-independent (the limits of a SARIF log): once is enough.
  it.runIf(backend === 'file')(
    'checks the other documented limits: runs, locations, tags and the gzip size',
    () => {
      const log = (o: { runs?: number; locations?: number; tags?: number; results?: number }) => ({
        runs: Array.from({ length: o.runs ?? 1 }, () => ({
          tool: {
            driver: { rules: [{ properties: { tags: Array.from({ length: o.tags ?? 3 }, () => 't') } }] },
          },
          results: Array.from({ length: o.results ?? 1 }, () => ({
            locations: Array.from({ length: o.locations ?? 1 }, () => ({})),
          })),
        })),
      });
      expect(overGithubLimits(log({}), '{}', false)).toBeUndefined();
      expect(overGithubLimits(log({ runs: 21 }), '{}', false)).toMatch(/21 runs; .* at most 20 per file/);
      expect(overGithubLimits(log({ locations: 1001 }), '{}', false)).toMatch(/more than 1,000 locations/);
      expect(overGithubLimits(log({ tags: 21 }), '{}', false)).toMatch(/more than 20 tags/);
      // Random text barely compresses: over a 1 MB limit, gzipped.
      const big = randomBytes(1_200_000).toString('base64');
      expect(overGithubLimits(log({}), big, false, { ...GITHUB_LIMITS, gzipBytes: 1024 * 1024 })).toMatch(
        /^the SARIF is 1\.\d MB gzip-compressed; GitHub code scanning rejects more than 1 MB/,
      );
      expect(GITHUB_LIMITS).toMatchObject({
        resultsPerRun: 25_000,
        gzipBytes: 10 * 1024 * 1024,
        runsPerFile: 20,
      });
    },
  );

  // File only: an external validator of the format (about 45 s); the schema check above runs on both.
  it.runIf(backend === 'file')(
    "passes Microsoft's SARIF Multitool with GitHub's ingestion rules and the SARIF rules",
    async () => {
      const t = await workspace(backend);
      const r = await runIn(['export', '--format', 'sarif', '--demo', '--store', t.store], t);
      // The demo has settings that do not apply (ServiceNow applications not installed): still valid.
      const json = await runIn(['export', '--format', 'json', '--demo', '--store', t.store], t);
      expect(json.stdout).toContain('"outcome":"not_applicable"');
      const file = join(t.dir, 'demo.sarif');
      writeFileSync(file, r.stdout);
      const report = join(t.dir, 'validation.sarif');
      // The platform binary itself: the package's bin.js runs it through a shell, which splits "Gh;Sarif".
      execFileSync(
        multitool(),
        ['validate', file, '--rule-kind', 'Gh;Sarif', '--output', report, '--log', 'ForceOverwrite'],
        { stdio: 'pipe', timeout: 150_000 },
      );
      const found = JSON.parse(readFileSync(report, 'utf8')).runs[0].results as {
        ruleId: string;
        level?: string;
        message: { arguments?: string[] };
      }[];
      const serious = found
        .filter((x) => (x.level ?? 'warning') !== 'note')
        // posture has no public web page for the tool's informationUri yet.
        .filter((x) => x.ruleId !== 'SARIF2005');
      expect(serious.map((x) => `${x.ruleId} ${x.message.arguments?.join(' ')}`)).toEqual([]);
      expect(found.filter((x) => x.ruleId.startsWith('GH'))).toEqual([]);
    },
    180_000,
  );
});

/** The Multitool for this platform ($SARIF_MULTITOOL overrides, e.g. to try one installed elsewhere). */
function multitool(): string {
  if (process.env['SARIF_MULTITOOL']) return process.env['SARIF_MULTITOOL'];
  try {
    return createRequire(import.meta.url)('@microsoft/sarif-multitool') as string;
  } catch {
    throw new Error('@microsoft/sarif-multitool is a devDependency: run npm ci');
  }
}

describe.each(BACKENDS)('posture export --format markdown, on $name', ({ backend }) => {
  it('is a report: score and views, breakdowns, actions by severity with their steps', async () => {
    const t = await workspace(backend);
    const text = (await runIn(['export', '--format', 'markdown', '--demo', '--store', t.store], t)).stdout;
    expect(text).toMatch(/^# Posture report\n/);
    for (const h of ['## Secure Score', '## By product', '## By instance', '## Recommended actions'])
      expect(text).toContain(`\n${h}\n`);
    expect(text).toMatch(/\| Current \| \d+\.\d% \| [\d.]+ \/ [\d.]+ \|/);
    expect(text).toMatch(/\| Planned \|/);
    expect(text).toMatch(/\| Achievable \|/);
    const severities = [...text.matchAll(/^### (Critical|High|Medium|Low) \(\d+\)$/gm)].map((m) => m[1]);
    expect(severities.length).toBeGreaterThan(1);
    expect(
      [...severities].sort(
        (a, b) =>
          ['Critical', 'High', 'Medium', 'Low'].indexOf(a!) -
          ['Critical', 'High', 'Medium', 'Low'].indexOf(b!),
      ),
    ).toEqual(severities);
    expect(text).toContain('**Implementation**\n\n1. ');
  });

  it('escapes table pipes and markup, and lists accepted risks apart', async () => {
    const t = await workspace(backend);
    await seed(t.store, awkwardStore());
    const text = await exportOf(t.store, t.dir, 'markdown');
    expect(text).toContain('| Okta \\| \\*prod\\* \\<b\\> |');
    expect(text).not.toContain('<b>');
    expect(text).toContain('## Accepted risks and other resolutions');
    expect(text).toMatch(/\| handled by the IdP \\\| upstream \|/);
    expect(text).toContain('> **Okta \\| \\*prod\\* \\<b\\>**: the last poll failed: Policy');
    // Every table row has the same number of unescaped pipes as its header.
    for (const block of text.split('\n\n').filter((b) => b.startsWith('| '))) {
      const counts = block
        .split('\n')
        .filter(Boolean)
        .map((l) => l.replace(/\\\|/g, '').split('|').length);
      expect(new Set(counts).size, block).toBe(1);
    }
    expect(md('a|b*c_d`e<f>[g](h)&i')).toBe('a\\|b\\*c\\_d\\`e\\<f\\>\\[g\\](h)\\&i');
    expect(mdLine('# not a heading')).toBe('\\# not a heading');
    expect(mdLine('1. not a list')).toBe('1\\. not a list');
    expect(md('version 1. fine')).toBe('version 1. fine');
  });
});

describe.each(BACKENDS)('every export passes the sanitizer, on $name', ({ backend }) => {
  it.each(['json', 'csv', 'sarif', 'markdown', 'ocsf'])(
    '%s has no control, escape or bidi characters',
    async (format) => {
      const t = await workspace(backend);
      await seed(t.store, awkwardStore());
      const text = await exportOf(t.store, t.dir, format);
      expect(text.replace(/\r\n/g, '\n')).not.toMatch(FORBIDDEN);
      expect(text).not.toMatch(/\\u00(1b|9b|9d|07|08)|\\u202e/i); // nor escaped in JSON
      for (const marker of PAYLOAD_MARKERS) expect(text).not.toContain(marker); // what the sequences carried
      if (format !== 'json') expect(text).not.toMatch(/[\u2028\u2029]/);
      expect(text).toContain('Policy'); // the hostile text is there, cleaned
    },
  );
});

describe.each(BACKENDS)('posture export --output, on $name', ({ backend }) => {
  it('writes the file whole, mode 0600, and nothing to stdout', async () => {
    const t = await workspace(backend);
    await seed(t.store, awkwardStore());
    const file = join(t.dir, 'report.sarif');
    writeFileSync(file, 'old contents');
    const r = await runIn(['export', '--format', 'sarif', '--output', file, '--store', t.store], t);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(JSON.parse(readFileSync(file, 'utf8')).version).toBe('2.1.0');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(t.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses to overwrite the store, or to write where it cannot, with one line and exit 2', async () => {
    const t = await workspace(backend);
    await seed(t.store, awkwardStore());
    const before = await snapshot(t.store);
    // A store file is a path --output could name; a database is not.
    if (backend === 'file') {
      const self = await runIn(['export', '--format', 'json', '--output', t.store, '--store', t.store], t);
      expect(self.code).toBe(2);
      expect(self.stderr).toMatch(/is the store itself/);
    }
    const nowhere = join(t.dir, 'missing', 'report.md');
    const r = await runIn(['export', '--format', 'markdown', '--output', nowhere, '--store', t.store], t);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^posture: cannot write .*report\.md: no such file or folder \(ENOENT\)\n$/);
    expect(existsSync(join(t.dir, 'missing'))).toBe(false);
    mkdirSync(join(t.dir, 'adir'));
    const dir = await runIn(
      ['export', '--format', 'csv', '--output', join(t.dir, 'adir'), '--store', t.store],
      t,
    );
    expect(dir.code).toBe(2);
    expect(readdirSync(t.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(await snapshot(t.store)).toBe(before);
  });
});

// File only: links to the store file, its .bak copy and its lock; a database has no path to reach.
describe('posture export --output, where the store is reached another way', () => {
  /** A store with a last good copy and a lock beside it, in a folder reached through `link`. */
  function scene() {
    const t = tmp();
    writeStore(t.store, awkwardStore());
    writeFileSync(`${t.store}.bak`, readFileSync(t.store));
    const link = join(t.dir, 'link');
    symlinkSync(t.dir, link);
    return { ...t, link };
  }
  const ways: [string, (s: ReturnType<typeof scene>) => string][] = [
    ['through a link to its folder', (s) => join(s.link, 'store.json')],
    ['its last good copy through a link to its folder', (s) => join(s.link, 'store.json.bak')],
    ['its lock through a link to its folder', (s) => join(s.link, 'store.json.lock')],
    ['through "link/../"', (s) => join(s.dir, 'link', '..', 'link', 'store.json')],
    [
      'a link to the store itself',
      (s) => {
        symlinkSync(s.store, join(s.dir, 'report.json'));
        return join(s.dir, 'report.json');
      },
    ],
    [
      'a hard link to the store',
      (s) => {
        linkSync(s.store, join(s.dir, 'hard.json'));
        return join(s.dir, 'hard.json');
      },
    ],
  ];
  it.each(ways)('%s: refused, the store and its copy byte for byte as they were', async (_w, output) => {
    const s = scene();
    const target = output(s);
    const before = [fingerprint(s.store), fingerprint(`${s.store}.bak`)];
    const r = await runIn(['export', '--format', 'json', '--output', target, '--store', s.store], s);
    expect(r.stderr).toBe(`posture: --output ${target} is the store itself; choose another file\n`);
    expect(r.code).toBe(2);
    expect([fingerprint(s.store), fingerprint(`${s.store}.bak`)]).toEqual(before);
    expect(existsSync(`${s.store}.lock`)).toBe(false);
  });

  it('a FIFO or other special file as --output is refused, not replaced by a file', async () => {
    const t = tmp();
    writeStore(t.store, awkwardStore());
    const fifo = join(t.dir, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await runIn(['export', '--format', 'csv', '--output', fifo, '--store', t.store], t);
    expect(r.stderr).toBe(`posture: cannot write ${fifo}: is a FIFO, not a regular file\n`);
    expect(r.code).toBe(2);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('an ordinary file beside the store through the same link is written', async () => {
    const s = scene();
    const target = join(s.link, 'report.json');
    const r = await runIn(['export', '--format', 'json', '--output', target, '--store', s.store], s);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(readFileSync(join(s.dir, 'report.json'), 'utf8')).schema).toBe('posture.export/1');
  });
});

describe.each(BACKENDS)('every format names what failed and the missing rights, on $name', ({ backend }) => {
  const failing = [
    { id: 'p2', name: 'Weak' },
    { id: 'p3', name: 'Contractors' },
    { id: 'p4', name: 'Legacy' },
    { id: 'p5', name: 'Kiosk' },
  ];
  async function store() {
    const t = await workspace(backend);
    await seed(
      t.store,
      storeWith([instance('x', { name: 'Okta X' })], {
        x: [
          {},
          { outcome: 'partial', count: 1, total: 5, failing },
          {
            outcome: 'unknown',
            reason: 'the token may not read this',
            missing: 'the okta.logStreams.read scope',
          },
        ],
      }),
    );
    return t;
  }
  const summary = /4 of 5 [a-z -]+ failed: Weak, Contractors, Legacy and 1 more/;

  it('json: the failing items with their ids, a summary, and the missing right', async () => {
    const t = await store();
    const doc = JSON.parse(await exportOf(t.store, t.dir, 'json'));
    const partial = doc.results.find((r: { controlId: string }) => r.controlId === okta[1]!.id);
    expect(partial.failing).toEqual(failing);
    expect(partial.failingSummary).toMatch(summary);
    const unknown = doc.results.find((r: { controlId: string }) => r.controlId === okta[2]!.id);
    expect(unknown).toMatchObject({
      outcome: 'unknown',
      missing: 'the okta.logStreams.read scope',
      failing: [],
    });
  });

  it('csv: reason, missing right and failing items as columns', async () => {
    const t = await store();
    const rows = parseCsv(await exportOf(t.store, t.dir, 'csv'));
    const col = (name: string) => rows[0]!.indexOf(name);
    const partial = rows.find((r) => r[col('control_id')] === okta[1]!.id)!;
    expect(partial[col('failing_items')]).toMatch(summary);
    const unknown = rows.find((r) => r[col('control_id')] === okta[2]!.id)!;
    expect(unknown[col('missing_right')]).toBe('the okta.logStreams.read scope');
    expect(unknown[col('reason')]).toBe('the token may not read this');
  });

  it('markdown and sarif: the failing items in the finding', async () => {
    const t = await store();
    expect(await exportOf(t.store, t.dir, 'markdown')).toMatch(summary);
    const sarif = JSON.parse(await exportOf(t.store, t.dir, 'sarif'));
    const result = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === okta[1]!.id);
    expect(result.message.text).toMatch(summary);
  });
});
