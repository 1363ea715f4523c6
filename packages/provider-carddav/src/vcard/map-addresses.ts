import type { ContactAddress } from '@contacts/core';
import { addressCountry, type CountryResolver } from './address-country.js';
import { type CardProperty, structuredParts, valueText } from './jcard.js';
import { byPreference, preferenceOf } from './preference.js';
import { valueType } from './value-types.js';

/**
 * The ADR properties of a card as addresses, the preferred first and marked primary: the parts
 * `pobox;ext;street;locality;region;code;country` become street (the post office box joined in
 * when there is no street), extended, city, region, postal code and country; `country_code` comes
 * from Apple's `X-ABADR` in the same group or from the typed country; vCard 4's `LABEL` parameter
 * is the formatted address. An ADR with every part empty is dropped.
 *
 * @example
 * ```ts
 * const [home] = mapAddresses([readProperty(['adr', { type: 'home' }, 'text', ['', '', '1 Main St', 'Springfield', 'IL', '62701', 'US']])], new Map(), codeOnlyCountry);
 * home; // { type: 'home', street: '1 Main St', city: 'Springfield', ..., country: 'US', country_code: 'US', primary: false }
 * ```
 */
export function mapAddresses(
  properties: readonly CardProperty[],
  labels: ReadonlyMap<string, string>,
  resolveCountry: CountryResolver,
): ContactAddress[] {
  const appleCodes = new Map<string, string>();
  for (const property of properties) {
    const code = property.name === 'x-abadr' && property.group !== null ? valueText(property) : null;
    if (code !== null && property.group !== null) appleCodes.set(property.group, code);
  }
  const entries = properties.flatMap((property) => {
    if (property.name !== 'adr') return [];
    const [pobox, extended, street, city, region, postalCode, country] = structuredParts(property, 7);
    const formatted = typeof property.params.label === 'string' ? property.params.label.trim() || null : null;
    const address = {
      street: street ?? pobox ?? null,
      extended:
        street !== null && pobox !== null ? [pobox, extended].filter(Boolean).join(', ') : (extended ?? null),
      city: city ?? null,
      region: region ?? null,
      postal_code: postalCode ?? null,
      country: country ?? null,
      formatted,
    };
    if (Object.values(address).every((part) => part === null)) return [];
    const appleCode = property.group === null ? null : (appleCodes.get(property.group) ?? null);
    return [
      {
        pref: preferenceOf(property),
        address: {
          type: valueType(property, labels),
          ...address,
          country_code: addressCountry(appleCode, address.country, resolveCountry),
        },
      },
    ];
  });
  return byPreference(entries).map(({ entry, primary }) => ({ ...entry.address, primary }));
}
