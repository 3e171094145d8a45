import us from '../../data/demo/okta-contoso-us.json' with { type: 'json' };
import type { DemoTenant } from '../../source/simulator/types.js';
import type { Fault } from '../helpers/faults.js';
import { HOSTILE } from '../helpers/hostile.js';

/**
 * A hostile Okta tenant, built from the Contoso US demo tenant: every name and setting the console
 * shows as evidence (policy and rule names, API token and log stream names, setting values) is a
 * hostile string; plus one error tenant per hostile string, whose every answer is a 400 carrying it
 * as Okta's errorSummary.
 */

const H = HOSTILE.map((h) => h.text);
const at = (i: number) => H[i % H.length]!;

type Named = { name: string; status?: string; type?: string; rules?: Named[]; [k: string]: unknown };

export function hostileTenant(): DemoTenant {
  const t = structuredClone(us) as unknown as DemoTenant;
  t.id = 'okta-hostile';
  t.name = 'Okta Hostile';
  t.token = 'hostile-token-4Jd8';
  t.variable = 'POSTURE_TEST_HOSTILE_TOKEN';
  t.forbidden = [];
  // The demo's US token is a scoped OAuth token; the hostile tenant's sees everything, as an SSWS token.
  delete t.options;
  delete (t.data as { oauthScopes?: unknown }).oauthScopes;
  let n = 0;
  const d = t.data as {
    policies: Named[];
    apiTokens: Named[];
    logStreams?: Named[];
    threats: Record<string, unknown>;
    oktaSupport: Record<string, unknown>;
    adminConsoleSettings?: Record<string, unknown>;
  };
  for (const p of d.policies) {
    p.name = at(n++);
    for (const r of p.rules ?? []) r.name = at(n++);
  }
  const token = d.apiTokens[0]!;
  d.apiTokens = Array.from({ length: 8 }, (_, i) => ({
    ...structuredClone(token),
    id: `00Thostile${i}`,
    name: at(n++),
    // A setting value the evidence shows as it was seen.
    network: { connection: i % 2 ? at(n++) : 'ANYWHERE' },
  }));
  d.logStreams = [0, 1].map((i) => ({
    id: `0Lshostile${i}`,
    type: 'aws_eventbridge',
    name: at(n++),
    status: at(n++),
  }));
  d.threats.action = at(n++);
  d.oktaSupport.support = at(n++);
  d.adminConsoleSettings = { sessionIdleTimeoutMinutes: at(n++), sessionMaxLifetimeMinutes: 720 };
  return t;
}

/** One tenant per hostile string; its errors carry the string as Okta's errorSummary. */
export function errorTenants(): { tenants: DemoTenant[]; faults: Fault[] } {
  const tenants = HOSTILE.map((_, i) => {
    const t = structuredClone(us) as unknown as DemoTenant;
    const id = `okta-error-${String(i + 1).padStart(2, '0')}`;
    Object.assign(t, {
      id,
      name: `Okta error ${String(i + 1).padStart(2, '0')}`,
      token: `error-token-${i}-Yp2`,
      variable: `POSTURE_TEST_ERROR_${i}_TOKEN`,
    });
    return t;
  });
  const faults: Fault[] = HOSTILE.map((h, i) => ({
    kind: 'status',
    status: 400,
    tenant: tenants[i]!.id,
    message: h.text,
  }));
  return { tenants, faults };
}
