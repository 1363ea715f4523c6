import type { Clock, ContactsConfig, ContactsProvider, Logger } from '@contacts/core';
import type { CredentialStore } from '../credentials/credential-store.js';
import { credentialsRevision, resolveGoogleCredentials } from '../credentials/google-credentials.js';
import type { SecretRedactor } from '../redact.js';
import type { ProviderSource } from '../runtime/provider-source.js';
import type { ContactsProviderFactory } from './provider-factory.js';

/**
 * Options of {@link CredentialStoreProviderSource}.
 *
 * @example
 * ```ts
 * const options: CredentialStoreProviderSourceOptions = { store, config, factory: defaultProviderFactory, redactor, logger, clock };
 * ```
 */
export interface CredentialStoreProviderSourceOptions {
  store: CredentialStore;
  config: ContactsConfig;
  factory: ContactsProviderFactory;
  redactor: SecretRedactor;
  logger: Logger;
  clock: Clock;
  googleRootUrl?: string;
  googleTokenUrl?: string;
}

/**
 * Builds providers from the credential store, reading it afresh each time so that a
 * re-authorisation through the dashboard is picked up without a restart. Every value read is
 * handed to the redactor first.
 *
 * @example
 * ```ts
 * const source = new CredentialStoreProviderSource({ store, config, factory: defaultProviderFactory, redactor, logger, clock });
 * const { provider } = await source.open();
 * ```
 */
export class CredentialStoreProviderSource implements ProviderSource {
  readonly #options: CredentialStoreProviderSourceOptions;

  constructor(options: CredentialStoreProviderSourceOptions) {
    this.#options = options;
  }

  async revision(): Promise<string> {
    return credentialsRevision(await this.#credentials());
  }

  async open(): Promise<{ provider: ContactsProvider; revision: string }> {
    const credentials = await this.#credentials();
    const { config, logger, clock, googleRootUrl, googleTokenUrl } = this.#options;
    const provider = await this.#options.factory({
      provider: config.provider,
      config,
      credentials,
      googleRootUrl,
      googleTokenUrl,
      logger,
      clock,
    });
    return { provider, revision: credentialsRevision(credentials) };
  }

  async #credentials() {
    const credentials = await resolveGoogleCredentials(this.#options.store);
    this.#options.redactor.add([credentials.clientId, credentials.clientSecret, credentials.refreshToken]);
    return credentials;
  }
}
