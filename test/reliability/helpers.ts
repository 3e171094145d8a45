import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Instance, StoreDoc } from '../../source/domain/schemas.js';
import { emptyStore } from '../../source/domain/schemas.js';
import { oktaDemo } from '../../source/simulator/okta.js';
import type { Simulator } from '../../source/simulator/server.js';
import type { DemoTenant } from '../../source/simulator/types.js';
import { instanceFor, tenantCopy } from '../helpers/sim.js';

export const [oktaEu, oktaUs] = oktaDemo as [DemoTenant, DemoTenant];

import { tempDir } from '../helpers/temp.js';
import { bundleFixture } from '../helpers/bundle.js';

export { tempDir };

/** A third Okta tenant, a copy of Contoso US under its own id, token and variable. */
export function oktaCopy(id: string, patch: Partial<DemoTenant> = {}): DemoTenant {
  // The US demo tenant's token is a scoped OAuth token; these copies read everything with an SSWS token.
  const { oauthScopes: _scoped, ...data } = structuredClone(oktaUs.data);
  return tenantCopy(oktaUs, {
    data,
    options: {},
    id,
    name: `Okta ${id}`,
    token: `token-${id}-7Qx2`,
    variable: `POSTURE_TEST_${id.replace(/\W/g, '_').toUpperCase()}_TOKEN`,
    ...patch,
  });
}

/** The environment a poll needs: each tenant's token under its variable. */
export function envFor(tenants: readonly DemoTenant[]): Record<string, string> {
  return Object.fromEntries(tenants.map((t) => [t.variable, t.token]));
}

/** A store document whose instances point at the simulator, every one with recommendations on. */
export function docFor(
  sim: Simulator,
  tenants: readonly DemoTenant[],
  extra: Partial<Instance> = {},
): StoreDoc {
  const doc = emptyStore();
  doc.instances = tenants.map((t) => instanceFor(sim, t, { recommendations: true, ...extra }));
  return doc;
}

export function writeStore(file: string, doc: StoreDoc): void {
  writeFileSync(file, JSON.stringify(doc), { mode: 0o600 });
}

/** A self-signed certificate for 127.0.0.1 and localhost, made with openssl at test time. */
export function selfSignedCert(dir: string): { key: Buffer; cert: Buffer; certFile: string } {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(keyFile), cert: readFileSync(certFile), certFile };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The commit-loop fixture bundled to a script a test can run and SIGKILL (fixtures/commit-loop.ts). */
export const bundleCommitLoop = () => bundleFixture(join(import.meta.dirname, 'fixtures', 'commit-loop.ts'));
