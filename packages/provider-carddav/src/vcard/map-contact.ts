import type { CanonicalContactInput, ContactOrganization, ContactPhoto } from '@contacts/core';
import type { CountryResolver } from './address-country.js';
import { groupLabels } from './apple-label.js';
import { categoryGroupId } from './card-identity.js';
import { type CardProperty, listTexts, paramValues, structuredParts, valueText } from './jcard.js';
import { mapAddresses } from './map-addresses.js';
import { mapDates } from './map-dates.js';
import { mapEmails, mapUrls } from './map-emails.js';
import { mapPhones } from './map-phones.js';
import { mapUsernames } from './map-usernames.js';
import { byPreference, preferenceOf } from './preference.js';

/**
 * What {@link mapContact} needs besides the card: the contact's id and ETag (the provider's:
 * the card's href and the server's ETag), how typed country names become ISO codes, and the
 * raw payload to keep.
 *
 * @example
 * ```ts
 * const context: ContactContext = { externalId: '/dav/ada.vcf', etag: '"1"', resolveCountry: codeOnlyCountry, raw: {} };
 * ```
 */
export interface ContactContext {
  externalId: string;
  etag: string | null;
  resolveCountry: CountryResolver;
  raw: Record<string, unknown>;
}

const first = (properties: readonly CardProperty[], name: string) => properties.find((p) => p.name === name);

/** N is family;given;additional;prefix;suffix; FN is the name as shown, built from N without one. */
function names(properties: readonly CardProperty[]) {
  const n = first(properties, 'n');
  const [family, given, additional, prefix, suffix] = n
    ? structuredParts(n, 5)
    : [null, null, null, null, null];
  const fn = first(properties, 'fn');
  const formatted = fn ? valueText(fn) : null;
  const built = [prefix, given, additional, family, suffix].filter(Boolean).join(' ');
  return {
    display_name: formatted ?? (built === '' ? null : built),
    first_name: given ?? null,
    middle_name: additional ?? null,
    last_name: family ?? null,
  };
}

/** ORG is name;unit;unit...; TITLE pairs with the ORG of the same position (one of each, mostly). */
function organizations(properties: readonly CardProperty[]): ContactOrganization[] {
  const orgs = properties.filter((p) => p.name === 'org');
  const titles = properties.filter((p) => p.name === 'title').map((p) => valueText(p));
  const count = Math.max(orgs.length, titles.length);
  const entries = Array.from({ length: count }, (_unused, index) => {
    const org = orgs[index];
    const [name, ...units] = org ? structuredParts(org, 1) : [null];
    const department = units.filter(Boolean).join(', ');
    return {
      pref: org ? preferenceOf(org) : null,
      org: {
        name: name ?? null,
        title: titles[index] ?? null,
        department: department === '' ? null : department,
      },
    };
  }).filter(({ org }) => org.name !== null || org.title !== null || org.department !== null);
  return byPreference(entries).map(({ entry }, index) => ({
    ...entry.org,
    current: null,
    primary: index === 0,
  }));
}

/**
 * PHOTO as an avatar only when it is a web address: inline data (`ENCODING=b`, `data:`) is no
 * URL. Google's 3.0 cards give the URL without `VALUE=uri` (ical.js then types it binary).
 */
function photos(properties: readonly CardProperty[]): ContactPhoto[] {
  const entries = properties.flatMap((property) => {
    if (
      property.name !== 'photo' ||
      paramValues(property.params, 'encoding').some((e) => e === 'b' || e === 'base64')
    )
      return [];
    const url = valueText(property);
    return url !== null && /^https?:\/\//i.test(url) ? [{ pref: preferenceOf(property), url }] : [];
  });
  return byPreference(entries).map(({ entry }, index) => ({
    url: entry.url,
    primary: index === 0,
    is_default: false,
  }));
}

/**
 * The CATEGORIES of a card, each name once, in card order.
 *
 * @example
 * ```ts
 * cardCategories([readProperty(['categories', {}, 'text', 'Friends', 'Climbing'])]); // ['Friends', 'Climbing']
 * ```
 */
export function cardCategories(properties: readonly CardProperty[]): string[] {
  return [...new Set(properties.filter((p) => p.name === 'categories').flatMap(listTexts))];
}

/**
 * A person's card as a {@link CanonicalContactInput}: names from N and FN, the first NICKNAME,
 * emails, phones (E.164 read in the primary address's country), addresses with ISO countries,
 * organizations with their titles, birthdays and other dates, URLs, usernames, a PHOTO that is a
 * URL, CATEGORIES as group memberships (`category:<name>`), and the card as `raw`. Dates the
 * calendar does not have become `source_problems`, so the engine records the card as a failure
 * instead of removing the date the CRM holds.
 *
 * @example
 * ```ts
 * const read = readCard('BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lovelace;Ada;;;\r\nFN:Ada Lovelace\r\nEND:VCARD\r\n');
 * if (read.ok) mapContact(read.properties, { externalId: '/ada.vcf', etag: null, resolveCountry: codeOnlyCountry, raw: {} }).first_name; // 'Ada'
 * ```
 */
export function mapContact(
  properties: readonly CardProperty[],
  context: ContactContext,
): CanonicalContactInput {
  const labels = groupLabels(properties);
  const addresses = mapAddresses(properties, labels, context.resolveCountry);
  // National numbers are read in the country of the primary address only, as for Google: a guess
  // from another address could turn a valid number into a wrong E.164.
  const region = addresses.find((address) => address.primary)?.country_code ?? null;
  const dates = mapDates(properties, labels);
  const nickname = properties.filter((p) => p.name === 'nickname').flatMap(listTexts)[0] ?? null;
  return {
    external_id: context.externalId,
    etag: context.etag,
    ...names(properties),
    nickname,
    emails: mapEmails(properties, labels),
    phones: mapPhones(properties, labels, region),
    addresses,
    organizations: organizations(properties),
    birthdays: dates.birthdays,
    anniversaries: dates.anniversaries,
    urls: mapUrls(properties, labels),
    usernames: mapUsernames(properties),
    photos: photos(properties),
    group_memberships: cardCategories(properties).map(categoryGroupId),
    deleted: false,
    raw: context.raw,
    previous_external_ids: [],
    ...(dates.problems.length > 0 ? { source_problems: dates.problems } : {}),
  };
}
