// The Google credentials as the module read them before issue 12, kept for hosts that import
// them: the module itself reads every provider's keys through its descriptor
// (source-credentials.ts), and the keys are googleProviderDescriptor's.
import { googleProviderDescriptor } from '@contacts/provider-google/descriptor';
import type { CredentialStore } from './credential-store.js';
import {
  credentialStoreMissingError,
  missingCredentialsError,
  readSourceCredentials,
  sourceCredentialsRevision,
} from './source-credentials.js';

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
  if (!store) throw credentialStoreMissingError([googleProviderDescriptor]);
  const { values, missing } = await readSourceCredentials(store, googleProviderDescriptor, 'default');
  if (missing.length > 0) {
    throw missingCredentialsError([{ descriptor: googleProviderDescriptor, accountId: 'default', missing }]);
  }
  return values as unknown as GoogleCredentials;
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
  return sourceCredentialsRevision(googleProviderDescriptor, { ...credentials });
}
