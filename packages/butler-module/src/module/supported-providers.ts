import { ContactsModuleError } from '../errors.js';

/**
 * The providers the module can start. CardDAV has a provider package, but it is a stub that
 * refuses to sync, so it is not offered here until it works.
 *
 * @example
 * ```ts
 * SUPPORTED_PROVIDERS.join(', '); // 'google'
 * ```
 */
export const SUPPORTED_PROVIDERS = ['google'] as const;

/**
 * One of {@link SUPPORTED_PROVIDERS}.
 *
 * @example
 * ```ts
 * const provider: SupportedProvider = 'google';
 * ```
 */
export type SupportedProvider = (typeof SUPPORTED_PROVIDERS)[number];

/**
 * Narrows a normalised provider name to a supported one.
 *
 * @example
 * ```ts
 * isSupportedProvider('carddav'); // false
 * ```
 */
export function isSupportedProvider(name: string): name is SupportedProvider {
  return (SUPPORTED_PROVIDERS as readonly string[]).includes(name);
}

/**
 * The error for a configured provider this module cannot start: names the key, the value (cut
 * short) and the supported providers; `where` adds where the key was read (a file).
 *
 * @example
 * ```ts
 * if (!isSupportedProvider(config.provider)) throw unsupportedProviderError(config.provider);
 * // Unsupported contacts provider "carddav" in modules.contacts.provider; supported providers: google.
 * ```
 */
export function unsupportedProviderError(provider: string, where = ''): ContactsModuleError {
  const shown =
    provider.length > 40 ? `${provider.slice(0, 40)}…" (${provider.length} characters)` : `${provider}"`;
  return new ContactsModuleError(
    'UNSUPPORTED_PROVIDER',
    `Unsupported contacts provider "${shown} in modules.contacts.provider${where}; supported providers: ${SUPPORTED_PROVIDERS.join(', ')}.`,
  );
}
