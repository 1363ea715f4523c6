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
