import { describe, expect, it } from 'vitest';
import { findInstance, healthOf, parseApp } from '../../source/domain/instances.js';
import { emptyStore } from '../../source/domain/schemas.js';
import { instance } from '../helpers/fixtures.js';

describe('what operators type, in the console and on the command line alike', () => {
  it('names an app by id or label in any case', () => {
    expect(parseApp('okta')).toBe('okta');
    expect(parseApp(' ServiceNow ')).toBe('servicenow');
    expect(parseApp('GITHUB')).toBe('github');
    expect(parseApp('slack')).toBeUndefined();
  });
  it('names an instance by id or by name in any case', () => {
    const doc = emptyStore();
    doc.instances.push(instance('okta-eu', { name: 'Okta Contoso EU' }));
    expect(findInstance(doc, 'okta contoso eu')?.id).toBe('okta-eu');
    expect(findInstance(doc, 'okta-eu')?.id).toBe('okta-eu');
    expect(findInstance(doc, 'Okta Contoso')).toBeUndefined();
  });
});

describe('health', () => {
  const now = Date.parse('2026-11-23T12:00:00Z');
  const polled = (minutesAgo: number, outcome: 'ok' | 'error' = 'ok') =>
    instance('i', {
      pollIntervalMinutes: 60,
      lastPoll: { at: new Date(now - minutesAgo * 60_000).toISOString(), outcome },
    });
  it('is never before a poll, error after a failed one, stale past twice the interval', () => {
    expect(healthOf(instance('i'), now)).toBe('never');
    expect(healthOf(polled(5, 'error'), now)).toBe('error');
    expect(healthOf(polled(119), now)).toBe('ok');
    expect(healthOf(polled(121), now)).toBe('stale');
  });
});

describe('emptyStore', () => {
  it('gives a new document each time: changing one changes no other', () => {
    const a = emptyStore();
    a.settings.secureScoreInstance.okta = 'x';
    a.instances.push({} as never);
    const b = emptyStore();
    expect(b.settings.secureScoreInstance).toEqual({});
    expect(b.instances).toEqual([]);
  });
});
