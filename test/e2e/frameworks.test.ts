import { describe, expect, it } from 'vitest';
import { keys, spawn } from '../helpers/pty.js';

// The Frameworks view as a person sees it: the built program in a real pseudo-terminal on the demo.

async function frameworks() {
  const s = spawn(['--demo']);
  await s.waitFor(/GitHub\s+2 \(1 on\)\s+ok/);
  await keys(s, '5');
  await s.waitFor('Frameworks · DISA Okta IDaaS STIG V1R2');
  return s;
}

describe('the Frameworks view', () => {
  it('opens on 5, cycles with F, and shows the controls behind the selected requirement', async () => {
    const s = await frameworks();
    await s.waitFor(/OKTA-APP-000020 is checked by:\s+okta\.session\.idle_timeout/);
    await keys(s, 'F');
    await s.waitFor('Frameworks · CISA SCuBA Microsoft Entra ID');
    await s.waitFor(/MS\.AAD\.1\.1v1\s+Pass\s+Legacy authentication SHALL be blocked/);
    await s.waitFor(/m365\.ca\.legacy_auth\s+Block legacy authentication/);
  });

  it(':framework NAME shows that framework, and a manual requirement says how to check it by hand', async () => {
    const s = await frameworks();
    await keys(s, ':', ...'framework exchange', '\r');
    await s.waitFor('Frameworks · CISA SCuBA Exchange Online');
    await s.waitFor('MS.EXO.1.1v2 check by hand: Block automatic forwarding to external domains');
    await s.waitFor('1. In the Exchange admin center open Mail flow › Remote domains.');
    // Down to SMTP AUTH (the eighth requirement): the pane follows the selection.
    await keys(s, ...'jjjjjjj');
    await s.waitFor('MS.EXO.5.1v1 check by hand: Turn off SMTP AUTH');
    await s.waitFor('1. In the Exchange admin center open Settings › Mail flow.');
    await keys(s, ':', ...'framework nonesuch', '\r');
    await s.waitFor('no framework named "nonesuch"');
    expect(s.screen()).toContain('CISA SCuBA Exchange Online');
  });

  it('Enter on a requirement opens the control behind it', async () => {
    const s = await frameworks();
    await keys(s, '\r');
    await s.waitFor(/Enable session timeout for web users — Okta Contoso/);
    await s.waitFor(/Benchmarks\s+DISA STIG Okta IDaaS OKTA-APP-000020/);
  });
});
