import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CredentialError, resolveSecret } from '../../source/connectors/credentials.js';
import { ConnectorError, HttpClient } from '../../source/connectors/http.js';
import { oktaVendor } from '../../source/connectors/okta/index.js';
import { tempDir } from '../helpers/temp.js';

/** A FIFO with the mode a credentials file must have: reading it would wait for a writer for ever. */
function fifo(): string {
  const path = join(tempDir(), 'pipe');
  execFileSync('mkfifo', [path]);
  chmodSync(path, 0o600);
  return path;
}

describe('files a poll reads are regular files', () => {
  it('a FIFO as the credentials file is refused at once, not read', () => {
    const path = fifo();
    expect(() => resolveSecret({ kind: 'file', path })).toThrow(CredentialError);
    expect(() => resolveSecret({ kind: 'file', path })).toThrow(
      `credentials file ${path} cannot be read: is a FIFO, not a regular file`,
    );
  });

  it('a FIFO as the CA file is refused at once, not read', () => {
    const caFile = fifo();
    const client = () =>
      new HttpClient({
        baseUrl: 'https://contoso.okta.com',
        vendor: oktaVendor,
        auth: () => ({}),
        secrets: () => [],
        caFile,
      });
    expect(client).toThrow(ConnectorError);
    expect(client).toThrow(`the CA file ${caFile} cannot be read: is a FIFO, not a regular file`);
  });
});
