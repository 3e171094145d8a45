import { describe, expect, it } from 'vitest';
import type { StoreDoc } from '../../source/domain/schemas.js';
import { complete } from '../../source/ui/command-line.js';
import { frameworkNamed } from '../../source/ui/framework-rows.js';
import { LINE_COMMANDS } from '../../source/ui/line-commands.js';

const doc = { instances: [] } as unknown as StoreDoc;

describe('the :framework command', () => {
  it('is in the command table the help and the unknown-command answer read', () => {
    expect(LINE_COMMANDS.map((c) => c.name)).toContain('framework');
  });

  it('completes its name and then the framework ids', () => {
    expect(complete('frame', doc).line).toBe('framework ');
    expect(complete('framework cisa-scuba-t', doc).line).toBe('framework cisa-scuba-teams');
    expect(complete('framework cisa-scuba-', doc).candidates).toEqual([
      'cisa-scuba-entra-id',
      'cisa-scuba-sharepoint',
      'cisa-scuba-exchange-online',
      'cisa-scuba-teams',
      'cisa-scuba-security-suite',
    ]);
  });

  it('finds a framework by id, by name and version, or by the one it alone matches', () => {
    expect(frameworkNamed('cisa-scuba-entra-id')?.id).toBe('cisa-scuba-entra-id');
    expect(frameworkNamed('DISA Okta IDaaS STIG V1R2')?.id).toBe('disa-okta-idaas-stig-v1r2');
    expect(frameworkNamed('exchange')?.id).toBe('cisa-scuba-exchange-online');
    // Several match: none is guessed.
    expect(frameworkNamed('scuba')).toBeUndefined();
    expect(frameworkNamed('nonesuch')).toBeUndefined();
  });
});
