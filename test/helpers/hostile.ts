/**
 * Hostile strings: terminal escape injection, control and bidi characters, width traps. The
 * simulator can serve them as names, settings, error messages and evidence; tests assert none of
 * their control bytes reach a terminal or an export.
 */
export const HOSTILE: { name: string; text: string }[] = [
  { name: 'OSC 52 clipboard write', text: 'Policy\u001b]52;c;ZWNobyBwd25lZA==\u0007 A' },
  { name: 'OSC 52 with ST', text: 'Policy\u001b]52;c;cm0gLXJmIH4=\u001b\\ B' },
  { name: 'OSC 8 hyperlink', text: '\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007' },
  { name: 'OSC 0 title', text: '\u001b]0;pwned-title\u0007Rule' },
  { name: 'OSC 2 title', text: '\u001b]2;pwned\u001b\\Rule' },
  { name: 'unterminated OSC', text: 'Name\u001b]0;swallow the rest' },
  { name: 'CSI clear screen', text: 'x\u001b[2J\u001b[3Jy' },
  { name: 'CSI cursor moves', text: 'a\u001b[10A\u001b[5;5Hb\u001b[1K' },
  { name: 'CSI device status query', text: 'q\u001b[6n\u001b[21t' },
  { name: 'SGR colour', text: '\u001b[31mred\u001b[0m' },
  { name: 'RIS reset', text: 'reset\u001bc' },
  { name: 'DCS tmux passthrough', text: '\u001bPtmux;\u001b\u001b]52;c;aGk=\u0007\u001b\\ok' },
  { name: 'APC', text: '\u001b_Gf=100;AAAA\u001b\\img' },
  { name: '8-bit CSI', text: 'a\u009b2Jb' },
  { name: '8-bit OSC', text: 'a\u009d0;title\u0007b' },
  { name: 'bare ESC', text: 'lone\u001b escape' },
  { name: 'carriage return overwrite', text: 'AAAAAAAA\rBB' },
  { name: 'backspaces', text: 'safe\b\b\b\bEVIL' },
  { name: 'BEL', text: 'ding\u0007dong' },
  { name: 'SO/SI charset', text: 'ab\u000ecd\u000fef' },
  { name: 'bidi override (Trojan Source)', text: 'invoice\u202Egnp.exe\u202C' },
  { name: 'bidi isolates', text: '\u2066admin\u2069\u2067x\u2069' },
  { name: 'zero-width characters', text: 'ad\u200bmin\u200c\u200d\ufeff' },
  { name: 'DEL and C1 NEL', text: 'a\u007fb\u0085c' },
  { name: 'very long string', text: `Long${'x'.repeat(5000)}` },
  { name: 'wide CJK', text: '安全策略管理员用户组' },
  { name: 'emoji with ZWJ and VS16', text: 'team 👩‍💻 ⚡️ ok' },
  { name: 'newlines in a name', text: 'line1\nline2\r\nline3' },
  { name: 'OSC 52 with 8-bit ST', text: 'c\u001b]52;c;cHduZWQ=\u009cd' },
  { name: 'OSC 1337 inline file', text: 'f\u001b]1337;File=inline=1:ZXZpbA==\u0007g' },
  { name: 'PM and SOS strings', text: 'p\u001b^privacy\u001b\\q\u001bXsos\u001b\\r' },
  { name: 'mouse tracking and alternate screen', text: 'm\u001b[?1000h\u001b[?1049hn' },
  { name: 'bracketed paste end', text: 'paste\u001b[201~ then' },
  { name: 'NUL and a lone 8-bit ST', text: 'nul\u0000byte\u009c' },
  { name: 'line and paragraph separators', text: 'one\u2028two\u2029three' },
  { name: 'combining marks pile-up', text: `Z${'\u0301'.repeat(50)}algo` },
];

/** Text that must never appear on a screen or in an export: what the sequences above would carry. */
export const PAYLOAD_MARKERS = [
  '52;c;',
  'pwned',
  'evil.example',
  'tmux;',
  'Gf=100',
  '1337;File',
  'ZWNobyBwd25lZA',
  'cm0gLXJmIH4',
  'cHduZWQ',
  'ZXZpbA',
  'swallow the rest',
  'privacy',
  '[?1000h',
  '[?1049h',
  '[201~',
  '[6n',
  '[21t',
  '[5;5H',
];

/** Bytes that must never reach the terminal from data: ESC, C1, other C0 but newline, bidi controls. */
export const FORBIDDEN =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200b\u200e\u200f\ufeff]/;
