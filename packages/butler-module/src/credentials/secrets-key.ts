import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { inspect } from 'node:util';
import { ContactsModuleError } from '../errors.js';

/** AES-256 takes a 32-byte key. */
const KEY_BYTES = 32;
/** GCM's recommended nonce size; a random one per value (2^32 values per key stay far from a collision). */
const IV_BYTES = 12;
const TAG_BYTES = 16;

const HEX_KEY = /^[0-9a-f]{64}$/i;
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=?$/;
const BASE64URL_KEY = /^[A-Za-z0-9_-]{43}=?$/;

/**
 * One AES-256-GCM encryption: what the stored form keeps besides the key id.
 *
 * @example
 * ```ts
 * const sealed: Sealed = key.encrypt(Buffer.from('value'), Buffer.from('aad'));
 * key.decrypt(sealed, Buffer.from('aad')).toString(); // 'value'
 * ```
 */
export interface Sealed {
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

/**
 * The host's key for the secrets at rest in `butler_secrets`: 32 random bytes, given as 64 hex
 * digits or 44 base64 (or base64url) characters. The bytes live in a `KeyObject` and never leave
 * it: `JSON.stringify`, `String()` and `util.inspect` show only the key's {@link id}.
 *
 * @example
 * ```ts
 * const key = SecretsKey.parse(process.env.CONTACTS_SECRETS_KEY!, 'CONTACTS_SECRETS_KEY');
 * key.id; // '3f9a0c1b7d2e4a58': names the key in stored values and messages, reveals nothing of it
 * new DbCredentialStore({ db, butlerSchema, secretsKey: key });
 * ```
 */
export class SecretsKey {
  /**
   * A fingerprint of the key (16 hex digits of an HMAC of a fixed label): stored with every value
   * so that a wrong key is named as such, and rotation knows which rows are already done.
   */
  readonly id: string;
  readonly #key: KeyObject;

  private constructor(bytes: Buffer) {
    this.#key = createSecretKey(bytes);
    this.id = createHmac('sha256', bytes).update('contacts butler_secrets key id').digest('hex').slice(0, 16);
  }

  /**
   * Reads a key written as 64 hex digits or 44 base64/base64url characters (surrounding
   * whitespace, such as a key file's newline, is ignored).
   *
   * @param source names where the key came from in the error (`CONTACTS_SECRETS_KEY`, a file).
   * @throws ContactsModuleError `INVALID_SECRETS_KEY`, naming `source` and never echoing the text.
   */
  static parse(text: string, source = 'the secrets key'): SecretsKey {
    const trimmed = text.trim();
    let bytes: Buffer | null = null;
    if (HEX_KEY.test(trimmed)) bytes = Buffer.from(trimmed, 'hex');
    else if (BASE64_KEY.test(trimmed)) bytes = Buffer.from(trimmed, 'base64');
    else if (BASE64URL_KEY.test(trimmed)) bytes = Buffer.from(trimmed, 'base64url');
    if (!bytes || bytes.length !== KEY_BYTES) {
      throw new ContactsModuleError(
        'INVALID_SECRETS_KEY',
        `${source} is not a secrets key: it must be 32 random bytes written as 64 hex digits or 44 base64 characters ` +
          `(make one with \`openssl rand -base64 32\`); got ${trimmed.length} character(s), not shown.`,
      );
    }
    return SecretsKey.fromBytes(bytes, source);
  }

  /**
   * A key from its 32 bytes.
   *
   * @throws ContactsModuleError `INVALID_SECRETS_KEY` for another length, or bytes all alike
   *   (a placeholder such as 64 zeros, not a key).
   */
  static fromBytes(bytes: Uint8Array, source = 'the secrets key'): SecretsKey {
    const copy = Buffer.from(bytes);
    if (copy.length !== KEY_BYTES) {
      throw new ContactsModuleError('INVALID_SECRETS_KEY', `${source} must be 32 bytes; got ${copy.length}.`);
    }
    if (copy.every((b) => b === copy[0])) {
      throw new ContactsModuleError(
        'INVALID_SECRETS_KEY',
        `${source} is one byte repeated 32 times: a placeholder, not a key. Make one with \`openssl rand -base64 32\`.`,
      );
    }
    const key = new SecretsKey(copy);
    copy.fill(0);
    return key;
  }

  /** Encrypts `plaintext` with a fresh random IV; `aad` is authenticated, not stored. */
  encrypt(plaintext: Buffer, aad: Buffer): Sealed {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { iv, tag: cipher.getAuthTag(), ciphertext };
  }

  /**
   * Decrypts and authenticates; null when the tag does not match (another key, an altered value,
   * or other associated data: a value copied from another row).
   */
  decrypt(sealed: Sealed, aad: Buffer): Buffer | null {
    if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, sealed.iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad);
      decipher.setAuthTag(sealed.tag);
      return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
    } catch {
      return null;
    }
  }

  toString(): string {
    return `[secrets key ${this.id}]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
