import { describe, expect, it } from 'vitest';
import { adminUrl } from '../../source/domain/admin-url.js';
import { actionKey } from '../../source/domain/scoring.js';
import { opener } from '../../source/ui/browser.js';
import { COPY_MAX, osc52 } from '../../source/ui/clipboard.js';
import { type EffectDeps, runEffect } from '../../source/ui/effects.js';
import { baseDoc, check, CONTROLS, type Row } from './reducer/table.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('osc52', () => {
  it('writes the value as base64 in one OSC 52, BEL-terminated', () => {
    expect(osc52('okta.c1', {})).toEqual({ bytes: `\u001b]52;c;${b64('okta.c1')}\u0007` });
  });
  it('in tmux, sends it plain and wrapped for passthrough (ESCs doubled)', () => {
    const r = osc52('x', { TMUX: '/tmp/tmux-1/default,1,0' });
    expect(r).toEqual({
      bytes: `\u001b]52;c;${b64('x')}\u0007\u001bPtmux;\u001b\u001b]52;c;${b64('x')}\u0007\u001b\\`,
    });
  });
  it('copies the sanitized value, and refuses one too long rather than cut it', () => {
    expect(osc52('a\u001b]0;t\u0007b', {})).toEqual({ bytes: `\u001b]52;c;${b64('ab')}\u0007` });
    expect(osc52('x'.repeat(COPY_MAX + 1), {})).toEqual({ error: expect.stringMatching(/too long/) });
  });
});

describe('opener', () => {
  const url = 'https://help.okta.com/x';
  it('uses the desktop opener, no shell, where there is a display', () => {
    expect(opener(url, 'linux', { DISPLAY: ':0' })).toEqual({ command: 'xdg-open', args: [url] });
    expect(opener(url, 'linux', { WAYLAND_DISPLAY: 'wayland-0', SSH_TTY: '/dev/pts/1' })).toMatchObject({
      command: 'xdg-open',
    });
    expect(opener(url, 'darwin', {})).toEqual({ command: 'open', args: [url] });
    expect(opener(url, 'win32', {})).toMatchObject({ command: 'rundll32' });
  });
  it('says there is none over SSH without a display, or with no display at all', () => {
    expect(opener(url, 'linux', { SSH_CONNECTION: '1 2 3 4' })).toEqual({
      none: 'no browser over SSH without a display',
    });
    expect(opener(url, 'darwin', { SSH_TTY: '/dev/ttys001' })).toHaveProperty('none');
    expect(opener(url, 'linux', {})).toHaveProperty('none');
  });
  it('opens only http(s) links', () => {
    expect(opener('file:///etc/passwd', 'linux', { DISPLAY: ':0' })).toHaveProperty('none');
    expect(opener('--help', 'linux', { DISPLAY: ':0' })).toHaveProperty('none');
  });
});

describe('adminUrl', () => {
  it('is the admin console where it lives apart from the API', () => {
    expect(adminUrl({ app: 'okta', baseUrl: 'https://contoso.okta.com', options: {} })).toBe(
      'https://contoso-admin.okta.com/admin/dashboard',
    );
    expect(adminUrl({ app: 'github', baseUrl: 'https://api.github.com', options: { org: 'contoso' } })).toBe(
      'https://github.com/organizations/contoso/settings',
    );
    expect(adminUrl({ app: 'servicenow', baseUrl: 'https://acme.service-now.com/', options: {} })).toBe(
      'https://acme.service-now.com',
    );
    expect(adminUrl({ app: 'okta', baseUrl: 'javascript:alert(1)', options: {} })).toBeUndefined();
  });
});

const link = 'https://help.example.com/c1';

