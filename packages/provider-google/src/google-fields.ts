/**
 * The two streams of a Google account the provider syncs, each with its own sync token:
 * `connections` (the address book) and `otherContacts` (people the user interacted with).
 *
 * @example
 * ```ts
 * const stream: GoogleStream = 'otherContacts';
 * ```
 */
export type GoogleStream = 'connections' | 'otherContacts';

/**
 * Every field `people.connections.list` is asked for. `nicknames` and `imClients` must be named
 * explicitly: an earlier system left them out and never received nicknames or usernames.
 *
 * @example
 * ```ts
 * api.people.connections.list({ resourceName: 'people/me', personFields: PERSON_FIELDS, requestSyncToken: true });
 * ```
 */
export const PERSON_FIELDS = [
  'names',
  'nicknames',
  'emailAddresses',
  'phoneNumbers',
  'addresses',
  'organizations',
  'birthdays',
  'events',
  'urls',
  'imClients',
  'photos',
  'memberships',
  'metadata',
].join(',');

/**
 * `otherContacts.list` allows only these fields with its default source.
 *
 * @example
 * ```ts
 * api.otherContacts.list({ readMask: OTHER_CONTACTS_READ_MASK, requestSyncToken: true });
 * ```
 */
export const OTHER_CONTACTS_READ_MASK = [
  'names',
  'emailAddresses',
  'phoneNumbers',
  'photos',
  'metadata',
].join(',');

/** `contactGroups.list` fields: `name` also brings `formattedName`. */
export const GROUP_FIELDS = ['name', 'groupType', 'metadata'].join(',');

/** Google's token endpoint, the default of the `tokenUrl` option. */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/** The People API root, the default of the `rootUrl` option. */
export const GOOGLE_ROOT_URL = 'https://people.googleapis.com/';
