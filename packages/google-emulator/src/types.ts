// The People API v1 resource shapes the emulator serves, as Google's JSON has them. Only the
// fields the emulator generates or accepts are typed; every one is optional, like in Google's
// own discovery document, because a response carries only the fields the request asked for.

/**
 * Where a value came from (`FieldMetadata.source.type`, `metadata.sources[].type`).
 *
 * @example
 * ```ts
 * const type: SourceType = 'CONTACT';
 * ```
 */
export type SourceType =
  | 'ACCOUNT'
  | 'PROFILE'
  | 'DOMAIN_PROFILE'
  | 'CONTACT'
  | 'OTHER_CONTACT'
  | 'DOMAIN_CONTACT';

/**
 * `FieldMetadata.source`: the source a single field entry came from.
 *
 * @example
 * ```ts
 * const source: FieldSource = { type: 'CONTACT', id: '3b603c120c68305f' };
 * ```
 */
export interface FieldSource {
  type: SourceType;
  id: string;
}

/**
 * Metadata on every entry of a person's field lists. Exactly one entry of each non-empty list has
 * `primary: true`.
 *
 * @example
 * ```ts
 * const meta: FieldMetadata = { primary: true, sourcePrimary: true, source: { type: 'CONTACT', id: '3b603c120c68305f' } };
 * ```
 */
export interface FieldMetadata {
  primary?: boolean;
  sourcePrimary?: boolean;
  verified?: boolean;
  source?: FieldSource;
}

/**
 * One of `Person.metadata.sources[]`: carries the source's own `etag` and `updateTime`.
 *
 * @example
 * ```ts
 * const source: PersonSource = { type: 'CONTACT', id: '3b603c120c68305f', etag: '#dUp6RO4EJS8=', updateTime: '2023-01-30T14:35:18.142565Z' };
 * ```
 */
export interface PersonSource {
  type: SourceType;
  id: string;
  etag?: string;
  updateTime?: string;
}

/**
 * `Person.metadata`. `deleted` appears on tombstones in sync-token responses, and
 * `previousResourceNames` on renamed people in sync-token responses only.
 *
 * @example
 * ```ts
 * const tombstone: PersonMetadata = { sources: [{ type: 'CONTACT', id: 'a1' }], objectType: 'PERSON', deleted: true };
 * ```
 */
export interface PersonMetadata {
  sources?: PersonSource[];
  objectType?: 'PERSON' | 'PAGE' | 'OBJECT_TYPE_UNSPECIFIED';
  deleted?: boolean;
  previousResourceNames?: string[];
  linkedPeopleResourceNames?: string[];
}

/**
 * A calendar date; `year` absent (or 0) means unknown.
 *
 * @example
 * ```ts
 * const noYear: DateValue = { month: 4, day: 12 };
 * ```
 */
export interface DateValue {
  year?: number;
  month?: number;
  day?: number;
}

/**
 * `names[]`: a singleton for contact sources.
 *
 * @example
 * ```ts
 * const name: Name = { givenName: 'Ada', familyName: 'Lovelace', displayName: 'Ada Lovelace', displayNameLastFirst: 'Lovelace, Ada' };
 * ```
 */
export interface Name {
  metadata?: FieldMetadata;
  displayName?: string;
  displayNameLastFirst?: string;
  unstructuredName?: string;
  familyName?: string;
  givenName?: string;
  middleName?: string;
  honorificPrefix?: string;
  honorificSuffix?: string;
  phoneticFullName?: string;
  phoneticFamilyName?: string;
  phoneticGivenName?: string;
}

/**
 * `nicknames[]`: only returned when `nicknames` is requested explicitly.
 *
 * @example
 * ```ts
 * const nickname: Nickname = { value: 'Bobby' };
 * ```
 */
export interface Nickname {
  metadata?: FieldMetadata;
  value?: string;
  type?: 'DEFAULT' | 'MAIDEN_NAME' | 'INITIALS' | 'GPLUS' | 'OTHER_NAME' | 'ALTERNATE_NAME' | 'SHORT_NAME';
}

/**
 * `emailAddresses[]`: `type` is `home`, `work`, `other` or a custom label.
 *
 * @example
 * ```ts
 * const email: EmailAddress = { value: 'ada@example.com', type: 'work', formattedType: 'Work' };
 * ```
 */
export interface EmailAddress {
  metadata?: FieldMetadata;
  value?: string;
  type?: string;
  formattedType?: string;
  displayName?: string;
}

