import type {
  CanonicalContactInput,
  ContactAddress,
  ContactEmail,
  ContactOrganization,
  ContactPhone,
  ContactPhoto,
  ContactUrl,
  ContactUsername,
} from '@contacts/core';
import { addressCountryCode, phoneE164 } from '@contacts/core';
import type { people_v1 } from '@googleapis/people';
import type { GoogleStream } from './google-fields.js';
import { normalizeBirthdays, normalizeEvents } from './normalize-dates.js';
import { personProblems } from './normalize-problems.js';
import { isPrimary, primaryFirst, record, records, text } from './read-json.js';

/**
 * Options of {@link normalizePerson}.
 *
 * @example
 * ```ts
 * const options: NormalizePersonOptions = { source: 'otherContacts' };
 * ```
 */
export interface NormalizePersonOptions {
  /** The stream the person came from: other contacts belong to no contact group. */
  source: GoogleStream;
}

/** Keeps the first entry per key (the primary one comes first), so a merged person lists a value once. */
function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function readAddresses(addresses: unknown): ContactAddress[] {
  return primaryFirst(addresses).flatMap((address): ContactAddress[] => {
    const entry: ContactAddress = {
      type: text(address.type),
      street: text(address.streetAddress),
      extended: text(address.extendedAddress),
      city: text(address.city),
      region: text(address.region),
      postal_code: text(address.postalCode),
      country: text(address.country),
      country_code: addressCountryCode(text(address.countryCode), text(address.country)),
      formatted: text(address.formattedValue),
      primary: isPrimary(address),
    };
    const { type: _type, primary: _primary, ...parts } = entry;
    return Object.values(parts).some((part) => part !== null) ? [entry] : [];
  });
}

function readPhones(phones: unknown, region: string | null): ContactPhone[] {
  const entries = primaryFirst(phones).flatMap((phone): ContactPhone[] => {
    const value = text(phone.value) ?? text(phone.canonicalForm);
    if (!value) return [];
    return [
      {
        value,
        e164: phoneE164(value, text(phone.canonicalForm), region),
        type: text(phone.type),
        primary: isPrimary(phone),
      },
    ];
  });
  return uniqueBy(entries, (phone) => phone.e164 ?? phone.value.replace(/[^\d+]/g, ''));
}

function readEmails(emails: unknown): ContactEmail[] {
  const entries = primaryFirst(emails).flatMap((email): ContactEmail[] => {
    const value = text(email.value);
    return value ? [{ value, type: text(email.type), primary: isPrimary(email) }] : [];
  });
  return uniqueBy(entries, (email) => email.value.toLowerCase());
}

function readOrganizations(organizations: unknown): ContactOrganization[] {
  return primaryFirst(organizations).flatMap((org): ContactOrganization[] => {
    const entry = { name: text(org.name), title: text(org.title), department: text(org.department) };
    if (entry.name === null && entry.title === null && entry.department === null) return [];
    return [
      { ...entry, current: typeof org.current === 'boolean' ? org.current : null, primary: isPrimary(org) },
    ];
  });
}

function readUrls(urls: unknown): ContactUrl[] {
  const entries = primaryFirst(urls).flatMap((url): ContactUrl[] => {
    const value = text(url.value);
    return value ? [{ value, type: text(url.type) }] : [];
  });
  return uniqueBy(entries, (url) => url.value.toLowerCase());
}

/** IM handles as usernames: the service is the protocol, lower-cased (`skype`, `jabber`, a custom one). */
function readUsernames(imClients: unknown): ContactUsername[] {
  const entries = primaryFirst(imClients).flatMap((im): ContactUsername[] => {
    const value = text(im.username);
    const service = (text(im.protocol) ?? text(im.formattedProtocol) ?? 'im').toLowerCase();
    return value ? [{ service, value }] : [];
  });
  return uniqueBy(entries, (u) => `${u.service}:${u.value.toLowerCase()}`);
}

function readPhotos(photos: unknown): ContactPhoto[] {
  return primaryFirst(photos).flatMap((photo): ContactPhoto[] => {
    const url = text(photo.url);
    return url ? [{ url, primary: isPrimary(photo), is_default: photo.default === true }] : [];
  });
}

