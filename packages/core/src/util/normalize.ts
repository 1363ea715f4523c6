import type { CountryCode } from 'libphonenumber-js/min';
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';

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
 * The form a phone is compared by: E.164 when it can be derived (the source's own E.164 first,
 * then libphonenumber with the contact's country), else its digits with a leading `+` if typed.
 * Storing as typed but matching as E.164 is what made earlier phone matching miss.
 *
 * @example
 * ```ts
 * normalizePhone('(303) 828-8765', null, 'US'); // '+13038288765'
 * normalizePhone('030 1234567', '+49301234567'); // '+49301234567'
 * normalizePhone('ext. 12'); // '12'
 * ```
 */
export function normalizePhone(value: string, e164?: string | null, defaultCountry?: string | null): string {
  if (e164 && E164.test(e164)) return e164;
  const trimmed = value.trim();
  if (E164.test(trimmed)) return trimmed;
  const country =
    defaultCountry && /^[A-Z]{2}$/.test(defaultCountry) ? (defaultCountry as CountryCode) : undefined;
  const parsed = parsePhoneNumberFromString(trimmed, country);
  if (parsed?.isValid()) return parsed.number;
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
