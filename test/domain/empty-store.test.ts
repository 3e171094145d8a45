import { describe, expect, it } from 'vitest';
import { emptyStore, STORE_VERSION, StoreDocSchema } from '../../source/domain/schemas.js';

describe('a new store', () => {
  it('is what the schema makes of a bare version, every default filled in', () => {
    expect(emptyStore()).toEqual(StoreDocSchema.parse({ version: STORE_VERSION }));
  });

  it('shares nothing with the next one', () => {
    const a = emptyStore();
    a.instances.push({} as never);
    a.settings.secureScoreInstance.okta = 'x';
    expect(emptyStore()).toEqual(StoreDocSchema.parse({ version: STORE_VERSION }));
  });
});