/**
 * `phoneNumbers[]`: `value` as typed, `canonicalForm` E.164 (absent when unparseable).
 *
 * @example
 * ```ts
 * const phone: PhoneNumber = { value: '(303) 828-8765', canonicalForm: '+13038288765', type: 'mobile' };
 * ```
 */
export interface PhoneNumber {
  metadata?: FieldMetadata;
  value?: string;
  canonicalForm?: string;
  type?: string;
  formattedType?: string;
}

/**
 * `addresses[]`: `country` is a free-text name, `countryCode` ISO 3166-1 alpha-2.
 *
 * @example
 * ```ts
 * const address: Address = { city: 'Berlin', postalCode: '10115', country: 'Deutschland', countryCode: 'DE' };
 * ```
 */
export interface Address {
  metadata?: FieldMetadata;
  formattedValue?: string;
  type?: string;
  formattedType?: string;
  poBox?: string;
  streetAddress?: string;
  extendedAddress?: string;
  city?: string;
  region?: string;
  postalCode?: string;
  country?: string;
  countryCode?: string;
}

/**
 * `organizations[]`.
 *
 * @example
 * ```ts
 * const org: Organization = { name: 'Acme Corp', title: 'Senior Engineer', department: 'Engineering', current: true };
 * ```
 */
export interface Organization {
  metadata?: FieldMetadata;
  name?: string;
  title?: string;
  department?: string;
  current?: boolean;
  type?: string;
  formattedType?: string;
}

/**
 * `birthdays[]`: a `date` (year optional) or only free `text`.
 *
 * @example
 * ```ts
 * const birthday: Birthday = { date: { month: 2, day: 29 } }; // or { text: 'early June' }
 * ```
 */
export interface Birthday {
  metadata?: FieldMetadata;
  date?: DateValue;
  text?: string;
}

/**
 * `events[]`: `type` is `anniversary`, `other` or a custom label.
 *
 * @example
 * ```ts
 * const event: PersonEvent = { date: { year: 2009, month: 8, day: 8 }, type: 'anniversary', formattedType: 'Anniversary' };
 * ```
 */
export interface PersonEvent {
  metadata?: FieldMetadata;
  date?: DateValue;
  type?: string;
  formattedType?: string;
}

/**
 * `urls[]`.
 *
 * @example
 * ```ts
 * const url: Url = { value: 'https://example.com', type: 'homePage' };
 * ```
 */
export interface Url {
  metadata?: FieldMetadata;
  value?: string;
  type?: string;
  formattedType?: string;
}

/**
 * `imClients[]`: `protocol` such as `skype`, `jabber` or a custom one.
 *
 * @example
 * ```ts
 * const im: ImClient = { username: 'ada42', protocol: 'skype', formattedProtocol: 'Skype' };
 * ```
 */
export interface ImClient {
  metadata?: FieldMetadata;
  username?: string;
  protocol?: string;
  formattedProtocol?: string;
  type?: string;
  formattedType?: string;
}

/**
 * `photos[]`: `default: true` marks the generated placeholder avatar.
 *
 * @example
 * ```ts
 * const placeholder: Photo = { url: 'https://lh3.googleusercontent.com/cm/abc=s100', default: true };
 * ```
 */
export interface Photo {
  metadata?: FieldMetadata;
  url?: string;
  default?: boolean;
}

/**
 * `biographies[]` (the contact's notes).
 *
 * @example
 * ```ts
 * const note: Biography = { value: 'Met at the conference.', contentType: 'TEXT_PLAIN' };
 * ```
 */
export interface Biography {
  metadata?: FieldMetadata;
  value?: string;
  contentType?: 'TEXT_PLAIN' | 'TEXT_HTML' | 'CONTENT_TYPE_UNSPECIFIED';
}

/**
 * `relations[]`.
 *
 * @example
 * ```ts
 * const relation: Relation = { person: 'Grace Hopper', type: 'friend' };
 * ```
 */
export interface Relation {
  metadata?: FieldMetadata;
  person?: string;
  type?: string;
  formattedType?: string;
}

/**
 * `genders[]`.
 *
 * @example
 * ```ts
 * const gender: Gender = { value: 'female', formattedValue: 'Female' };
 * ```
 */
export interface Gender {
  metadata?: FieldMetadata;
  value?: string;
  formattedValue?: string;
}

