import { describe, expect, it } from 'vitest';
import { fitCells, truncate, width } from '../../source/text/cells.js';

describe('display width', () => {
  it('counts CJK and emoji as two cells and cuts by cells', () => {
    expect(width('安全')).toBe(4);
    expect(truncate('安全策略管理员', 7)).toBe('安全策…');
    expect(width(truncate('安全策略管理员', 7))).toBeLessThanOrEqual(7);
    expect(fitCells('ab', 4)).toBe('ab  ');
    expect(fitCells('ab', 4, 'right')).toBe('  ab');
    expect(width(fitCells('👩‍💻👩‍💻👩‍💻', 5))).toBe(5);
  });
});
