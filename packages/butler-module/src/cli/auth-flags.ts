import type { AuthorizeInput, ProviderDescriptor } from '@contacts/core';

/**
 * The non-secret input flags of every registered provider's authorization (`--client-id`), for
 * the command line to declare; secrets never come from a flag (they would show in `ps`).
 *
 * @example
 * ```ts
 * authInputFlags(defaultProviderRegistry().descriptors()); // [{ flag: 'client-id', ... }]
 * ```
 */
export function authInputFlags(descriptors: readonly ProviderDescriptor[]): AuthorizeInput[] {
  const seen = new Map<string, AuthorizeInput>();
  for (const descriptor of descriptors) {
    for (const input of descriptor.authorize?.inputs ?? []) {
      if (!input.secret && !seen.has(input.flag)) seen.set(input.flag, input);
    }
  }
  return [...seen.values()];
}
