import { statSync } from 'node:fs';
import { fsReason, readRegularFileSync } from '../files.js';
import type { Credential } from '../domain/schemas.js';

export class CredentialError extends Error {}

/** Resolve a credential reference to the secret. The secret is used in memory only. */
export function resolveSecret(credential: Credential, env: NodeJS.ProcessEnv = process.env): string {
  if (credential.kind === 'env') {
    const value = env[credential.variable];
    if (!value) throw new CredentialError(`environment variable ${credential.variable} is not set`);
    return value.trim();
  }
  let mode: number;
  try {
    mode = statSync(credential.path).mode;
  } catch {
    throw new CredentialError(`credentials file ${credential.path} cannot be read`);
  }
  if ((mode & 0o077) !== 0)
    throw new CredentialError(
      `credentials file ${credential.path} must be mode 0600 (it is ${(mode & 0o777).toString(8)})`,
    );
  let value: string;
  try {
    // A regular file only: a FIFO would block the poll for ever.
    value = readRegularFileSync(credential.path).trim();
  } catch (error) {
    throw new CredentialError(`credentials file ${credential.path} cannot be read: ${fsReason(error)}`);
  }
  if (!value) throw new CredentialError(`credentials file ${credential.path} is empty`);
  return value;
}
