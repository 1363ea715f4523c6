import { z } from 'zod';
import { daysInMonth, formatCalendarDate } from '../util/calendar.js';

/**
 * The longest text value a contact may carry, in UTF-16 code units. Far above any real name,
 * address or URL (the generator's "long values" case is 2,000), far below a 100 KB blob, which
 * would otherwise reach the database's btree indexes (names, contact_info values, labels) and be
 * accepted or refused depending on how well it compresses. Refused here, the outcome is the same
 * for every value and the reason names the field.
 */
export const MAX_TEXT_LENGTH = 10_000;

const tooLong = (max: number) => (issue: { input?: unknown }) =>
  `too long: ${typeof issue.input === 'string' ? issue.input.length.toLocaleString('en-US') : 'more than the limit'} characters (at most ${max.toLocaleString('en-US')})`;
const text = z.string().max(MAX_TEXT_LENGTH, { error: tooLong(MAX_TEXT_LENGTH) });
const optionalText = text.nullish();
/** The longest external id, in UTF-16 code units: it is a primary-key column. */
export const MAX_ID_LENGTH = 1024;
/**
 * The longest external id in UTF-8 bytes. With the provider and the account id (at most 200
 * characters) it is a key of the links and failures tables, whose btree entries hold at most
 * 2,704 bytes: 1,024 CJK characters (3,072 bytes) made the failure row itself refused, and with
 * it the whole page.
 */
export const MAX_ID_BYTES = 1536;

const idBytes = (id: string): number => Buffer.byteLength(id, 'utf8');

/** An id the source gives (a link's key): bounded tighter, since it is a primary-key column. */
const idText = z
  .string()
  .min(1)
  .max(MAX_ID_LENGTH, { error: tooLong(MAX_ID_LENGTH) })
  .refine((id) => id.length > MAX_ID_LENGTH || idBytes(id) <= MAX_ID_BYTES, {
    error: (issue) =>
      `too long: ${typeof issue.input === 'string' ? idBytes(issue.input).toLocaleString('en-US') : 'more than the limit'} bytes in UTF-8 (at most ${MAX_ID_BYTES.toLocaleString('en-US')})`,
  })
  // Postgres text cannot hold NUL, so it is dropped on the way in: an id of NULs alone is empty.
  .refine((id) => id.replaceAll('\u0000', '') !== '', { error: 'holds nothing but NUL characters' });

/**
 * An email address of a contact. `primary` marks the one the source calls primary.
 *
 * @example
 * ```ts
 * const email: ContactEmail = { value: 'ada@example.org', type: 'work', primary: true };
 * ```
 */
export const ContactEmail = z.object({
  value: text.min(1),
  type: optionalText,
  primary: z.boolean().default(false),
});
export type ContactEmail = z.infer<typeof ContactEmail>;

/**
 * A phone number as the source typed it, with its E.164 form when the source gave one.
 *
 * @example
 * ```ts
 * const phone: ContactPhone = { value: '(303) 828-8765', e164: '+13038288765', type: 'mobile', primary: true };
 * ```
 */
export const ContactPhone = z.object({
  value: text.min(1),
  e164: optionalText,
  type: optionalText,
  primary: z.boolean().default(false),
});
export type ContactPhone = z.infer<typeof ContactPhone>;

/**
 * A postal address. `country_code` is ISO 3166-1 alpha-2; `country` is the source's name for it.
 *
 * @example
 * ```ts
 * const home: ContactAddress = { type: 'home', street: '123 Main St', city: 'Springfield', country_code: 'US', primary: true };
 * ```
 */
export const ContactAddress = z.object({
  type: optionalText,
  street: optionalText,
  extended: optionalText,
  city: optionalText,
  region: optionalText,
  postal_code: optionalText,
  country: optionalText,
  country_code: optionalText,
  formatted: optionalText,
  primary: z.boolean().default(false),
});
export type ContactAddress = z.infer<typeof ContactAddress>;

/**
 * An organization a contact belongs to.
 *
 * @example
 * ```ts
 * const org: ContactOrganization = { name: 'Acme Corp', title: 'Engineer', current: true, primary: true };
 * ```
 */
export const ContactOrganization = z.object({
  name: optionalText,
  title: optionalText,
  department: optionalText,
  current: z.boolean().nullish(),
  primary: z.boolean().default(false),
});
export type ContactOrganization = z.infer<typeof ContactOrganization>;

/**
 * A birthday or another yearly date. `year` is null when unknown; `type` keeps the source's event
 * type (`anniversary`, `other`, or its own); `text` holds a date the source gave only as text.
 *
 * @example
 * ```ts
 * const birthday: ContactDate = { month: 4, day: 12, year: null, type: 'birthday' };
 * ```
 */
