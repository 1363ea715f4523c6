import type { CanonicalContact, ContactAddress, ContactDate } from '../model/canonical-contact.js';
import {
  isoCountry,
  normalizeEmail,
  normalizePhone,
  normalizeUsername,
  normalizeWebsite,
} from '../util/normalize.js';
import { addressKey, dateKey, infoKey } from './row-keys.js';

/** The scalar fields of `shared.contacts` a source writes, with provenance per field. */
export const SCALAR_FIELDS = [
  'name',
  'first_name',
  'middle_name',
  'last_name',
  'nickname',
  'company',
  'job_title',
  'avatar_url',
] as const;
export type ScalarField = (typeof SCALAR_FIELDS)[number];
export type ScalarValues = Record<ScalarField, string | null>;

export interface DesiredInfo {
  key: string;
  type: 'email' | 'phone' | 'website' | 'username';
  value: string;
  normalized: string;
  label: string | null;
  primary: boolean;
}

export interface DesiredAddress {
  key: string;
  label: string;
  line_1: string;
  line_2: string | null;
  city: string | null;
  province: string | null;
  postal_code: string | null;
  country: string | null;
}

export interface DesiredDate {
  key: string;
  label: string;
  month: number;
  day: number;
  year: number | null;
}

/**
 * What the CRM should hold for one source contact: rows keyed for set comparison.
 *
 * @example
 * ```ts
 * const desired: DesiredContact = toDesiredContact(parseCanonicalContact({ external_id: 'people/c1', display_name: 'Ada Lovelace' }), new Map());
 * desired.fields.name; // 'Ada Lovelace'
 * desired.nameKey; // 'ada lovelace'
 * ```
 */
export interface DesiredContact {
  externalId: string;
  previousIds: string[];
  etag: string | null;
  deleted: boolean;
  fields: ScalarValues;
  info: DesiredInfo[];
  addresses: DesiredAddress[];
  dates: DesiredDate[];
  labels: string[];
  /** Normalized emails and E.164 phones identity is resolved by. */
  emailKeys: string[];
  phoneKeys: string[];
  /** Lower-cased real name (not a fallback) for the conservative name match, or null. */
  nameKey: string | null;
  /** Lower-cased nickname, matched only when there is no real name. */
  nicknameKey: string | null;
}

/** The shape of an E.164 number: `+`, a country code that does not start with 0, 7 to 15 digits. */
const E164 = /^\+[1-9]\d{6,14}$/;

/** A surrogate, paired or not: a string without one (and without NUL) is stored as it is. */
const SURROGATE = /[\uD800-\uDFFF]/;

/** Half of a surrogate pair with no other half: a broken emoji (a string cut by UTF-16 length). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text as Postgres can store it: without NUL (text cannot hold it) and with a lone surrogate as
 * U+FFFD (it is not UTF-8, and jsonb refuses its escape). The writer does the same to every JSON
 * parameter; doing it here first keeps the keys in memory and in provenance equal to the rows
 * stored (else a value would look new, or another's).
 *
 * @example
 * ```ts
 * storableText('Ada\u0000 \uD83D'); // 'Ada \uFFFD'
 * ```
 */
export function storableText(value: string): string {
  // Runs on every string of every contact: most hold neither NUL nor any surrogate.
  if (!value.includes('\u0000') && !SURROGATE.test(value)) return value;
  const withoutNul = value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
  return withoutNul.replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * `value` with every string storable. Copy on write: an array or object is copied only when a
 * string inside it changes (almost never: a NUL or half an emoji), so a contact is not rebuilt
 * field by field on every page (the copy of every row showed in the profile of a full sync).
 */
function storable<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i += 1) {
      const item: unknown = value[i];
      const kept = storable(item);
      if (kept !== item) {
        copy ??= [...value];
        copy[i] = kept;
      }
    }
    return (copy ?? value) as T;
  }
  if (value && typeof value === 'object') {
    let copy: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(value)) {
      const kept = storable(v);
      if (kept !== v) {
        // As Object.fromEntries did: own data properties, a `__proto__` key included.
        copy ??= Object.fromEntries(Object.entries(value));
        Object.defineProperty(copy, k, { value: kept, enumerable: true, writable: true, configurable: true });
      }
    }
    return (copy ?? value) as T;
  }
  return value;
}

const clean = (s: string | null | undefined): string | null => {
  const t = s?.trim();
  return t ? t : null;
};

/** Primary entries first, the source's order otherwise. */
const primaryFirst = <T extends { primary?: boolean }>(items: T[]): T[] =>
  [...items].sort((a, b) => Number(b.primary ?? false) - Number(a.primary ?? false));

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function realName(c: CanonicalContact): string | null {
  const full = [c.first_name, c.middle_name, c.last_name].map(clean).filter(Boolean).join(' ');
  return clean(c.display_name) ?? clean(full);
}

function displayName(c: CanonicalContact): string {
  const org = primaryFirst(c.organizations)[0]?.name;
  const email = primaryFirst(c.emails)[0]?.value;
  const phone = primaryFirst(c.phones)[0]?.value;
  return realName(c) ?? clean(c.nickname) ?? clean(org) ?? clean(email) ?? clean(phone) ?? 'Unnamed contact';
}

