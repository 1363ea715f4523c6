import { isoCountry } from '@contacts/core';

/**
 * Turns a country as typed in an address into its ISO 3166-1 alpha-2 code, or null.
 *
 * @example
 * ```ts
 * const resolve: CountryResolver = (name) => (name === 'Germany' ? 'DE' : null);
 * ```
 */
export type CountryResolver = (country: string) => string | null;

/**
 * The resolver used when none is given: a country typed as a two-letter code (`DE`, `us`) is
 * that code; a name is not resolved. The project's name table (English names and common aliases,
 * `addressCountryCode` in provider-google's `country-code.ts`) is not in core yet and this package
 * may not depend on the Google provider, so it is not copied here: once it moves to core, it
 * becomes this default and `Germany` reads `DE` with no other change.
 *
 * @example
 * ```ts
 * codeOnlyCountry('us'); // 'US'
 * codeOnlyCountry('Germany'); // null
 * ```
 */
export const codeOnlyCountry: CountryResolver = (country) => isoCountry(country);

/**
 * The ISO code of an address: Apple's `itemN.X-ABADR` of the same group (a code iCloud writes in
 * lower case, `us`) when it is one, else the typed country when it is a two-letter code, else the
 * resolver's reading of the typed country. Never a
 * prefix of a name (`country[:2]` once made "United States" `UN`).
 *
 * @example
 * ```ts
 * addressCountry('gb', 'United Kingdom', codeOnlyCountry); // 'GB'
 * addressCountry(null, 'DE', codeOnlyCountry); // 'DE'
 * ```
 */
export function addressCountry(
  appleCode: string | null,
  country: string | null,
  resolve: CountryResolver,
): string | null {
  const fromApple = isoCountry(appleCode);
  if (fromApple) return fromApple;
  if (country === null) return null;
  // A code typed as the country (`GB`, `de`) needs no table, whatever the resolver knows.
  return isoCountry(country) ?? isoCountry(resolve(country));
}
