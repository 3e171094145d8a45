import { describe, expect, it } from 'vitest';
import { validateAdd } from '../../source/domain/instances.js';
import { BaseUrlSchema, emptyStore, InstanceSchema } from '../../source/domain/schemas.js';
import { instance } from '../helpers/fixtures.js';

/** What the one validation of a new instance makes of a URL: the URL it stores, or its error. */
function added(url: string): string {
  const r = validateAdd({ app: 'okta', name: 'N', url, variable: 'T' }, emptyStore());
  return 'error' in r ? r.error : r.instance.baseUrl;
}

const HTTP_REFUSED =
  'Base URL: must use https (http is allowed only on a loopback address: 127.0.0.1 or [::1])';

describe('http is allowed on a loopback address, decided on the address', () => {
  // WHATWG URL parsing turns every spelling of an IPv4 address into dotted decimal, and writes IPv6
  // compressed: what is judged is the address the connection will go to, not how it was typed.
  it.each([
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://127.1.2.3', 'http://127.1.2.3'],
    ['http://127.1', 'http://127.0.0.1'], // shorthand
    ['http://0x7f.1', 'http://127.0.0.1'], // hexadecimal
    ['http://0177.0.0.1', 'http://127.0.0.1'], // octal
    ['http://2130706433', 'http://127.0.0.1'], // one 32-bit number
    ['http://127.0.0.1.', 'http://127.0.0.1'], // a final dot
    ['http://[::1]:9000', 'http://[::1]:9000'],
    ['http://[0:0:0:0:0:0:0:1]', 'http://[::1]'],
    ['http://[::ffff:127.0.0.1]', 'http://[::ffff:7f00:1]'], // IPv4-mapped
    ['http://[::FFFF:7F01:203]/x', 'http://[::ffff:7f01:203]/x'],
  ])('%s is stored as %s', (url, stored) => {
    expect(added(url)).toBe(stored);
  });

  it.each([
    'http://localhost:8080', // a name: what it resolves to is up to the hosts file and DNS
    'http://LOCALHOST',
    'http://localhost.',
    'http://foo.localhost',
    'http://127.0.0.1.nip.io', // a name that merely starts like an address
    'http://127.0.0.1.example.com',
    'http://0.0.0.0', // unspecified, not loopback
    'http://[::]',
    'http://[::127.0.0.1]', // IPv4-compatible (deprecated), not loopback
    'http://[::ffff:10.0.0.1]', // mapped, but not 127/8
    'http://128.0.0.1',
    'http://10.0.0.1',
    'http://okta.example.com',
  ])('%s is refused', (url) => {
    expect(added(url)).toBe(HTTP_REFUSED);
  });
});

describe('stored URLs are normalised', () => {
  it.each([
    ['https://Contoso-EU.OKTA.com/', 'https://contoso-eu.okta.com'], // lower-case host, no trailing slash
    ['https://contoso.okta.com:443', 'https://contoso.okta.com'], // the default port dropped
    ['https://contoso.okta.com:8443/', 'https://contoso.okta.com:8443'],
    ['https://example.com/api//', 'https://example.com/api'],
    ['https://example.com/a/../b/', 'https://example.com/b'],
    ['  https://example.com  ', 'https://example.com'],
    ['https://bücher.example', 'https://xn--bcher-kva.example'], // the name as it is looked up
    ['http://127.0.0.1:80/', 'http://127.0.0.1'],
  ])('%s as %s', (url, stored) => {
    expect(added(url)).toBe(stored);
  });

  it('in a store as it is read, so an old store holds the same URL as a new one', () => {
    const parsed = InstanceSchema.parse(instance('a', { baseUrl: 'https://A.Example.com:443/x/' }));
    expect(parsed.baseUrl).toBe('https://a.example.com/x');
    expect(BaseUrlSchema.parse(parsed.baseUrl)).toBe(parsed.baseUrl); // and normalising twice changes nothing
  });

  it('refuses a query or a fragment: paths are appended to the base URL', () => {
    expect(added('https://example.com/?a=1')).toBe('Base URL: must not have a query or a fragment');
    expect(added('https://example.com/#top')).toBe('Base URL: must not have a query or a fragment');
  });
});

describe('control and formatting characters in a URL or an option value', () => {
  const base = {
    app: 'github',
    name: 'G',
    url: 'https://api.github.com',
    variable: 'T',
    extra: 'org=contoso',
  };
  const error = (patch: Partial<typeof base>) => {
    const r = validateAdd({ ...base, ...patch }, emptyStore());
    return 'error' in r ? r.error : 'ok';
  };

  it('is accepted without them', () => {
    expect(error({})).toBe('ok');
  });

  it.each([
    ['an escape sequence', 'https://api.github.com/\u001b]0;pwned\u0007x'],
    ['a C1 control', 'https://api.github.com/a\u009bb'],
    ['a bidi override', 'https://api.github.com/\u202egnp.exe'],
    ['a zero-width space in the host', 'https://api.git\u200bhub.com'], // IDNA would drop it silently
    ['a bidi isolate', 'https://\u2066api.github.com'],
    ['DEL', 'https://api.github.com/a\u007f'],
    ['a line separator', 'https://api.github.com/a\u2028b'],
  ])('a URL with %s is refused in one line', (_, url) => {
    expect(error({ url })).toBe('Base URL: must not contain control or formatting characters');
  });

  it.each([
    ['an escape sequence', 'org=con\u001b[2Jtoso'],
    ['a bidi override', 'org=\u202eosotnoc'],
    ['a zero-width joiner', 'org=con\u200dtoso'],
    ['a NUL', 'org=con\u0000toso'],
    ['BEL', 'org=contoso\u0007x'],
  ])('an option value with %s is refused in one line, without the value', (_, extra) => {
    expect(error({ extra })).toBe(
      'Options: the value of org must not contain control or formatting characters',
    );
  });
});
