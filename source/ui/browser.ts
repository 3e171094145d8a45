/**
 * How this host opens a URL in a browser, without a shell: the desktop's opener, where there is a
 * desktop. Over SSH with no forwarded display there is none (the browser would open, if at all, on
 * the far machine's screen), and the console says so.
 */

export type Opener = { command: string; args: string[] } | { none: string };

export function opener(
  url: string,
  platform: NodeJS.Platform,
  env: Readonly<Record<string, string | undefined>>,
): Opener {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { none: 'not a URL' };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return { none: 'only http(s) links open' };
  const href = parsed.href;
  const ssh = Boolean(env.SSH_CONNECTION || env.SSH_CLIENT || env.SSH_TTY);
  if (platform === 'darwin') return ssh ? { none: 'no browser over SSH' } : { command: 'open', args: [href] };
  if (platform === 'win32')
    // `start` is a shell built-in; this is the shell-free way to the default browser.
    return ssh
      ? { none: 'no browser over SSH' }
      : { command: 'rundll32', args: ['url.dll,FileProtocolHandler', href] };
  // Linux and the BSDs: a display, local or forwarded over SSH (-X), means a desktop.
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return { command: 'xdg-open', args: [href] };
  return { none: ssh ? 'no browser over SSH without a display' : 'no display to open a browser on' };
}
