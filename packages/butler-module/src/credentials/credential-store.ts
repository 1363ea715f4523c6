/**
 * Where the module reads its credentials from: the host's secret store. Only `get` is needed, so
 * a host can hand in its own store; {@link DbCredentialStore} is the one on `butler_secrets`.
 * An expired or absent secret is `null`.
 *
 * @example
 * ```ts
 * const store: CredentialStore = { get: async (key) => vault.read(key) ?? null };
 * await module.onStartup({ config, db, butlerSchema, credentialStore: store });
 * ```
 */
export interface CredentialStore {
  get(key: string): Promise<string | null>;
  /**
   * Run by the module once at startup, before it reads a secret: a store that encrypts its values
   * refuses to start without the right key here (throwing, with a sentence saying what to do),
   * and may encrypt values it holds in plain text. Optional: a host's own store may omit it.
   */
  verify?(): Promise<SecretsAtRest>;
}

/**
 * What {@link CredentialStore.verify} found: how the secrets are kept at rest.
 *
 * @example
 * ```ts
 * const atRest = await store.verify(); // { keyId: '3f9a0c1b7d2e4a58', encrypted: 3, plain: 0, encryptedNow: 3 }
 * if (atRest.plain > 0) logger.warn('secrets stored in plain text', { count: atRest.plain });
 * ```
 */
export interface SecretsAtRest {
  /** The id (a fingerprint) of the key the store was given, or null without one. */
  keyId: string | null;
  /** Secrets stored encrypted, after this check. */
  encrypted: number;
  /** Secrets still stored in plain text (none once a key is given). */
  plain: number;
  /** Secrets found in plain text that this check encrypted. */
  encryptedNow: number;
}

/**
 * What {@link DbCredentialStore.rotateKey} did, in its one transaction.
 *
 * @example
 * ```ts
 * const done = await store.rotateKey(newKey); // { keyId: newKey.id, rotated: 3, encrypted: 0, unchanged: 0 }
 * ```
 */
export interface SecretsKeyRotation {
  /** The new key's id: every secret is now encrypted with it. */
  keyId: string;
  /** Secrets moved from the current key to the new one. */
  rotated: number;
  /** Secrets found in plain text, now encrypted with the new key. */
  encrypted: number;
  /** Secrets already under the new key (a rotation run again after it completed). */
  unchanged: number;
}

/**
 * What a listing shows of one secret: everything but its value.
 *
 * @example
 * ```ts
 * const [info] = await store.list(); // { key: 'GOOGLE_REFRESH_TOKEN', category: 'google', isSensitive: true, encrypted: true, ... }
 * ```
 */
export interface SecretInfo {
  key: string;
  category: string;
  description: string | null;
  isSensitive: boolean;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date | null;
  /** `expiresAt` has passed: `get` treats the secret as missing. */
  expired: boolean;
  /** Stored encrypted (AES-256-GCM) rather than in plain text. */
  encrypted: boolean;
  /** The id of the key it is encrypted with; null in plain text. */
  keyId: string | null;
}

/**
 * Options of {@link DbCredentialStore.set}.
 *
 * @example
 * ```ts
 * await store.set('GOOGLE_REFRESH_TOKEN', token, { category: 'google', description: 'OAuth refresh token' });
 * ```
 */
export interface SetSecretOptions {
  /** Groups secrets in listings (default `general`). */
  category?: string;
  description?: string | null;
  /** Whether the value must never be shown (default true). */
  isSensitive?: boolean;
  /** After this instant the secret counts as missing (default: never). */
  expiresAt?: Date | null;
}
