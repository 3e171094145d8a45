import { describe, expect, it } from 'vitest';
import { cleanJson, jsonText } from '../../source/commands/output.js';

describe('JSON output', () => {
  it('sanitizes every string, keys included, as the deep copy does', () => {
    const hostile = 'evil\u202egnp.exe\u200b\u001b[31m';
    const value = {
      plain: 'text',
      [hostile]: { nested: [hostile, 1, null, true, { [`k${hostile}`]: hostile }] },
      list: [{ a: 'x\ny' }],
      missing: undefined,
    };
    const text = jsonText(value);
    expect(text).toBe(`${JSON.stringify(cleanJson(value), null, 2)}\n`);
    for (const ch of ['\u202e', '\u200b', '\u001b']) expect(text).not.toContain(ch);
    expect(JSON.parse(text).plain).toBe('text');
  });

  it('gives the same text as the deep copy whatever the strings hold', () => {
    const strings = [
      'plain',
      'a "quoted" \\ back\\slash',
      'C:\\new',
      'tab\there',
      'line\nbreak',
      'caf\u00e9',
      '\ud800',
      '\u007f',
      '',
    ];
    for (const s of strings) {
      const value = { [s]: [s, { s }], n: 1 };
      expect(jsonText(value)).toBe(`${JSON.stringify(cleanJson(value), null, 2)}\n`);
    }
  });
});
