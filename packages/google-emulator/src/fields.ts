import { GoogleHttpError } from './errors.js';
import type { PersonListField } from './types.js';

/**
 * Every path `personFields` accepts, per Google's reference. The emulator holds data for fewer of
 * them; asking for one it has no data for is valid and returns nothing for it, as Google does.
 *
 * @example
 * ```ts
 * PERSON_FIELDS.includes('nicknames'); // true
 * ```
 */
export const PERSON_FIELDS = [
  'addresses',
  'ageRanges',
  'biographies',
  'birthdays',
  'calendarUrls',
  'clientData',
  'coverPhotos',
  'emailAddresses',
  'events',
  'externalIds',
  'genders',
  'imClients',
  'interests',
  'locales',
  'locations',
  'memberships',
  'metadata',
  'miscKeywords',
  'names',
  'nicknames',
  'occupations',
  'organizations',
  'phoneNumbers',
  'photos',
  'relations',
  'sipAddresses',
  'skills',
  'urls',
  'userDefined',
] as const;

/**
 * A path of `personFields` / `readMask`.
 *
 * @example
 * ```ts
 * const field: PersonField = 'memberships';
 * ```
 */
export type PersonField = (typeof PERSON_FIELDS)[number];

/**
 * The `readMask` paths `otherContacts.list` allows with its default source.
 *
 * @example
 * ```ts
 * OTHER_CONTACT_FIELDS.includes('addresses'); // false: a 400 from otherContacts.list
 * ```
 */
export const OTHER_CONTACT_FIELDS = [
  'emailAddresses',
  'metadata',
  'names',
  'phoneNumbers',
  'photos',
] as const;

/** The `groupFields` paths of `contactGroups.list`, and its default. */
export const GROUP_FIELDS = ['clientData', 'groupType', 'memberCount', 'metadata', 'name'] as const;
export const DEFAULT_GROUP_FIELDS = ['groupType', 'memberCount', 'metadata', 'name'] as const;

/** Field lists in the order Google's JSON has them (proto field order). */
export const PERSON_LIST_FIELDS_IN_ORDER: readonly PersonListField[] = [
  'names',
  'nicknames',
  'photos',
  'genders',
  'birthdays',
  'events',
  'addresses',
  'emailAddresses',
  'phoneNumbers',
  'imClients',
  'biographies',
  'urls',
  'organizations',
  'relations',
  'sipAddresses',
  'userDefined',
  'memberships',
];

const DOCS = {
  personFields: 'https://developers.google.com/people/api/rest/v1/people.connections/list',
  readMask: 'https://developers.google.com/people/api/rest/v1/otherContacts/list',
  groupFields: 'https://developers.google.com/people/api/rest/v1/contactGroups/list',
} as const;

/**
 * Parses a field mask given as comma-separated values, repeated parameters, or both. Returns the
 * sorted distinct paths, so `names,emailAddresses` and `emailAddresses&names` are the same mask.
 * Throws a 400 in Google's shape when the mask is missing, empty or holds an unknown path.
 */
export function parseFieldMask(
  param: keyof typeof DOCS,
  rawValues: readonly string[] | undefined,
  known: readonly string[],
  allowed: readonly string[] = known,
): string[] {
  const paths = new Set<string>();
  for (const raw of rawValues ?? []) {
    for (const part of raw.split(',')) {
      const path = part.trim();
      if (path) paths.add(path);
    }
  }
  if (paths.size === 0) {
    throw GoogleHttpError.invalidArgument(
      `${param} mask is required. Please specify one or more valid paths. Valid paths are documented at ${DOCS[param]}.`,
    );
  }
  for (const path of paths) {
    if (!known.includes(path)) {
      throw GoogleHttpError.invalidArgument(
        `Invalid ${param} mask path: "${path}". Valid paths are documented at ${DOCS[param]}.`,
      );
    }
    if (!allowed.includes(path)) {
      throw GoogleHttpError.invalidArgument(
        `Invalid ${param} mask path: "${path}". With the requested sources only ${allowed.join(', ')} are allowed.`,
      );
    }
  }
  return [...paths].sort();
}
