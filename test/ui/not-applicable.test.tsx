import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { validateCatalog } from '../../source/catalog/validate.js';
import type { Result } from '../../source/domain/schemas.js';
import { renderConsole } from '../helpers/console.js';
import { control, instance } from '../helpers/fixtures.js';
import { KEYS, type } from '../helpers/ink.js';
import { openStore } from '../helpers/store.js';
import { tempDir } from '../helpers/temp.js';
import { baseDoc, check } from './reducer/table.js';

const r = (controlId: string, outcome: Result['outcome'], reason?: string): Result => ({
  controlId,
  outcome,
  evidence: [],
  ...(reason ? { reason } : {}),
});

describe('a not-applicable action in the console', () => {
  it('takes no status from an operator: the system sets it, and says so', () => {
    const doc = baseDoc();
    // Okta EU: every control fails but the first, which does not apply (and ranks last).
    doc.results.eu!.results[0] = r('okta.c1', 'not_applicable');
    check(
      {
        name: 's on it',
        from: { view: 'actions', filter: { text: '', showAccepted: false, status: 'not_applicable' } },
        keys: ['s'],
        state: {
          overlay: undefined,
          message: 'Not applicable is set by the system: the setting is not there',
        },
        effects: [],
      },
      doc,
    );
  });

  it('is listed as Not applicable with no points, its page says why, and the score leaves it out', async () => {
    const catalog = validateCatalog({
      okta: [
        control('okta.mfa.admin', { title: 'Okta admin MFA', maxPoints: 10 }),
        control('okta.fsm.rules', { title: 'Field service query rules', maxPoints: 8 }),
      ],
    });
    const file = join(tempDir(), 'store.json');
    const writer = await openStore(file);
    await writer.update((d) => {
      d.instances.push(instance('eu', { name: 'Okta Contoso EU' }));
      d.results.eu = {
        polledAt: new Date().toISOString(),
        results: [
          r('okta.mfa.admin', 'fail'),
          r('okta.fsm.rules', 'not_applicable', 'the application is not installed'),
        ],
      };
    });
    writer.close();
    const app = renderConsole(await openStore(file), catalog);
    await vi.waitFor(() => expect(app.lastFrame()).toContain('Connected apps'));
    // 0 of 10: the 8 points of the setting that is not there are in no maximum.
    expect(app.lastFrame()).toMatch(/0(\.0+)?% \(0\/10\)/);
    await type(app.stdin, '3');
    await vi.waitFor(() => expect(app.lastFrame()).toContain('Field service query rules'));
    const row = app
      .lastFrame()!
      .split('\n')
      .find((l) => l.includes('Field service query rules'))!;
    expect(row).toMatch(/–\/8\s+Not applicable/);
    await type(app.stdin, KEYS.down, KEYS.enter);
    await vi.waitFor(() =>
      expect(app.lastFrame()).toMatch(/Result\s+not applicable — the application is not installed/),
    );
    expect(app.lastFrame()).toMatch(/Status\s+Not applicable/);
  });
});