function address(a: ContactAddress): DesiredAddress | null {
  const formattedFirst = a.formatted?.split('\n')[0];
  const line1 = clean(a.street) ?? clean(formattedFirst) ?? clean(a.city);
  if (!line1) return null;
  const row = {
    label: capitalize(clean(a.type) ?? 'home'),
    line_1: line1,
    line_2: clean(a.extended),
    city: clean(a.city),
    province: clean(a.region),
    postal_code: clean(a.postal_code),
    country: isoCountry(a.country_code),
  };
  return { key: addressKey(row), ...row };
}

function date(d: ContactDate, label: string): DesiredDate | null {
  if (d.month == null || d.day == null) return null; // text-only dates stay in the source payload
  return { key: dateKey(label, d.month, d.day), label, month: d.month, day: d.day, year: d.year ?? null };
}

function uniqueBy<T extends { key: string }>(items: (T | null)[]): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (item && !seen.has(item.key)) seen.set(item.key, item);
  return [...seen.values()];
}

/**
 * Turns a canonical contact into the rows the CRM should hold for it. `groupNames` maps group
 * external ids to names; memberships of unknown or system groups make no label (an opaque id is
 * never a label name).
 *
 * @example
 * ```ts
 * const contact = parseCanonicalContact({
 *   external_id: 'people/c1', display_name: 'Ada Lovelace',
 *   emails: [{ value: 'Ada@Example.org' }], group_memberships: ['groups/friends'],
 * });
 * const desired = toDesiredContact(contact, new Map([['groups/friends', { name: 'Friends', system: false }]]));
 * desired.emailKeys; // ['ada@example.org']
 * desired.labels; // ['Friends']
 * ```
 */
export function toDesiredContact(
  contact: CanonicalContact,
  groups: ReadonlyMap<string, { name: string; system: boolean }>,
): DesiredContact {
  const c = storable({ ...contact, raw: null });
  const org = primaryFirst(c.organizations)[0];
  const photo = primaryFirst(c.photos.filter((p) => !p.is_default))[0];
  const country =
    primaryFirst(c.addresses)
      .map((a) => isoCountry(a.country_code))
      .find(Boolean) ?? null;
  const fields: ScalarValues = {
    name: displayName(c),
    first_name: clean(c.first_name),
    middle_name: clean(c.middle_name),
    last_name: clean(c.last_name),
    nickname: clean(c.nickname),
    company: clean(org?.name),
    job_title: clean(org?.title),
    avatar_url: clean(photo?.url),
  };
  const info = uniqueBy<DesiredInfo>([
    ...primaryFirst(c.emails).map((e) => {
      const normalized = normalizeEmail(e.value);
      return {
        key: infoKey('email', normalized),
        type: 'email' as const,
        value: e.value.trim(),
        normalized,
        label: clean(e.type),
        primary: e.primary,
      };
    }),
    ...primaryFirst(c.phones).map((p) => {
      const normalized = normalizePhone(p.value, p.e164, country);
      return {
        key: infoKey('phone', normalized),
        type: 'phone' as const,
        value: p.value.trim(),
        normalized,
        label: clean(p.type),
        primary: p.primary,
      };
    }),
    ...c.urls.map((u) => {
      const normalized = normalizeWebsite(u.value);
      return {
        key: infoKey('website', normalized),
        type: 'website' as const,
        value: u.value.trim(),
        normalized,
        label: clean(u.type),
        primary: false,
      };
    }),
    ...c.usernames.map((u) => {
      const normalized = normalizeUsername(u.service, u.value);
      return {
        key: infoKey('username', normalized),
        type: 'username' as const,
        value: u.value.trim(),
        normalized,
        label: u.service.trim().toLowerCase(),
        primary: false,
      };
    }),
  ]).filter((i) => i.normalized !== '' && i.normalized !== '+');
  const labels = [
    ...new Set(
      c.group_memberships
        .map((id) => groups.get(id))
        .filter((g): g is { name: string; system: boolean } => g !== undefined && !g.system)
        .map((g) => g.name.trim())
        .filter(Boolean),
    ),
  ];
  return {
    externalId: c.external_id,
    previousIds: c.previous_external_ids.filter((id) => id !== c.external_id),
    etag: c.etag ?? null,
    deleted: c.deleted,
    fields,
    info,
    addresses: uniqueBy(c.addresses.map(address)),
    dates: uniqueBy([
      ...c.birthdays.map((d) => date(d, 'birthday')),
      ...c.anniversaries.map((d) => date(d, (clean(d.type) ?? 'anniversary').toLowerCase())),
    ]),
    labels,
    emailKeys: info.filter((i) => i.type === 'email').map((i) => i.normalized),
    // Only a real E.164 number identifies a person: the digits of junk typed with a `+` ("+44",
    // "+1 (555) CALL-NOW") are shared by strangers and would merge them.
    phoneKeys: info.filter((i) => i.type === 'phone' && E164.test(i.normalized)).map((i) => i.normalized),
    nameKey: realName(c)?.toLowerCase() ?? null,
    nicknameKey: realName(c) ? null : (clean(c.nickname)?.toLowerCase() ?? null),
  };
}
