import { describe, expect, it } from 'vitest';
import { buildActions } from '../../source/domain/scoring.js';
import { control, instance, world } from '../helpers/fixtures.js';

const now = new Date('2026-11-23T12:00:00Z');

describe('ranking ties', () => {
  it('orders equal points, severity and impact by title, then instance name, in code-unit order', () => {
    // Titles where one is the start of another, upper before lower case, and names shared by two instances.
    const titles = ['Require MFA', 'Require MFA for admins', 'require a PIN', 'Zeta', 'Éclair'];
    const controls = titles.map((title, i) => control(`okta.c${i}`, { title, maxPoints: 5 }));
    const names = ['beta', 'Alpha', 'alpha', 'beta', 'Beta 2'];
    const instances = names.map((name, i) => instance(`i${i}`, { name }));
    const fail = (controlId: string) => ({ controlId, outcome: 'fail' as const, evidence: [] });
    const { doc, catalog } = world(
      controls,
      instances,
      Object.fromEntries(instances.map((i) => [i.id, controls.map((c) => fail(c.id))])),
    );
    const ranked = buildActions(doc, catalog.byId, now);
    const byJoinedText = [...ranked].sort((x, y) => {
      const a = `${x.control.title}\u0000${x.instance.name}`;
      const b = `${y.control.title}\u0000${y.instance.name}`;
      // Equal texts keep the order of collection (instances, then their results).
      return a < b ? -1 : a > b ? 1 : doc.instances.indexOf(x.instance) - doc.instances.indexOf(y.instance);
    });
    expect(ranked.map((a) => a.id)).toEqual(byJoinedText.map((a) => a.id));
    expect(ranked.map((a) => a.rank)).toEqual(ranked.map((_, i) => i + 1));
    expect(ranked[0]).toMatchObject({ control: { title: 'Require MFA' }, instance: { name: 'Alpha' } });
  });
});
