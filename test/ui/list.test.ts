import { describe, expect, it } from 'vitest';
import { windowStart } from '../../source/ui/list.js';

describe('windowStart', () => {
  it('keeps the window while the selection stays inside it', () => {
    expect(windowStart(100, 5, 20, 0)).toBe(0);
    expect(windowStart(100, 19, 20, 0)).toBe(0);
  });
  it('scrolls by half a page when the selection steps past an edge, so most moves redraw two rows', () => {
    expect(windowStart(100, 20, 20, 0)).toBe(10);
    expect(windowStart(100, 9, 20, 10)).toBe(0);
  });
  it('puts a far jump at the edge and never scrolls past the ends', () => {
    expect(windowStart(100, 60, 20, 0)).toBe(41);
    expect(windowStart(100, 99, 20, 41)).toBe(80);
    expect(windowStart(100, 0, 20, 80)).toBe(0);
    expect(windowStart(10, 9, 20, 0)).toBe(0);
  });
});
