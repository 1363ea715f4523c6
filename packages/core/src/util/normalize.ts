import { createRequire } from 'node:module';
import type { CountryCode } from 'libphonenumber-js/max';

type PhoneLibrary = typeof import('libphonenumber-js/max');
let phoneLibrary: PhoneLibrary | undefined;

/**
 * libphonenumber-js with its full metadata, loaded at the first phone (synchronously, through
 * its CommonJS build): its ~90 modules and metadata cost a tenth of a second, which a command
 * that never reads a phone (`contacts status`, `secrets list`) does not pay. Providers use this
 * one copy too.
 *
 * @example
 * ```ts
 * phoneNumbers().getCountries().includes('DE'); // true
 * ```
 */
export function phoneNumbers(): PhoneLibrary {
  phoneLibrary ??= createRequire(import.meta.url)('libphonenumber-js/max') as PhoneLibrary;
  return phoneLibrary;
}

const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * The form an email is compared and stored by (`contact_info.normalized_value`).
 *
 * @example
 * ```ts
 * normalizeEmail(' Ada@Example.ORG '); // 'ada@example.org'
 * ```
 */
export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}

/**
 * The E.164 form of a phone number, or null: the source's own E.164 when valid, else derived from
 * the typed value with libphonenumber's full metadata, reading national numbers in
 * `defaultCountry` (ISO alpha-2, e.g. the contact's primary address country). A wrong E.164 is
 * worse than none, because phones are matched by it. The one rule every provider and the engine use.
 *
 * @example
 * ```ts
 * phoneE164('(303) 828-8765', '+13038288765', null); // '+13038288765'
 * phoneE164('030 901820', null, 'DE'); // '+4930901820'
 * phoneE164('030 901820', null, null); // null (no country to read it in)
 * ```
 */
export function phoneE164(
  value: string,
  e164?: string | null,
  defaultCountry?: string | null,
): string | null {
  const given = e164?.trim();
  if (given && E164.test(given)) return given;
  const lib = phoneNumbers();
  const country =
    defaultCountry && lib.isSupportedCountry(defaultCountry) ? (defaultCountry as CountryCode) : undefined;
  const parsed = lib.parsePhoneNumberFromString(value.trim(), country);
  return parsed?.isValid() ? parsed.number : null;
}

/**
 * The form a phone is compared by: its E.164 form ({@link phoneE164}) when one can be derived,
 * else its digits with a leading `+` if typed. Storing as typed but matching as E.164 is what
 * made earlier phone matching miss.
 *
 * @example
 * ```ts
 * normalizePhone('(303) 828-8765', null, 'US'); // '+13038288765'
 * normalizePhone('030 1234567', '+49301234567'); // '+49301234567'
 * normalizePhone('ext. 12'); // '12'
 * ```
 */
export function normalizePhone(value: string, e164?: string | null, defaultCountry?: string | null): string {
  const derived = phoneE164(value, e164, defaultCountry);
  if (derived) return derived;
  const trimmed = value.trim();
  const digits = trimmed.replace(/\D/g, '');
  return trimmed.startsWith('+') ? `+${digits}` : digits;
}

/**
 * The form a website is compared by.
 *
 * @example
 * ```ts
 * normalizeWebsite('HTTPS://Example.com/'); // 'https://example.com/'
 * ```
 */
export function normalizeWebsite(value: string): string {
  return value.trim().toLowerCase();
}

/**
 * The form a username is compared by: `service:value`, lower-cased.
 *
 * @example
 * ```ts
 * normalizeUsername('Skype', 'Ada.L'); // 'skype:ada.l'
 * ```
 */
export function normalizeUsername(service: string, value: string): string {
  return `${service.trim()}:${value.trim()}`.toLowerCase();
}

/**
 * An ISO 3166-1 alpha-2 code, or null: never a truncated country name.
 *
 * @example
 * ```ts
 * isoCountry('us'); // 'US'
 * isoCountry('United States'); // null
 * ```
 */
export function isoCountry(code: string | null | undefined): string | null {
  const upper = code?.trim().toUpperCase();
  return upper && /^[A-Z]{2}$/.test(upper) ? upper : null;
}
