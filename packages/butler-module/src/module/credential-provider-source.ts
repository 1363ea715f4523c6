import type { Clock, ContactsProvider, Logger } from '@contacts/core';
import type { CredentialStore } from '../credentials/credential-store.js';
import {
  missingCredentialsError,
  readSourceCredentials,
  sourceCredentialsRevision,
} from '../credentials/source-credentials.js';
import type { SecretRedactor } from '../redact.js';
import type { ProviderSource } from '../runtime/provider-source.js';
import type { ConfiguredSource } from './configured-sources.js';
import type { ContactsProviderFactory, ProviderFactoryRequest } from './legacy-options.js';

/**
 * Options of {@link CredentialStoreProviderSource}.
 *
 * @example
 * ```ts
 * const options: CredentialStoreProviderSourceOptions = { store, source, redactor, logger, clock };
 * ```
 */
export interface CredentialStoreProviderSourceOptions {
  store: CredentialStore;
  /** The source whose provider this builds (its descriptor, settings and account). */
  source: ConfiguredSource;
  redactor: SecretRedactor;
  logger: Logger;
  clock: Clock;
  /** Builds the provider instead of the descriptor (the older factory form). */
  factory?: ContactsProviderFactory;
  /** Extra fields of the factory's request (the older endpoint options). */
  factoryFields?: Partial<ProviderFactoryRequest>;
}

/**
 * Builds one source's provider from the credential store, reading the account's keys afresh
 * each time so that a re-authorisation through the dashboard is picked up without a restart.
 * Every value read is handed to the redactor first.
 *
 * @example
 * ```ts
 * const providers = new CredentialStoreProviderSource({ store, source, redactor, logger, clock });
 * const { provider } = await providers.open();
 * ```
 */
export class CredentialStoreProviderSource implements ProviderSource {
  readonly #options: CredentialStoreProviderSourceOptions;

  constructor(options: CredentialStoreProviderSourceOptions) {
    this.#options = options;
  }

  async revision(): Promise<string> {
    return sourceCredentialsRevision(this.#options.source.descriptor, await this.#credentials());
  }

  async open(): Promise<{ provider: ContactsProvider; revision: string }> {
    const credentials = await this.#credentials();
    const { source, logger, clock, factory } = this.#options;
    const provider = factory
      ? await factory({
          ...this.#options.factoryFields,
          provider: source.provider,
          accountId: source.accountId,
          config: source.config,
          settings: source.settings,
          credentials: credentials as ProviderFactoryRequest['credentials'],
          logger,
          clock,
        })
      : await source.descriptor.create({
          accountId: source.accountId,
          settings: source.settings,
          credentials,
          logger,
          clock,
        });
    return { provider, revision: sourceCredentialsRevision(source.descriptor, credentials) };
  }

  async #credentials(): Promise<Record<string, string>> {
    const { store, source, redactor } = this.#options;
    const { values, missing } = await readSourceCredentials(store, source.descriptor, source.accountId);
    redactor.add(Object.values(values));
    if (missing.length > 0) {
      throw missingCredentialsError([
        { descriptor: source.descriptor, accountId: source.accountId, missing },
      ]);
    }
    return values;
  }
}
