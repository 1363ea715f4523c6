import { createHash } from 'node:crypto';
import { ContactsModuleError } from '../errors.js';
import type { CredentialStore } from './credential-store.js';

/**
 * The credential-store keys of the Google provider, in the order they are reported.
 *
 * @example
 * ```ts
 * for (const key of GOOGLE_CREDENTIAL_KEYS) await store.set(key, values[key], { category: 'google' });
 * ```
 */
export const GOOGLE_CREDENTIAL_KEYS = [
  'GOOGLE_OAUTH_CLIENT_ID',
  'GOOGLE_OAUTH_CLIENT_SECRET',
  'GOOGLE_REFRESH_TOKEN',
] as const;

/**
 * One of {@link GOOGLE_CREDENTIAL_KEYS}.
 *
 * @example
 * ```ts
 * const key: GoogleCredentialKey = 'GOOGLE_REFRESH_TOKEN';
 * ```
 */
export type GoogleCredentialKey = (typeof GOOGLE_CREDENTIAL_KEYS)[number];

/**
 * The Google OAuth credentials, as the provider takes them.
 *
 * @example
 * ```ts
 * const credentials: GoogleCredentials = await resolveGoogleCredentials(store);
 * new GoogleContactsProvider({ ...credentials });
 * ```
 */
export interface GoogleCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

/**
 * Reads the three Google OAuth credentials from the credential store, never from the environment
 * (a process environment leaks into child processes and crash reports, and the dashboard OAuth flow
 * writes the store). The error names the missing keys, never a value.
 *
 * @throws ContactsModuleError `CREDENTIAL_STORE_MISSING` without a store, `MISSING_CREDENTIALS`
 *   when a key is absent, empty or expired.
 * @example
 * ```ts
 * const { clientId, clientSecret, refreshToken } = await resolveGoogleCredentials(new DbCredentialStore({ db }));
 * ```
 */
export async function resolveGoogleCredentials(
  store: CredentialStore | null | undefined,
): Promise<GoogleCredentials> {
  if (!store) {
    throw new ContactsModuleError(
      'CREDENTIAL_STORE_MISSING',
      'The contacts module needs a credential store for its Google OAuth credentials; environment variables are not used. ' +
        'Start it from a host that passes its credential store, then connect Google through the dashboard OAuth flow.',
    );
  }
  const values = await Promise.all(GOOGLE_CREDENTIAL_KEYS.map((key) => store.get(key)));
  const missing = GOOGLE_CREDENTIAL_KEYS.filter((_, i) => !values[i]?.trim());
  if (missing.length > 0) {
    throw new ContactsModuleError(
      'MISSING_CREDENTIALS',
      `Google OAuth credentials are missing from the credential store: ${missing.join(', ')}. ` +
        'Connect the Google account through the dashboard OAuth flow (or store them with `contacts secrets set KEY VALUE`), then restart or reconcile.',
    );
  }
  const [clientId, clientSecret, refreshToken] = values.map((v) => v!.trim()) as [string, string, string];
  return { clientId, clientSecret, refreshToken };
}

/**
 * A digest that changes when the credentials change: lets the runtime notice a re-authorisation
 * without keeping or logging the secrets themselves.
 *
 * @example
 * ```ts
 * credentialsRevision(await resolveGoogleCredentials(store)); // 'b1946ac9...'
 * ```
 */
export function credentialsRevision(credentials: GoogleCredentials): string {
  return createHash('sha256')
    .update(JSON.stringify([credentials.clientId, credentials.clientSecret, credentials.refreshToken]))
    .digest('hex');
}
