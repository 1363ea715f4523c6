// The provider factory and the Google endpoint options of ContactsStartupOptions as they were
// before provider descriptors (issue 12): kept so hosts and tests written against them work
// unchanged. New code registers a descriptor and sets a source's settings instead.
import type { Clock, ContactsConfig, ContactsProvider, Logger } from '@contacts/core';
import type { GoogleCredentials } from '../credentials/google-credentials.js';

/**
 * The Google endpoint options of `ContactsStartupOptions`: the same as the Google settings
 * `root_url` / `token_url` of every Google source.
 *
 * @example
 * ```ts
 * const options: LegacyEndpointOptions = { googleRootUrl: emulator.url, googleTokenUrl: emulator.tokenUrl };
 * ```
 */
export interface LegacyEndpointOptions {
  /** People API root to use instead of Google's (an emulator); the Google setting `root_url`. */
  googleRootUrl?: string;
  /** OAuth token endpoint to use instead of Google's; the Google setting `token_url`. */
  googleTokenUrl?: string;
}

/**
 * The setting overrides the legacy endpoint options mean, by provider.
 *
 * @example
 * ```ts
 * legacySettingsOverrides({ googleRootUrl: 'http://127.0.0.1:8080/' }); // { google: { root_url: 'http://127.0.0.1:8080/' } }
 * ```
 */
export function legacySettingsOverrides(
  options: LegacyEndpointOptions,
): Record<string, Record<string, unknown>> {
  const google: Record<string, unknown> = {};
  if (options.googleRootUrl !== undefined) google.root_url = options.googleRootUrl;
  if (options.googleTokenUrl !== undefined) google.token_url = options.googleTokenUrl;
  return Object.keys(google).length > 0 ? { google } : {};
}

/**
 * What a {@link ContactsProviderFactory} gets to build a provider from.
 *
 * @example
 * ```ts
 * const factory = (request: ProviderFactoryRequest) => new GoogleContactsProvider({ ...request.credentials });
 * ```
 */
export interface ProviderFactoryRequest extends LegacyEndpointOptions {
  /** The configured provider name, normalised (`google`). */
  provider: string;
  accountId: string;
  /** The source as the runtime sees it (provider, account, schedule). */
  config: ContactsConfig;
  /** The source's settings, parsed by its descriptor. */
  settings: unknown;
  /** Resolved from the credential store just now, by the descriptor's field names. */
  credentials: GoogleCredentials & Record<string, string>;
  logger: Logger;
  clock: Clock;
}

/**
 * Builds the provider of every source instead of its descriptor: injected so tests and hosts
 * can substitute one; the provider's `name()` must be the configured provider.
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
 * The factory that builds what the Google descriptor builds: the real Google People API
 * provider, pointed at `googleRootUrl` / `googleTokenUrl` when given.
 *
 * @example
 * ```ts
 * const provider = await defaultProviderFactory({ provider: 'google', config, credentials, logger, clock });
 * ```
 */
export const defaultProviderFactory: ContactsProviderFactory = async (request) => {
  // Loaded when a provider is built: the Google API client is the heaviest module of the package.
  const { GoogleContactsProvider } = await import('@contacts/provider-google');
  return new GoogleContactsProvider({
    ...request.credentials,
    rootUrl: request.googleRootUrl,
    tokenUrl: request.googleTokenUrl,
    includeOtherContacts: request.config.include_other_contacts,
    logger: request.logger,
  });
};

/**
 * The fields the legacy endpoint options add to a {@link ProviderFactoryRequest}.
 *
 * @example
 * ```ts
 * legacyFactoryFields({ googleRootUrl: url }); // { googleRootUrl: url, googleTokenUrl: undefined }
 * ```
 */
export function legacyFactoryFields(options: LegacyEndpointOptions): Partial<ProviderFactoryRequest> {
  return { googleRootUrl: options.googleRootUrl, googleTokenUrl: options.googleTokenUrl };
}
