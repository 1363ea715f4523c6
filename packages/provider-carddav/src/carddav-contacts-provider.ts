import {
  type CanonicalGroup,
  type ContactBatch,
  ContactsProvider,
  type FullSyncRequest,
  type IncrementalSyncRequest,
  ProviderError,
} from '@contacts/core';

/**
 * Options of {@link CardDavContactsProvider}, accepted now so that a host can be configured for
 * the provider before it syncs. Nothing is contacted yet.
 *
 * @example
 * ```ts
 * const options: CardDavProviderOptions = { serverUrl: 'https://contacts.icloud.com/', username: 'ada@example.org' };
 * ```
 */
export interface CardDavProviderOptions {
  serverUrl?: string;
  username?: string;
}

const NOT_SUPPORTED = 'CardDAV sync is not supported yet: use the google provider for now.';

function notSupported(operation: string): ProviderError {
  return new ProviderError('NOT_SUPPORTED', `${NOT_SUPPORTED} (${operation})`, { provider: 'carddav' });
}

/**
 * The CardDAV provider, a stub: it has the provider interface and name, and every call that
 * would reach a server fails with `NOT_SUPPORTED` and a sentence saying so, so a host that
 * selects it fails clearly instead of syncing nothing. It is not in any host's supported set.
 *
 * @example
 * ```ts
 * const provider = new CardDavContactsProvider({ serverUrl: 'https://dav.example.org/' });
 * await provider.fullSync({}); // throws ProviderError NOT_SUPPORTED: CardDAV sync is not supported yet...
 * ```
 */
export class CardDavContactsProvider extends ContactsProvider {
  readonly options: Readonly<CardDavProviderOptions>;

  constructor(options: CardDavProviderOptions = {}) {
    super();
    this.options = Object.freeze({ ...options });
  }

  name(): string {
    return 'carddav';
  }

  async validateCredentials(): Promise<void> {
    throw notSupported('validateCredentials');
  }

  async fullSync(_request: FullSyncRequest): Promise<ContactBatch> {
    throw notSupported('fullSync');
  }

  async incrementalSync(_request: IncrementalSyncRequest): Promise<ContactBatch> {
    throw notSupported('incrementalSync');
  }

  async listGroups(): Promise<CanonicalGroup[]> {
    throw notSupported('listGroups');
  }
}
