// The composition root: the one place of the module that names the providers it ships with.
// Everything else looks providers up in a ProviderRegistry (scan test: generic-files.test.ts).
import { ProviderRegistry } from '@contacts/core';
// The descriptor subpaths hold no provider: each loads its provider (the Google API client, the
// CardDAV parsers) only when a source is built, so a command that builds none stays light.
import { carddavProviderDescriptor } from '@contacts/provider-carddav/descriptor';
import { googleProviderDescriptor } from '@contacts/provider-google/descriptor';

/**
 * The registry a `ContactsModule` uses unless the host hands it its own: the Google People API
 * provider and the CardDAV provider. A host adds a provider by registering its descriptor in a registry of its own.
 *
 * @example
 * ```ts
 * const registry = defaultProviderRegistry().register(acmeProviderDescriptor);
 * const module = new ContactsModule({ registry });
 * ```
 */
export function defaultProviderRegistry(): ProviderRegistry {
  return new ProviderRegistry().register(googleProviderDescriptor).register(carddavProviderDescriptor);
}

/**
 * The provider a `contacts` command without a config file syncs (a table that names none is an
 * error; this is only the command's built-in config).
 *
 * @example
 * ```ts
 * DEFAULT_PROVIDER; // 'google'
 * ```
 */
export const DEFAULT_PROVIDER: string = googleProviderDescriptor.name;

/**
 * The providers of {@link defaultProviderRegistry}, by name.
 *
 * @example
 * ```ts
 * SUPPORTED_PROVIDERS.join(', '); // 'carddav, google'
 * ```
 */
export const SUPPORTED_PROVIDERS: readonly string[] = defaultProviderRegistry().names();

/**
 * A provider name; {@link SUPPORTED_PROVIDERS} lists the default ones.
 *
 * @example
 * ```ts
 * const provider: SupportedProvider = 'google';
 * ```
 */
export type SupportedProvider = string;
