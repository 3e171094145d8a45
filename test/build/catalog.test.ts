import { describe, expect, it } from 'vitest';
import { checkCatalog } from '../../scripts/build.mjs';
import { CATALOG_SOURCES, loadCatalog, MANUAL_SOURCES, trustedCatalog } from '../../source/catalog/index.js';
import { validateCatalog } from '../../source/catalog/validate.js';

describe('the shipped catalog', () => {
  it('passes the check the build runs', async () => {
    await expect(checkCatalog()).resolves.toBeUndefined();
  });

  it('is loaded at run time as the check reads it, with the same defaults', () => {
    const checked = validateCatalog(CATALOG_SOURCES);
    expect(loadCatalog().controls).toEqual(checked.controls);
    expect([...loadCatalog().byId.keys()]).toEqual([...checked.byId.keys()]);
  });

  it("has the schema's defaults filled in where a control leaves them out", () => {
    const okta = (CATALOG_SOURCES.okta as { rule: object }[])[0]!;
    const bare = { ...okta, prerequisites: undefined, links: undefined, rule: { ...okta.rule } };
    for (const key of ['where', 'mode', 'onEmpty', 'noun'] as const)
      delete (bare.rule as Record<string, unknown>)[key];
    delete (bare as Record<string, unknown>).prerequisites;
    delete (bare as Record<string, unknown>).links;
    expect(trustedCatalog({ okta: [bare] }).controls).toEqual(validateCatalog({ okta: [bare] }).controls);
  });
});

describe('a bad catalog', () => {
  it('fails the build with one line naming the file, the place and the fault', async () => {
    const okta = (CATALOG_SOURCES.okta as Record<string, unknown>[]).map((c) => ({ ...c }));
    okta[2] = { ...okta[2], severity: 'dire' };
    const error = await checkCatalog({ ...CATALOG_SOURCES, okta }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^catalog okta\.json at 2\.severity: .+/);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('frameworks and manual checks in the catalog', () => {
  it('refuses a control that cites a requirement its framework does not list', () => {
    const okta = (CATALOG_SOURCES.okta as Record<string, unknown>[]).map((c) => ({ ...c }));
    okta[0] = { ...okta[0], benchmarks: [{ name: 'DISA STIG Okta IDaaS', id: 'OKTA-APP-999999' }] };
    expect(() => validateCatalog({ ...CATALOG_SOURCES, okta })).toThrow(
      /okta\.session\.idle_timeout cites DISA STIG Okta IDaaS OKTA-APP-999999, which disa-okta-idaas-stig-v1r2\.json does not list/,
    );
  });

  it('refuses an M365 control that cites a SCuBA policy id the Entra ID baseline does not have', () => {
    // MS.AAD.3.2v1 is the policy's id in ScubaGear 1.8.0; the baseline the framework lists has v2.
    const m365 = (CATALOG_SOURCES.m365 as { benchmarks: { name: string; id: string }[] }[]).map((c) => ({
      ...c,
      benchmarks: c.benchmarks.map((b) => (b.id === 'MS.AAD.3.2v2' ? { ...b, id: 'MS.AAD.3.2v1' } : b)),
    }));
    expect(() => validateCatalog({ ...CATALOG_SOURCES, m365 })).toThrow(
      /cites CISA SCuBA Microsoft Entra ID baseline MS\.AAD\.3\.2v1, which cisa-scuba-entra-id\.json does not list/,
    );
    expect(() => validateCatalog(CATALOG_SOURCES)).not.toThrow();
  });

  it('keeps manual checks out of the controls, so nothing scores, alerts or exports them as findings', () => {
    const catalog = loadCatalog();
    expect(catalog.manual.length).toBeGreaterThan(0);
    for (const m of catalog.manual) expect(catalog.byId.has(m.id)).toBe(false);
  });

  it('refuses a manual check without steps to check it by hand', () => {
    const manual = { okta: [{ ...(MANUAL_SOURCES.okta as object[])[0], steps: [] }] };
    expect(() => validateCatalog(CATALOG_SOURCES, manual)).toThrow(/okta\.manual\.json at 0\.steps/);
  });
});