function readMemberships(memberships: unknown): string[] {
  const names = records(memberships).flatMap((membership) => {
    const group = record(membership.contactGroupMembership);
    const resourceName = text(group?.contactGroupResourceName);
    const id = text(group?.contactGroupId);
    if (resourceName) return [resourceName];
    return id ? [`contactGroups/${id}`] : [];
  });
  return [...new Set(names)];
}

/**
 * One People API `Person` as a {@link CanonicalContactInput}: the resource name as `external_id`,
 * primary entries first in every list, phones with E.164 (Google's `canonicalForm`, else derived
 * in the country of the primary address), ISO country codes (never a prefix of the name), every
 * event with its own type, IM clients as usernames, group memberships by resource name, earlier
 * resource names as `previous_external_ids`, and the payload itself as `raw`. A tombstone
 * (`metadata.deleted`) becomes `{ external_id, etag, deleted: true }`.
 *
 * Total: never an exception that would fail the page. A person that cannot be read faithfully (no
 * `resourceName`, a field of the wrong JSON type, a date the calendar does not have) is still
 * normalized, and carries its problems as `source_problems`, one sentence each in Google's field
 * names: the engine records it as a failure with them instead of applying it, so a value read as
 * absent never removes from the CRM what the source contributed before. Odd but readable values
 * (empty strings, unparseable phones, any Unicode) are no problem.
 *
 * @example
 * ```ts
 * const contact = normalizePerson(
 *   { resourceName: 'people/c1', etag: '%E1', names: [{ metadata: { primary: true }, displayName: 'Ada Lovelace', givenName: 'Ada', familyName: 'Lovelace' }] },
 *   { source: 'connections' },
 * );
 * contact.display_name; // 'Ada Lovelace'
 * ```
 */
export function normalizePerson(
  person: people_v1.Schema$Person,
  options: NormalizePersonOptions,
): CanonicalContactInput {
  const payload = record(person) ?? {};
  const metadata = record(payload.metadata);
  const externalId = text(payload.resourceName) ?? '';
  const etag = text(payload.etag);
  const problems = personProblems(person);
  // Only when there are some: a contact without the key is what every other provider sends.
  const reported = problems.length > 0 ? { source_problems: problems } : {};
  if (metadata?.deleted === true) return { external_id: externalId, etag, deleted: true, ...reported };

  const name = primaryFirst(payload.names)[0];
  const nickname = primaryFirst(payload.nicknames).find((entry) => text(entry.value) !== null);
  const addresses = readAddresses(payload.addresses);
  // National numbers are read in the country of the primary address only: a guess from another
  // address could turn a valid number into a wrong E.164.
  const region = addresses.find((address) => address.primary)?.country_code ?? null;
  const previous = Array.isArray(metadata?.previousResourceNames)
    ? (metadata.previousResourceNames as unknown[])
    : [];

  return {
    external_id: externalId,
    etag,
    display_name: text(name?.displayName) ?? text(name?.unstructuredName),
    first_name: text(name?.givenName),
    middle_name: text(name?.middleName),
    last_name: text(name?.familyName),
    nickname: text(nickname?.value),
    emails: readEmails(payload.emailAddresses),
    phones: readPhones(payload.phoneNumbers, region),
    addresses,
    organizations: readOrganizations(payload.organizations),
    birthdays: normalizeBirthdays(payload.birthdays),
    anniversaries: normalizeEvents(payload.events),
    urls: readUrls(payload.urls),
    usernames: readUsernames(payload.imClients),
    photos: readPhotos(payload.photos),
    group_memberships: options.source === 'otherContacts' ? [] : readMemberships(payload.memberships),
    deleted: false,
    // A person that is not an object is kept too, wrapped: the failure it becomes shows what came.
    raw: record(person) ?? { payload: person ?? null },
    previous_external_ids: [
      ...new Set(previous.map(text).filter((id): id is string => id !== null && id !== externalId)),
    ],
    ...reported,
  };
}
