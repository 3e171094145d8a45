import { describe, expect, it } from 'vitest';
import { sanitize } from '../../source/text/sanitize.js';
import { FORBIDDEN, HOSTILE } from '../helpers/hostile.js';

describe('sanitize', () => {
  it.each(HOSTILE)('neutralises $name', ({ text }) => {
    const out = sanitize(text);
    expect(out).not.toMatch(FORBIDDEN);
    expect(out).not.toContain('\u001b');
    expect(out).not.toContain('\n');
  });

  it('keeps the readable text around removed sequences', () => {
    expect(sanitize('Policy\u001b]52;c;ZWNobyBwd25lZA==\u0007 A')).toBe('Policy A');
    expect(sanitize('\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007')).toBe('click');
    expect(sanitize('\u001b[31mred\u001b[0m')).toBe('red');
    expect(sanitize('AAAAAAAA\rBB')).toBe('AAAAAAAA BB');
    expect(sanitize('invoice\u202Egnp.exe\u202C')).toBe('invoicegnp.exe');
    expect(sanitize('a\u009b2Jb')).toBe('ab');
    expect(sanitize('Name\u001b]0;swallow the rest')).toBe('Name');
  });

  it('keeps emoji joiners and wide characters intact', () => {
    expect(sanitize('team 👩‍💻 ok')).toBe('team 👩‍💻 ok');
    expect(sanitize('安全策略')).toBe('安全策略');
  });

  it('keeps newlines only when asked for multiline text', () => {
    expect(sanitize('a\nb', { multiline: true })).toBe('a\nb');
    expect(sanitize('a\tb')).toBe('a  b');
  });

  it('accepts anything, including non-strings', () => {
    expect(sanitize(undefined)).toBe('');
    expect(sanitize(42)).toBe('42');
    expect(sanitize('\ud800lone surrogate')).toBe('\ufffdlone surrogate');
  });
});
