import { describe, expect, it } from 'vitest';
import { type ActionFilter, filterActions, NO_FILTER, SORTS } from '../../source/domain/action-filter.js';
import { STATE_LABELS } from '../../source/domain/schemas.js';
import type { Action } from '../../source/domain/scoring.js';
import { width as cellWidth } from '../../source/text/cells.js';
import { points } from '../../source/text/format.js';
import { sanitize } from '../../source/text/sanitize.js';
import { actionRows } from '../../source/ui/model.js';
import { actionTexts } from '../../source/ui/views/lists.js';
import { baseDoc, context } from './reducer/table.js';

describe('the Recommended actions list while a filter is typed', () => {
  const ctx = context(baseDoc());
  it('narrows the last list to the same rows, in the same order, as filtering all actions', () => {
    // Typing, deleting, typing a different case, and another filter field changing in between.
    const steps: Partial<ActionFilter>[] = [
      { text: '' },
      { text: 'c' },
      { text: 'co' },
      { text: 'con' },
      { text: 'Cont' },
      { text: 'cont', product: 'okta' },
      { text: 'contr', product: 'okta' },
      { text: 'co' },
      { text: 'co', showAccepted: true },
      { text: 'co 1', showAccepted: true },
      { text: '1' },
    ];
    for (const sort of SORTS)
      for (const reverse of [false, true])
        for (const step of steps) {
          const f = { ...NO_FILTER, ...step };
          const ids = (rows: readonly { id: string }[]) => rows.map((a) => a.id);
          expect(ids(actionRows(ctx.actions, f, sort, reverse))).toEqual(
            ids(filterActions(ctx.actions, f, sort, reverse)),
          );
        }
  });
});

describe('the widths of the listed actions', () => {
  it('are the widest texts of the rows shown, whatever list came before', () => {
    const doc = baseDoc();
    doc.instances[0]!.name = 'A rather long instance name\u202e';
    const ctx = context(doc);
    const expected = (rows: readonly Action[]) => ({
      title: Math.max(5, ...rows.map((a) => cellWidth(sanitize(a.control.title)))),
      instance: Math.max(8, ...rows.map((a) => cellWidth(sanitize(a.instance.name)))),
      points: Math.max(
        6,
        ...rows.map((a) => `${a.achieved === null ? '–' : points(a.achieved)}/${points(a.max)}`.length),
      ),
      status: Math.max(6, ...rows.map((a) => STATE_LABELS[a.state].length + (a.unverified ? 1 : 0))),
    });
    for (const text of ['', 'rather', 'okta', 'zzz', '']) {
      const rows = filterActions(ctx.actions, { ...NO_FILTER, text, showAccepted: true }, 'rank');
      expect(actionTexts(rows)).toEqual(expected(rows));
    }
  });
});
