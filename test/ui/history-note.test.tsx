import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { layout } from '../../source/ui/layout.js';
import { INITIAL } from '../../source/ui/state.js';
import { HistoryView } from '../../source/ui/views/screens.js';
import { context } from './reducer/table.js';

describe('the History view at 80x24', () => {
  it('says where its window of polls is and how many are below, and that they are all shown when they are', () => {
    const ctx = context();
    const size = layout(80, 24);
    const { lastFrame, unmount } = render(
      <HistoryView state={{ ...INITIAL, view: 'history' }} ctx={ctx} size={size} />,
    );
    // Forty polls, fewer rows: the header says how many more there are.
    expect(lastFrame()).toMatch(
      /Changes per poll \(new · fixed · regressed\) · 1–(\d+) of 40 · (\d+) more ↓/,
    );
    const [, last, more] = /1–(\d+) of 40 · (\d+) more/.exec(lastFrame() ?? '')!;
    expect(Number(last) + Number(more)).toBe(40);
    unmount();
    const few = render(
      <HistoryView
        state={{ ...INITIAL, view: 'history' }}
        ctx={{ ...ctx, polls: ctx.polls.slice(0, 3) }}
        size={size}
      />,
    );
    expect(few.lastFrame()).toMatch(/Changes per poll \(new · fixed · regressed\)\n/);
    few.unmount();
  });
});