/**
 * `sipAddresses[]`.
 *
 * @example
 * ```ts
 * const sip: SipAddress = { value: 'sip:ada@voip.example.com', type: 'work' };
 * ```
 */
export interface SipAddress {
  metadata?: FieldMetadata;
  value?: string;
  type?: string;
  formattedType?: string;
}

/**
 * `userDefined[]`: custom key/value fields.
 *
 * @example
 * ```ts
 * const custom: UserDefined = { key: 'Shirt size', value: 'M' };
 * ```
 */
export interface UserDefined {
  metadata?: FieldMetadata;
  key?: string;
  value?: string;
}

/**
 * `memberships[]`: a contact group the person belongs to.
 *
 * @example
 * ```ts
 * const m: Membership = {
 *   contactGroupMembership: { contactGroupId: 'myContacts', contactGroupResourceName: 'contactGroups/myContacts' },
 * };
 * ```
 */
export interface Membership {
  metadata?: FieldMetadata;
  contactGroupMembership?: { contactGroupId?: string; contactGroupResourceName?: string };
  domainMembership?: { inViewerDomain?: boolean };
}

/**
 * A People API `Person`, as `people.connections.list` and `otherContacts.list` return it.
 * `resourceName` and `etag` are always present; everything else only when requested.
 *
 * @example
 * ```ts
 * const person: Person = {
 *   resourceName: 'people/c4278485694217203807',
 *   etag: '%EgUBAgMFBy4aBAECBQciDGRVcDZSTzRFSlM4PQ==',
 *   names: [{ metadata: { primary: true }, displayName: 'Shahed Mashni', givenName: 'Shahed', familyName: 'Mashni' }],
 * };
 * ```
 */
export interface Person {
  resourceName: string;
  etag: string;
  metadata?: PersonMetadata;
  names?: Name[];
  nicknames?: Nickname[];
  photos?: Photo[];
  genders?: Gender[];
  birthdays?: Birthday[];
  events?: PersonEvent[];
  addresses?: Address[];
  emailAddresses?: EmailAddress[];
  phoneNumbers?: PhoneNumber[];
  imClients?: ImClient[];
  biographies?: Biography[];
  urls?: Url[];
  organizations?: Organization[];
  relations?: Relation[];
  sipAddresses?: SipAddress[];
  userDefined?: UserDefined[];
  memberships?: Membership[];
}

/**
 * The field lists of a {@link Person}: what `personFields` selects (besides `metadata`).
 *
 * @example
 * ```ts
 * const field: PersonListField = 'phoneNumbers';
 * ```
 */
export type PersonListField = Exclude<keyof Person, 'resourceName' | 'etag' | 'metadata'>;

/**
 * What the admin API takes to create or edit a person: field lists in Google's shape. Entry
 * `metadata` is optional: the emulator fills in the source and makes the first entry primary when
 * none is. For edits, a list given replaces the stored list; an empty list clears the field.
 *
 * @example
 * ```ts
 * const input: PersonInput = {
 *   names: [{ givenName: 'Ada', familyName: 'Lovelace' }],
 *   emailAddresses: [{ value: 'ada@example.com', type: 'home' }],
 *   phoneNumbers: [{ value: '+44 20 7946 0958' }],
 * };
 * ```
 */
export type PersonInput = { [K in PersonListField]?: Person[K] };

/**
 * `ContactGroup.groupType`.
 *
 * @example
 * ```ts
 * const type: ContactGroupType = 'USER_CONTACT_GROUP';
 * ```
 */
export type ContactGroupType = 'USER_CONTACT_GROUP' | 'SYSTEM_CONTACT_GROUP' | 'GROUP_TYPE_UNSPECIFIED';

/**
 * A People API `ContactGroup` as `contactGroups.list` returns it. A user group's id is opaque:
 * its label is `name`.
 *
 * @example
 * ```ts
 * const group: ContactGroup = {
 *   resourceName: 'contactGroups/7f3a2b9c0d1e',
 *   etag: 'XUr7hIpk1sE=',
 *   metadata: { updateTime: '2024-02-01T10:00:00.000000Z' },
 *   groupType: 'USER_CONTACT_GROUP',
 *   name: 'Climbing club',
 *   formattedName: 'Climbing club',
 *   memberCount: 12,
 * };
 * ```
 */
export interface ContactGroup {
  resourceName: string;
  etag: string;
  metadata?: { updateTime?: string; deleted?: boolean };
  groupType?: ContactGroupType;
  name?: string;
  formattedName?: string;
  memberCount?: number;
}
