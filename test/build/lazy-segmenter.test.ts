import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error the build script is plain JavaScript
import { LAZY_SEGMENTER, lazySegmenters } from '../../scripts/build.mjs';

const edit = lazySegmenters as (body: string) => string;
/** `body` as the program runs it: the edit applied, the wrapper's class before it. */
const runEdited = (body: string): unknown => new Function(`${LAZY_SEGMENTER as string} ${edit(body)}`)();
const TEXT = 'a\u{1F44D}\u{1F3FD} e\u0301 \u{1F469}\u200D\u{1F4BB} \u4E2D\u6587 #\uFE0F\u20E3';

describe("the program's Intl.Segmenters, made when they first segment", () => {
  it('split text into the same graphemes as a Segmenter made at once, with and without options', () => {
    const minified = 'const a=new Intl.Segmenter,b=new Intl.Segmenter(void 0,{granularity:"grapheme"});';
    const [a, b, options] = runEdited(
      `const t = ${JSON.stringify(TEXT)}; ${minified} return [[...a.segment(t)].map(s => s.segment), [...b.segment(t)].map(s => [s.segment, s.index]), b.resolvedOptions().granularity];`,
    ) as [string[], [string, number][], string];
    const real = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    expect(a).toEqual([...new Intl.Segmenter().segment(TEXT)].map((s) => s.segment));
    expect(b).toEqual([...real.segment(TEXT)].map((s) => [s.segment, s.index]));
    expect(options).toBe('grapheme');
  });

  it('fails the build when the bundle makes none, or uses one other than by `new`', () => {
    expect(() => edit('const a = 1;')).toThrow(/makes no Intl.Segmenter/);
    expect(() => edit('new Intl.Segmenter; Intl.Segmenter.supportedLocalesOf([]);')).toThrow(
      /other than by `new`/,
    );
  });

  it.runIf(existsSync(join('dist', 'posture.js')))(
    'leaves no Segmenter made at once in the built program',
    () => {
      const program = readFileSync(join('dist', 'posture.js'), 'utf8');
      expect(program).toContain('new __LazySegmenter');
      expect(program.replace(LAZY_SEGMENTER as string, '')).not.toMatch(/\bIntl\.Segmenter\b/);
    },
  );
});
