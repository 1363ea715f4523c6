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
}

/**
 * What a listing shows of one secret: everything but its value.
 *
 * @example
 * ```ts
 * const [info] = await store.list(); // { key: 'GOOGLE_REFRESH_TOKEN', category: 'google', isSensitive: true, expired: false, ... }
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
