import type { ContactsProvider } from '@contacts/core';

/**
 * Where the runtime gets its provider from. `revision()` changes when the credentials change, so
 * the runtime rebuilds its provider after a re-authorisation, and after an `AUTH_FAILED` it waits
 * for a new revision instead of retrying refused credentials. Both throw
 * `ContactsModuleError` `MISSING_CREDENTIALS` while the credentials are absent.
 *
 * @example
 * ```ts
 * const source: ProviderSource = fixedProviderSource(new MyProvider());
 * ```
 */
export interface ProviderSource {
  revision(): Promise<string>;
  open(): Promise<{ provider: ContactsProvider; revision: string }>;
}

/**
 * A source that always hands out the same provider: for hosts that manage credentials themselves,
 * and for tests.
 *
 * @example
 * ```ts
 * new ContactsSyncRuntime({ db, butlerSchema, config, providers: fixedProviderSource(provider) });
 * ```
 */
export function fixedProviderSource(provider: ContactsProvider): ProviderSource {
  return {
    revision: async () => 'fixed',
    open: async () => ({ provider, revision: 'fixed' }),
  };
}
