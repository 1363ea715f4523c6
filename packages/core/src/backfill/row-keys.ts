/**
 * The one home of the child-row keys: how a `shared.contact_info` row, an address, an important
 * date and a label are named in provenance (`info`, `addresses`, `dates` and `labels` of a record
 * in `shared.contacts.metadata`, see `provenance-codec.ts`), built here and parsed here, nowhere
 * else. The same keys compare a source's rows with the CRM's (`toDesiredContact` builds them from
 * a source contact, `loadContactStates` from the stored rows) and name the identity matches
 * (`ContactResolver`). Stored keys outlive a release: `row-keys.test.ts` pins them, literally.
 *
 * - contact info: `<type>|<normalized value>`, e.g. `email|ada@example.org`, `phone|+13035550100`;
 * - address: `<line 1>|<line 2>|<city>|<province>|<postal code>|<country>`, lower-cased, absent
 *   parts empty, e.g. `1 main st||springfield|||us` (its label is a detail of the row);
 * - important date: `<label>|<month>|<day>`, e.g. `birthday|12|10` (the year is a detail);
 * - label: its name as it is, e.g. `Friends` (a label row is its name: no key is built).
 *
 * Values are not escaped: a `|` inside an address part or a date label makes two rows' keys
 * alike (`a|b` + `` and `a` + `b`). Only info keys are parsed, at their first `|` (a type never
 * holds one), so their values may hold any text.
 */
import type { DesiredInfo } from './desired-contact.js';

/**
 * The kinds of `shared.contact_info` rows a source writes.
 *
 * @example
 * ```ts
 * const type: InfoType = 'email';
 * ```
 */
export type InfoType = DesiredInfo['type'];

/**
 * The key of a contact-info row: its type and normalized value.
 *
 * @example
 * ```ts
 * infoKey('email', 'ada@example.org'); // 'email|ada@example.org'
 * ```
 */
export function infoKey(type: InfoType, normalized: string): string {
  return `${type}|${normalized}`;
}

/**
 * The type and normalized value of a contact-info key (split at its first `|`: the value may
 * hold more). A key without one is a value of no type (`type` empty).
 *
 * @example
 * ```ts
 * parseInfoKey('phone|+13035550100'); // { type: 'phone', normalized: '+13035550100' }
 * ```
 */
export function parseInfoKey(key: string): { type: string; normalized: string } {
  const at = key.indexOf('|');
  return at < 0 ? { type: '', normalized: key } : { type: key.slice(0, at), normalized: key.slice(at + 1) };
}

/**
 * The parts of an address its key is made of (a row's label is not one: it is a detail).
 *
 * @example
 * ```ts
 * const parts: AddressKeyParts = { line_1: '1 Main St', line_2: null, city: 'Springfield', province: null, postal_code: null, country: 'US' };
 * ```
 */
export interface AddressKeyParts {
  line_1: string | null;
  line_2: string | null;
  city: string | null;
  province: string | null;
  postal_code: string | null;
  country: string | null;
}

/**
 * The key of an address: its parts, lower-cased, absent ones empty.
 *
 * @example
 * ```ts
 * addressKey({ line_1: '1 Main St', line_2: null, city: 'Springfield', province: null, postal_code: null, country: 'US' });
 * // '1 main st||springfield|||us'
 * ```
 */
export function addressKey(parts: AddressKeyParts): string {
  return [parts.line_1, parts.line_2, parts.city, parts.province, parts.postal_code, parts.country]
    .map((v) => (v ?? '').toLowerCase())
    .join('|');
}

/**
 * The key of an important date: its label, month and day (the year is not part of it, so a
 * source that learns the year updates the same row).
 *
 * @example
 * ```ts
 * dateKey('birthday', 12, 10); // 'birthday|12|10'
 * ```
 */
export function dateKey(label: string, month: number, day: number): string {
  return `${label}|${month}|${day}`;
}
