import { ContactsModuleError } from '../errors.js';

/**
 * The error for a configured provider this module cannot start: names the key path, the value
 * (cut short), where it was read (a file) and the registered providers.
 *
 * @example
 * ```ts
 * if (!registry.has(name)) throw unsupportedProviderError(name, registry.names());
 * // Unsupported contacts provider "outlook" in modules.contacts.provider; supported providers: google.
 * ```
 */
export function unsupportedProviderError(
  provider: string,
  supported: readonly string[],
  where = '',
  key = 'modules.contacts.provider',
): ContactsModuleError {
  const shown =
    provider.length > 40 ? `${provider.slice(0, 40)}…" (${provider.length} characters)` : `${provider}"`;
  return new ContactsModuleError(
    'UNSUPPORTED_PROVIDER',
    `Unsupported contacts provider "${shown} in ${key}${where}; supported providers: ${supported.join(', ') || '(none)'}.`,
  );
}
