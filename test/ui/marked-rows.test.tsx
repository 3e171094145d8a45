import chalk from 'chalk';
import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { matchParts } from '../../source/text/highlight.js';
import { sanitize } from '../../source/text/sanitize.js';
import { Row } from '../../source/ui/views/lists.js';

// A filter's matches are drawn in reverse of the row. The row is drawn as one styled string (one
// Ink node per row); it must reach the terminal exactly as the row of one <Text> per part did.
function PartsRow({ text, selected, color, dim, mark }: Parameters<typeof Row>[0]) {
  return (
    <Text dimColor={dim ?? false} {...(color && !selected ? { color } : {})} wrap="truncate-end">
      {matchParts(sanitize(text), sanitize(mark!)).map((p, i) => (
        <Text key={i} inverse={selected !== p.hit} underline={p.hit}>
          {p.text}
        </Text>
      ))}
    </Text>
  );
}

const frame = (node: React.ReactElement) => {
  const r = render(node);
  const f = r.lastFrame();
  r.unmount();
  return f;
};

describe('a row with the filter’s matches marked', () => {
  let level: typeof chalk.level;
  beforeEach(() => {
    level = chalk.level;
    chalk.level = 1; // as on a terminal: the marks are colour codes
  });
  afterEach(() => {
    chalk.level = level;
  });

  const cases = [
    { text: '  12 Require password rules   Okta Pass 3   10.0  To address  high', mark: 'pass' },
    { text: 'pass at the start and at the end: PASS', mark: 'Pass' },
    { text: 'no match here', mark: 'zzz' },
    { text: 'ßtraße İstanbul ünï', mark: 'ün' },
    { text: 'a tenant\u001b[31m escape \u202e pass', mark: 'pass' },
    { text: 'x'.repeat(200), mark: 'xx' },
  ];
  it('draws what one Ink text per part drew, selected or not, coloured, dimmed', () => {
    let marked = 0;
    for (const c of cases)
      for (const selected of [false, true])
        for (const color of [undefined, 'red'])
          for (const dim of [false, true]) {
            const props = { ...c, selected, dim, ...(color ? { color } : {}) };
            const drawn = frame(<Row {...props} />);
            expect(drawn, JSON.stringify(props)).toBe(frame(<PartsRow {...props} />));
            if (drawn?.includes('\u001b[4m')) marked++;
          }
    expect(marked).toBeGreaterThan(20);
  });
});
