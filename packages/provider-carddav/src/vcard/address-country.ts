import { addressCountryCode, isCountryCode, isoCountry } from '@contacts/core';

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
 * A resolver that reads codes only: a country typed as a two-letter code (`DE`, `us`) is that
 * code; a name is not resolved. For tests that pin what a table of names would answer.
 *
 * @example
 * ```ts
 * codeOnlyCountry('us'); // 'US'
 * codeOnlyCountry('Germany'); // null
 * ```
 */
export const codeOnlyCountry: CountryResolver = (country) => isoCountry(country);

/**
 * The resolver used when none is given: the project's one table of country names (core's
 * `addressCountryCode`, which the Google provider reads its addresses with too): English names,
 * common aliases and endonyms, and codes typed as names. Null for what it does not know: a
 * country is never guessed from a prefix.
 *
 * @example
 * ```ts
 * countryNameCode('Germany'); // 'DE'
 * countryNameCode('United States'); // 'US'
 * countryNameCode('Deutschland'); // 'DE'
 * countryNameCode('Atlantis'); // null
 * ```
 */
export const countryNameCode: CountryResolver = (country) => addressCountryCode(null, country);

/**
 * The ISO code of an address: Apple's `itemN.X-ABADR` of the same group (a code iCloud writes in
 * lower case, `us`) when it is one, else the typed country when it is a country's two-letter
 * code, else the resolver's reading of the typed country (a current ISO code, or nothing). Never a
 * prefix of a name (`country[:2]` once made "United States" `UN`).
 *
 * @example
 * ```ts
 * addressCountry('gb', 'United Kingdom', countryNameCode); // 'GB' (Apple's code first)
 * addressCountry(null, 'Germany', countryNameCode); // 'DE'
 * addressCountry(null, 'DE', codeOnlyCountry); // 'DE'
 * ```
 */
export function addressCountry(
  appleCode: string | null,
  country: string | null,
  resolve: CountryResolver,
): string | null {
  // Only current ISO codes: two letters that name no country ("Un", "XX") are no code.
  const known = (code: string | null | undefined) => {
    const iso = isoCountry(code);
    return iso && isCountryCode(iso) ? iso : null;
  };
  const fromApple = known(appleCode);
  if (fromApple) return fromApple;
  if (country === null) return null;
  // A code typed as the country (`GB`, `de`) needs no table, whatever the resolver knows.
  return known(country) ?? known(resolve(country));
}
