import type { Sealed, SecretsKey } from './secrets-key.js';

// The one home of the stored form of a `butler_secrets.secret_value`. A value is either plain
// text (written before encryption, or by a host that gives no key) or sealed:
//
//   enc:v1:<key id: 16 hex>:<iv: 12 bytes>:<tag: 16 bytes>:<ciphertext>   (bytes in base64url)
//
// The row's secret_key is authenticated with it (associated data), so a value copied onto
// another row does not decrypt. Self-describing on purpose: whoever finds one in a dump sees what
// it is and which key opens it.

/** What every sealed value starts with. */
export const SEALED_PREFIX = 'enc:v1:';

const SEALED = /^enc:v1:([0-9a-f]{16}):([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]{22}):([A-Za-z0-9_-]*)$/;

/**
 * A `secret_value` as read: plain text, or sealed under the key named by `keyId`.
 *
 * @example
 * ```ts
 * const stored: StoredSecret = readStoredSecret(row.secretValue);
 * if (stored.kind === 'sealed') console.log(`encrypted with key ${stored.keyId}`);
 * ```
 */
export type StoredSecret =
  | { kind: 'plain'; value: string }
  | { kind: 'sealed'; keyId: string; sealed: Sealed };

/**
 * Reads a stored value. Only the exact sealed shape counts as sealed; anything else is plain text
 * (a real secret that happens to match it would need a valid GCM tag to be read as one).
 *
 * @example
 * ```ts
 * readStoredSecret('1//refresh'); // { kind: 'plain', value: '1//refresh' }
 * readStoredSecret(sealSecret(key, 'K', 'v')); // { kind: 'sealed', keyId: key.id, sealed: { iv, tag, ciphertext } }
 * ```
 */
export function readStoredSecret(text: string): StoredSecret {
  const match = SEALED.exec(text);
  if (!match) return { kind: 'plain', value: text };
  const [, keyId, iv, tag, ciphertext] = match as unknown as [string, string, string, string, string];
  return {
    kind: 'sealed',
    keyId,
    sealed: {
      iv: Buffer.from(iv, 'base64url'),
      tag: Buffer.from(tag, 'base64url'),
      ciphertext: Buffer.from(ciphertext, 'base64url'),
    },
  };
}

/** Binds a value to its row: the secret's key, under a label of this format's version. */
function associatedData(secretKey: string): Buffer {
  return Buffer.from(`contacts butler_secrets v1\u0000${secretKey}`, 'utf8');
}

/**
 * Encrypts `value` for the row `secretKey` in the stored form.
 *
 * @example
 * ```ts
 * sealSecret(key, 'GOOGLE_REFRESH_TOKEN', token); // 'enc:v1:3f9a0c1b7d2e4a58:…'
 * ```
 */
export function sealSecret(key: SecretsKey, secretKey: string, value: string): string {
  const { iv, tag, ciphertext } = key.encrypt(Buffer.from(value, 'utf8'), associatedData(secretKey));
  return `${SEALED_PREFIX}${key.id}:${iv.toString('base64url')}:${tag.toString('base64url')}:${ciphertext.toString('base64url')}`;
}

/**
 * Decrypts a sealed value of the row `secretKey`; null when the key or the row is not the one it
 * was sealed with, or the value was altered.
 *
 * @example
 * ```ts
 * const stored = readStoredSecret(row.secretValue);
 * if (stored.kind === 'sealed') openSecret(key, row.secretKey, stored.sealed); // the value, or null
 * ```
 */
export function openSecret(key: SecretsKey, secretKey: string, sealed: Sealed): string | null {
  const plain = key.decrypt(sealed, associatedData(secretKey));
  return plain ? plain.toString('utf8') : null;
}