export const ContactDate = z
  .object({
    year: z.number().int().min(1).max(9999).nullish(),
    month: z.number().int().min(1).max(12).nullish(),
    day: z.number().int().min(1).max(31).nullish(),
    type: optionalText,
    text: optionalText,
  })
  .refine((d) => (d.month != null && d.day != null) || (d.text != null && d.text !== ''), {
    message: 'a date needs a month and a day, or a text',
  })
  // Each part in range is not enough: February 30 or April 31 would become a yearly reminder
  // that never fires.
  .refine(
    (d) =>
      d.month == null ||
      d.day == null ||
      d.month < 1 ||
      d.month > 12 ||
      d.day <= daysInMonth(d.month, d.year),
    {
      error: (issue) => {
        const d = issue.input as { year?: number | null; month: number; day: number };
        return `${formatCalendarDate(d.month, d.day, d.year)} is not a calendar date`;
      },
    },
  );
export type ContactDate = z.infer<typeof ContactDate>;

/**
 * A web address.
 *
 * @example
 * ```ts
 * const url: ContactUrl = { value: 'https://example.com', type: 'homePage' };
 * ```
 */
export const ContactUrl = z.object({ value: text.min(1), type: optionalText });
export type ContactUrl = z.infer<typeof ContactUrl>;

/**
 * A username on a service (an IM handle, a social account).
 *
 * @example
 * ```ts
 * const handle: ContactUsername = { service: 'matrix', value: '@ada:example.org' };
 * ```
 */
export const ContactUsername = z.object({ service: text.min(1), value: text.min(1) });
export type ContactUsername = z.infer<typeof ContactUsername>;

/**
 * A photo. `is_default` marks a provider's placeholder avatar, which is never stored as an avatar.
 *
 * @example
 * ```ts
 * const photo: ContactPhoto = { url: 'https://example.com/a.jpg', primary: true, is_default: false };
 * ```
 */
export const ContactPhoto = z.object({
  url: text.min(1),
  primary: z.boolean().default(false),
  is_default: z.boolean().default(false),
});
export type ContactPhoto = z.infer<typeof ContactPhoto>;

/**
 * One person of an address book, in the provider-neutral form the engine writes from.
 * `external_id` is the provider's stable id (Google: `people/c123`); `previous_external_ids` the
 * ids it had before (Google's `previousResourceNames`); `deleted` marks a tombstone; `raw` the
 * provider's payload (never a token).
 *
 * @example
 * ```ts
 * const ada = CanonicalContact.parse({
 *   external_id: 'people/c1', etag: 'e1', display_name: 'Ada Lovelace', first_name: 'Ada', last_name: 'Lovelace',
 *   emails: [{ value: 'ada@example.org', primary: true }],
 * });
 * ```
 */
export const CanonicalContact = z.object({
  external_id: idText,
  etag: optionalText,
  display_name: optionalText,
  first_name: optionalText,
  middle_name: optionalText,
  last_name: optionalText,
  nickname: optionalText,
  emails: z.array(ContactEmail).default([]),
  phones: z.array(ContactPhone).default([]),
  addresses: z.array(ContactAddress).default([]),
  organizations: z.array(ContactOrganization).default([]),
  birthdays: z.array(ContactDate).default([]),
  anniversaries: z.array(ContactDate).default([]),
  urls: z.array(ContactUrl).default([]),
  usernames: z.array(ContactUsername).default([]),
  photos: z.array(ContactPhoto).default([]),
  group_memberships: z.array(text.min(1)).default([]),
  deleted: z.boolean().default(false),
  raw: z.record(z.string(), z.unknown()).nullish(),
  previous_external_ids: z.array(idText).default([]),
  /**
   * Why the provider could not read its payload faithfully, one sentence each (a field of the
   * wrong type, an impossible date). Reading such a field as absent would make the engine remove
   * what the source contributed before, so a contact with problems is never applied: it becomes a
   * failure with these sentences, and is applied once the source corrects it.
   */
  source_problems: z
    .array(z.string())
    .max(0, { error: 'the provider found problems in this payload' })
    .optional(),
});
export type CanonicalContact = z.infer<typeof CanonicalContact>;
/**
 * What a provider may hand in: defaults not applied yet.
 *
 * @example
 * ```ts
 * const input: CanonicalContactInput = { external_id: 'people/c1', display_name: 'Ada Lovelace' };
 * const contact = CanonicalContact.parse(input); // emails: [], deleted: false, ...
 * ```
 */
export type CanonicalContactInput = z.input<typeof CanonicalContact>;

/**
 * A contact group (Google: a contact group; CardDAV: a group vCard). Labels take its `name`.
 *
 * @example
 * ```ts
 * const group: CanonicalGroup = { external_id: 'contactGroups/7f3a', name: 'Climbing club', system: false, deleted: false };
 * ```
 */
export const CanonicalGroup = z.object({
  external_id: text.min(1),
  name: text.min(1),
  system: z.boolean().default(false),
  deleted: z.boolean().default(false),
});
export type CanonicalGroup = z.infer<typeof CanonicalGroup>;
