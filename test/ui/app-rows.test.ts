import { describe, expect, it } from 'vitest';
import { emptyStore } from '../../source/domain/schemas.js';
import { appRows } from '../../source/ui/model.js';
import { instance } from '../helpers/fixtures.js';

const NOW = Date.parse('2026-11-29T12:00:00.000Z');
const MIN = 60_000;
const polled = (minutesAgo: number, outcome: 'ok' | 'error' = 'ok') => ({
  lastPoll: { at: new Date(NOW - minutesAgo * MIN).toISOString(), outcome, durationMs: 5 },
});

describe("Connected apps' rows", () => {
  it('say when the first of their instances turns stale, so the shell redraws then (no pass over every instance)', () => {
    const doc = emptyStore();
    doc.instances = [
      instance('a', polled(10)), // stale 110 minutes from now (two 60-minute intervals)
      instance('b', { ...polled(30), pollIntervalMinutes: 20 }), // stale in 10 minutes: the first
      instance('c', polled(1, 'error')), // an error stays an error
      instance('d'), // never polled
      instance('g', { app: 'github', options: { org: 'x' }, ...polled(200) }), // stale already
    ];
    const rows = appRows(doc, new Map(), '', NOW);
    const okta = rows.find((r) => r.id === 'okta')!;
    expect(okta.health).toEqual({ ok: 2, error: 1, stale: 0, never: 1 });
    expect(okta.healthChangesAt).toBe(NOW + 10 * MIN + 1);
    expect(rows.find((r) => r.id === 'github')!.healthChangesAt).toBe(Infinity);
  });
});
