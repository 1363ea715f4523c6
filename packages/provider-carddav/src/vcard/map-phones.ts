import { type ContactPhone, phoneE164 } from '@contacts/core';
import { type CardProperty, valueText } from './jcard.js';
import { byPreference, preferenceOf } from './preference.js';
import { phoneType } from './value-types.js';

/**
 * The number a TEL value holds: a `tel:` URI (vCard 4's `VALUE=uri`, also seen in 3.0 exports)
 * loses its scheme and parameters, an extension (`;ext=12`) is kept as ` ext. 12`, visual
 * separators stay as typed.
 *
 * @example
 * ```ts
 * telNumber('tel:+1-555-555-5555;ext=5555'); // '+1-555-555-5555 ext. 5555'
 * telNumber('(303) 828-8765'); // '(303) 828-8765'
 * ```
 */
export function telNumber(value: string): string {
  if (!/^tel:/i.test(value)) return value;
  const [number = '', ...parameters] = value.slice(4).split(';');
  const extension = parameters.find((p) => /^ext=/i.test(p))?.slice(4);
  let decoded = number;
  try {
    decoded = decodeURIComponent(number);
  } catch {
    // A stray `%` is not an escape: keep the number as typed.
  }
  return extension ? `${decoded.trim()} ext. ${extension.trim()}` : decoded.trim();
}

/**
 * The TEL properties of a card as phones, the preferred first and marked primary, each with its
 * E.164 form by the project's one phone rule (`phoneE164`, national numbers read in the country
 * of the primary address), its type in Google's words (`mobile`, `workFax`, Apple's label), and
 * one entry per number.
 *
 * @example
 * ```ts
 * mapPhones([readProperty(['tel', { type: ['cell', 'pref'] }, 'phone-number', '(303) 828-8765'])], new Map(), 'US');
 * // [{ value: '(303) 828-8765', e164: '+13038288765', type: 'mobile', primary: true }]
 * ```
 */
export function mapPhones(
  properties: readonly CardProperty[],
  labels: ReadonlyMap<string, string>,
  region: string | null,
): ContactPhone[] {
  const entries = properties.flatMap((property) => {
    if (property.name !== 'tel') return [];
    const text = valueText(property);
    const value = text === null ? '' : telNumber(text);
    if (value === '') return [];
    return [{ pref: preferenceOf(property), value, type: phoneType(property, labels) }];
  });
  const seen = new Set<string>();
  return byPreference(entries).flatMap(({ entry, primary }): ContactPhone[] => {
    const e164 = phoneE164(entry.value, null, region);
    const key = e164 ?? entry.value.replace(/[^\d+]/g, '');
    if (seen.has(key)) return [];
    seen.add(key);
    return [{ value: entry.value, e164, type: entry.type, primary }];
  });
}
