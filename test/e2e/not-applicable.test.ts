import { describe, expect, it } from 'vitest';
import { keys, spawn } from '../helpers/pty.js';

// What a person sees of settings that are not there, at 80x24, on the demo (ServiceNow Contoso has
// no Field Service Management application).
describe('not-applicable actions in the built program', () => {
  it('are listed as Not applicable with no points, and their page says why', async () => {
    const s = spawn(['--demo'], { cols: 80, rows: 24 });
    await s.waitFor(/ServiceNow\s+\d/);
    await keys(s, '3', ':', ...'status not applicable', '\r');
    await s.waitFor('status: Not applicable');
    await s.waitFor(/Enable work order manage.*–\/\d+\s+Not applicable/);
    // Every row listed is one: no points to earn, none to lose.
    const rows = s
      .screen()
      .split('\n')
      .filter((l) => l.includes('ServiceNow Conto'));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/–\/\d+\s+Not applicable/);
    await keys(s, '/', ...'work order', '\r');
    await s.waitFor(/Enable work order manage.*Not applicable/);
    await keys(s, '\r');
    await s.waitFor(/Result\s+not applicable — the Field Service Management application/);
    await keys(s, 's');
    await s.waitFor('Not applicable is set by the system: the setting is not there');
    await keys(s, 'q');
    expect(await s.exit).toBe(0);
  });

  it('the Frameworks view says how many requirements do not apply beside the percentage that leaves them out', async () => {
    // Wide: at 80 columns this framework's long requirement ids (property names) cut its title.
    const s = spawn(['--demo'], { cols: 160, rows: 24 });
    await s.waitFor(/ServiceNow\s+\d/);
    await keys(s, ':', ...'framework servicenow-hardening-australia', '\r');
    await s.waitFor(/of \d+ met \([\d.]+%\) · 2 n\/a ·/);
    await keys(s, 'q');
    expect(await s.exit).toBe(0);
  });
});
