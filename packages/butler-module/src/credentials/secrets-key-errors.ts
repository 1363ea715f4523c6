import { ContactsModuleError } from '../errors.js';

// The sentences a person gets when the secrets key does not fit `butler_secrets`. They name the
// table, the key ids (fingerprints, which reveal nothing of a key) and what to do; never a value
// or a key.

const HOW_TO_GIVE =
  'a host passes it to DbCredentialStore as `secretsKey`; the `contacts` command reads $CONTACTS_SECRETS_KEY, $CONTACTS_SECRETS_KEY_FILE or --secrets-key-file';

/**
 * Encrypted secrets, and no key.
 *
 * @example
 * ```ts
 * throw secretsKeyMissing('relationship.butler_secrets', '3f9a0c1b7d2e4a58');
 * ```
 */
export function secretsKeyMissing(table: string, keyId: string): ContactsModuleError {
  return new ContactsModuleError(
    'SECRETS_KEY_MISSING',
    `The secrets in ${table} are encrypted (key id ${keyId}) and no secrets key was given. ` +
      `Give the key they were encrypted with (${HOW_TO_GIVE}).`,
  );
}

/**
 * A key other than the one a value was sealed with.
 *
 * @example
 * ```ts
 * throw secretsKeyWrong('relationship.butler_secrets', given.id, stored.keyId);
 * ```
 */
export function secretsKeyWrong(table: string, givenId: string, storedId: string): ContactsModuleError {
  return new ContactsModuleError(
    'SECRETS_KEY_WRONG',
    `The secrets key given (key id ${givenId}) is not the one the secrets in ${table} were encrypted with (key id ${storedId}). ` +
      `Give that key (${HOW_TO_GIVE}); to move to a new key, run \`contacts secrets rotate-key\` with both.`,
  );
}

/**
 * A value that names the given key but does not decrypt with it: altered, or copied from another
 * row (the row's key is authenticated).
 *
 * @example
 * ```ts
 * throw secretAltered('relationship.butler_secrets', 'GOOGLE_REFRESH_TOKEN', key.id);
 * ```
 */
export function secretAltered(table: string, secretKey: string, keyId: string): ContactsModuleError {
  return new ContactsModuleError(
    'SECRETS_KEY_WRONG',
    `The secret ${secretKey} in ${table} does not decrypt with the secrets key given (key id ${keyId}), although it names that key: ` +
      `the value was altered or copied from another secret. Store it again with \`contacts secrets set ${secretKey}\`.`,
  );
}
