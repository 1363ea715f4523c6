/**
 * Country names as people type them in addresses, to ISO 3166-1 alpha-2 codes: ICU's English
 * names (long and short), common aliases and endonyms (`USA`, `Deutschland`, `España`), and codes
 * typed as names. Every provider reads addresses through it (Google's `country`, CardDAV's ADR).
 */
import { isoCountry, phoneNumbers } from './normalize.js';

// ISO 3166-1 codes that have no phone metadata (uninhabited or without their own numbering plan).
const CODES_WITHOUT_PHONES = ['AQ', 'BV', 'GS', 'HM', 'PN', 'TF', 'UM'];

// Names people type that are not ICU's English name of the country.
const ALIASES: Record<string, string> = {
  usa: 'US',
  'u.s.a.': 'US',
  'u.s.': 'US',
  'united states of america': 'US',
  'u.k.': 'GB',
  'great britain': 'GB',
  britain: 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'northern ireland': 'GB',
  deutschland: 'DE',
  holland: 'NL',
  'the netherlands': 'NL',
  nederland: 'NL',
  'czech republic': 'CZ',
  turkey: 'TR',
  'ivory coast': 'CI',
  burma: 'MM',
  'russian federation': 'RU',
  'republic of korea': 'KR',
  macau: 'MO',
  vatican: 'VA',
  'bosnia and herzegovina': 'BA',
  'the bahamas': 'BS',
  'the gambia': 'GM',
  swaziland: 'SZ',
  macedonia: 'MK',
  'cabo verde': 'CV',
  'east timor': 'TL',
  espana: 'ES',
  mexico: 'MX',
  brasil: 'BR',
  schweiz: 'CH',
  suisse: 'CH',
  osterreich: 'AT',
  italia: 'IT',
  belgie: 'BE',
  belgique: 'BE',
  polska: 'PL',
  sverige: 'SE',
  norge: 'NO',
  danmark: 'DK',
  suomi: 'FI',
  eire: 'IE',
};

/** Case, accents, apostrophes, `&` and spacing do not make two country names differ. */
function nameKey(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[’‘`]/g, "'")
    .replace(/&/g, ' and ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

interface CountryTables {
  codes: Set<string>;
  byName: Map<string, string>;
}

// Built on first use (ICU lookups for ~250 regions, about a millisecond), then reused: plain data.
let tables: CountryTables | undefined;

function countryTables(): CountryTables {
  if (tables) return tables;
  const codes = new Set<string>([...phoneNumbers().getCountries(), ...CODES_WITHOUT_PHONES]);
  const byName = new Map<string, string>();
  const styles = ['long', 'short'] as const;
  for (const style of styles) {
    let names: Intl.DisplayNames | undefined;
    try {
      names = new Intl.DisplayNames(['en'], { type: 'region', style, fallback: 'none' });
    } catch {
      // A Node built without ICU region names: only the aliases and the codes themselves match.
      break;
    }
    for (const code of codes) {
      const name = names.of(code);
      if (name && !byName.has(nameKey(name))) byName.set(nameKey(name), code);
    }
  }
  for (const [alias, code] of Object.entries(ALIASES)) byName.set(nameKey(alias), code);
  tables = { codes, byName };
  return tables;
}

/**
 * Whether `code` is a current ISO 3166-1 alpha-2 country code (upper case).
 *
 * @example
 * ```ts
 * isCountryCode('DE'); // true
 * isCountryCode('ZZ'); // false
 * ```
 */
export function isCountryCode(code: string): boolean {
  return countryTables().codes.has(code);
}

/**
 * The ISO 3166-1 alpha-2 code of an address: the source's own code field (Google's
 * `countryCode`, Apple's `X-ABADR`) when it is one, else an exact
 * lookup of the `country` name (English names, common aliases, or a code typed as the name),
 * else null. Never a prefix of the name: `country[:2]` once turned "United States" into "Un".
 *
 * @example
 * ```ts
 * addressCountryCode('us', 'United States'); // 'US'
 * addressCountryCode(undefined, 'Germany'); // 'DE'
 * addressCountryCode(undefined, 'Unknown Land'); // null
 * ```
 */
export function addressCountryCode(
  countryCode: string | null | undefined,
  country: string | null | undefined,
): string | null {
  const code = isoCountry(countryCode);
  if (code && isCountryCode(code)) return code;
  if (!country?.trim()) return null;
  const typedCode = isoCountry(country);
  if (typedCode && isCountryCode(typedCode)) return typedCode;
  return countryTables().byName.get(nameKey(country)) ?? null;
}
