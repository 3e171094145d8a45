import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { loadCatalog } from '../../source/catalog/index.js';
import type { Result } from '../../source/domain/schemas.js';
import { renderConsole } from '../helpers/console.js';
import { instance } from '../helpers/fixtures.js';
import { KEYS, type } from '../helpers/ink.js';
import { openStore } from '../helpers/store.js';
import { tempDir } from '../helpers/temp.js';

const r = (controlId: string, outcome: Result['outcome']): Result => ({ controlId, outcome, evidence: [] });

/** One counted Okta instance: the log stream fails, the password length is unknown, the rest pass. */
async function setup() {
  const file = join(tempDir(), 'store.json');
  const writer = await openStore(file);
  await writer.update((d) => {
    d.instances.push(instance('eu', { name: 'Okta Contoso EU' }));
    const outcome = (id: string) =>
      id === 'okta.logstream' ? 'fail' : id === 'okta.pwd.min_length' ? 'unknown' : 'pass';
    d.results.eu = {
      polledAt: new Date().toISOString(),
      results: loadCatalog()
        .forApp('okta')
        .map((c) => r(c.id, outcome(c.id))),
    };
  });
  writer.close();
  const store = await openStore(file);
  const app = renderConsole(store, loadCatalog(), 'analyst');
  await vi.waitFor(() => expect(app.lastFrame()).toContain('Connected apps'));
  return app;
}

const line = (frame: string, id: string) =>
  frame
    .split('\n')
    .find((l) => l.includes(id))
    ?.replace(/\s+/g, ' ')
    .trim();

describe('the Frameworks view', () => {
  it('lists each requirement with its status and controls, and opens the action behind one', async () => {
    const { stdin, lastFrame } = await setup();
    await type(stdin, '5');
    await vi.waitFor(() => expect(lastFrame()).toContain('Frameworks · DISA Okta IDaaS STIG V1R2 (Okta)'));
    const frame = lastFrame()!;
    // 25 requirements have a control: one fails (log streaming), one is unknown: 23 of 24 judged met.
    expect(frame).toContain('23 of 24 met (95.83%) · 4 manual');
    expect(line(frame, 'OKTA-APP-000020')).toMatch(
      // The controls column may be cut; the pane under the list names them whole.
      /OKTA-APP-000020 Pass Okta must log out .*okta\.session\.idle_time/,
    );
    expect(line(frame, 'OKTA-APP-000090')).toMatch(/Manual .*check by hand/);

    // Down to OKTA-APP-001430 (the 17th row) and Enter: its one action's page.
    await type(stdin, ...Array.from({ length: 16 }, () => KEYS.down));
    await vi.waitFor(() => expect(line(lastFrame()!, 'OKTA-APP-001430')).toMatch(/Fail/));
    await type(stdin, KEYS.enter);
    await vi.waitFor(() => expect(lastFrame()).toContain('Stream the System Log'));
  });

  it('says how a manual requirement is checked instead of opening nothing', async () => {
    const { stdin, lastFrame } = await setup();
    await type(stdin, '5', KEYS.down, KEYS.down, KEYS.enter);
    await vi.waitFor(() =>
      expect(lastFrame()).toContain('OKTA-APP-000090 is checked by hand: Disable accounts after 35 days'),
    );
  });
});