describe('the copy and browse keys', () => {
  const rows: Row[] = [
    {
      name: 'y in Recommended actions copies the selected control id',
      from: { view: 'actions' },
      keys: ['y'],
      effects: [{ type: 'copy', text: 'okta.c1', what: 'control id' }],
    },
    {
      name: "y in the drawer copies the instance's admin URL",
      from: { view: 'drawer', app: 'okta', stack: ['apps'] },
      keys: ['y'],
      effects: [
        {
          type: 'copy',
          text: expect.stringMatching(/^https?:\/\//),
          what: expect.stringMatching(/^admin URL of Okta EU$/),
        },
      ],
    },
    {
      name: 'b on an action page with no reference link says so and offers the copy key',
      from: { view: 'detail', detailId: actionKey('eu', 'okta.c1'), stack: ['actions'] },
      keys: ['b'],
      state: { message: 'no link to open here (y copies the control id)' },
      effects: [],
    },
    {
      name: 'o in Recommended actions still sorts',
      from: { view: 'actions' },
      keys: ['o'],
      state: { sort: expect.not.stringMatching(/^rank$/) },
      effects: [],
    },
    {
      // `o` sorts every list, the drawer's too; the browser moved to `b` there.
      name: 'o in the drawer sorts by the instance column, and b opens the admin page',
      from: { view: 'drawer', app: 'okta', stack: ['apps'] },
      keys: ['o', 'b'],
      state: { columnSorts: { drawer: { column: 0, reverse: false } } },
      effects: [
        { type: 'browse', url: expect.stringMatching(/^https:/), what: expect.any(String), copyKey: 'y' },
      ],
    },
    {
      name: 'y with no action listed says so instead of doing nothing',
      from: { view: 'actions', filter: { text: 'matches nothing at all', showAccepted: false } },
      keys: ['y'],
      state: { message: 'nothing to copy: no action is selected' },
      effects: [],
    },
    {
      name: 'b in a drawer filtered to nothing says so',
      from: { view: 'drawer', app: 'okta', stack: ['apps'], drawerText: 'zzz' },
      keys: ['b'],
      state: { message: 'nothing to open: no instance is selected' },
      effects: [],
    },
  ];
  it.each(rows)('$name', (row) => check(row, baseDoc()));

  it('b on an action page opens its reference link', async () => {
    CONTROLS[0]!.links.push(link);
    try {
      check({
        name: 'browse',
        from: { view: 'detail', detailId: actionKey('eu', 'okta.c1'), stack: ['actions'] },
        keys: ['b'],
        effects: [{ type: 'browse', url: link, what: 'reference link', copyKey: 'y' }],
      });
    } finally {
      CONTROLS[0]!.links.pop();
    }
  });
});

describe('the copy and browse effects', () => {
  function deps(host: EffectDeps['host']) {
    const notes: string[] = [];
    const written: string[] = [];
    const launched: string[][] = [];
    const d: EffectDeps = {
      store: {} as EffectDeps['store'],
      user: 't',
      exit: () => {},
      note: (m) => notes.push(m),
      terminal: (b) => written.push(b),
      host,
      launch: async (c, a) => void launched.push([c, ...a]),
    };
    return { d, notes, written, launched };
  }

  it('copy writes the OSC 52 to the terminal and says what was copied', async () => {
    const { d, notes, written } = deps({ platform: 'linux', env: {} });
    await runEffect({ type: 'copy', text: 'okta.c1', what: 'control id' }, d);
    expect(written).toEqual([`\u001b]52;c;${b64('okta.c1')}\u0007`]);
    expect(notes).toEqual(['Copied the control id: okta.c1']);
  });

  it('browse runs the opener where there is a display, and says there is none over SSH', async () => {
    const here = deps({ platform: 'linux', env: { DISPLAY: ':0' } });
    await runEffect({ type: 'browse', url: link, what: 'reference link', copyKey: 'y' }, here.d);
    expect(here.launched).toEqual([['xdg-open', link]]);
    const ssh = deps({ platform: 'linux', env: { SSH_CONNECTION: '1 2 3 4' } });
    await runEffect({ type: 'browse', url: link, what: 'reference link', copyKey: 'Y' }, ssh.d);
    expect(ssh.launched).toEqual([]);
    expect(ssh.notes).toEqual(['no browser over SSH without a display: Y copies the reference link']);
  });
});
