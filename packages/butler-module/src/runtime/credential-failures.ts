import { createHash } from 'node:crypto';
import { ContactsModuleError } from '../errors.js';

/**
 * Whether a failure means the host has no usable credentials: no retry helps until a person
 * stores them (or the process gets its secrets key). The runtime and the fleet's workers alike
 * read it as the sync policy's `no_credentials`.
 *
 * @example
 * ```ts
 * syncOutcomeOf(error, isMissingCredentials); // { kind: 'no_credentials' } for MISSING_CREDENTIALS
 * ```
 */
export const isMissingCredentials = (error: unknown): boolean =>
  error instanceof ContactsModuleError &&
  (error.code === 'MISSING_CREDENTIALS' ||
    error.code === 'CREDENTIAL_STORE_MISSING' ||
    // The secrets were re-keyed under a running process: no retry helps until it gets the key.
    error.code === 'SECRETS_KEY_MISSING' ||
    error.code === 'SECRETS_KEY_WRONG');

/**
 * What the database keeps of a refused credentials revision: a fingerprint, never the revision
 * itself (a digest of the credentials), so a restarted host knows whether they changed since.
 *
 * @example
 * ```ts
 * credentialsFingerprint(revision); // 32 hex characters
 * ```
 */
export const credentialsFingerprint = (revision: string): string =>
  createHash('sha256').update(`contacts-sync-parked:${revision}`).digest('hex').slice(0, 32);
