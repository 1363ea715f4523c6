import type { Clock, ContactsConfig, ContactsProvider, Logger } from '@contacts/core';
import { GoogleContactsProvider } from '@contacts/provider-google';
import type { GoogleCredentials } from '../credentials/google-credentials.js';

/**
 * What a {@link ContactsProviderFactory} gets to build a provider from.
 *
 * @example
 * ```ts
 * const factory = (request: ProviderFactoryRequest) => new GoogleContactsProvider({ ...request.credentials });
 * ```
 */
export interface ProviderFactoryRequest {
  /** The configured provider name, normalised (`google`). */
  provider: string;
  config: ContactsConfig;
  /** Resolved from the credential store just now. */
  credentials: GoogleCredentials;
  /** Where to send People API calls instead of Google (an emulator, a proxy). */
  googleRootUrl?: string;
  /** Where to refresh access tokens instead of Google's token endpoint. */
  googleTokenUrl?: string;
  logger: Logger;
  clock: Clock;
}

/**
 * Builds the provider the runtime syncs with. Injected so tests and hosts can substitute one;
 * the provider's `name()` must be the configured provider.
 *
 * @example
 * ```ts
 * const factory: ContactsProviderFactory = ({ credentials }) => new MyGoogleStandIn(credentials);
 * await module.onStartup({ config, db, butlerSchema, credentialStore, providerFactory: factory });
 * ```
 */
export type ContactsProviderFactory = (
  request: ProviderFactoryRequest,
) => ContactsProvider | Promise<ContactsProvider>;

/**
 * The default factory: the real Google People API provider, pointed at `googleRootUrl` /
 * `googleTokenUrl` when given.
 *
 * @example
 * ```ts
 * const provider = await defaultProviderFactory({ provider: 'google', config, credentials, logger, clock });
 * ```
 */
export const defaultProviderFactory: ContactsProviderFactory = (request) =>
  new GoogleContactsProvider({
    ...request.credentials,
    rootUrl: request.googleRootUrl,
    tokenUrl: request.googleTokenUrl,
    includeOtherContacts: request.config.include_other_contacts,
    logger: request.logger,
  });
