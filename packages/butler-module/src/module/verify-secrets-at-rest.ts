import type { Logger } from '@contacts/core';
import type { CredentialStore, SecretsAtRest } from '../credentials/credential-store.js';

/**
 * Runs the credential store's `verify()` (when it has one) and says how the secrets are kept:
 * `contacts_secrets_verified` (info: key id, counts), and `contacts_secrets_plaintext` (warn) while
 * any is stored in plain text. Throws what `verify()` throws: a missing or wrong secrets key stops
 * a start here, before a secret is read.
 *
 * @example
 * ```ts
 * await verifySecretsAtRest(store, logger, { provider: 'google', account_id: 'default' });
 * ```
 */
export async function verifySecretsAtRest(
  store: CredentialStore | null | undefined,
  logger: Logger,
  ids: Record<string, string>,
): Promise<SecretsAtRest | null> {
  if (!store?.verify) return null;
  const atRest = await store.verify();
  logger.info('contacts_secrets_verified', {
    ...ids,
    key_id: atRest.keyId,
    encrypted: atRest.encrypted,
    encrypted_now: atRest.encryptedNow,
    plain: atRest.plain,
  });
  if (atRest.plain > 0) {
    logger.warn('contacts_secrets_plaintext', {
      ...ids,
      plain: atRest.plain,
      message:
        'The credential store keeps secrets in plain text: give it a secrets key (32 random bytes) and they are encrypted at the next start (docs/host-integration.md, "Secrets at rest").',
    });
  }
  return atRest;
}
