import { type CardProperty, paramValues } from './jcard.js';

/** TYPE values that say nothing a label should carry (the preference is read on its own). */
const NOISE = new Set([
  'pref',
  'internet',
  'voice',
  'x400',
  'dom',
  'intl',
  'postal',
  'parcel',
  'text',
  'uri',
]);

/**
 * The label of an email, address or URL: Apple's `itemN.X-ABLabel` when the property has one
 * (already plain, see `appleLabel`), else its first meaningful `TYPE` in lower case (`home`,
 * `work`, ...), else null.
 *
 * @example
 * ```ts
 * valueType(readProperty(['email', { type: ['INTERNET', 'WORK', 'pref'] }, 'text', 'a@b.c']), new Map()); // 'work'
 * ```
 */
export function valueType(property: CardProperty, labels: ReadonlyMap<string, string>): string | null {
  const label = property.group === null ? undefined : labels.get(property.group);
  if (label !== undefined) return label;
  return paramValues(property.params, 'type').find((type) => !NOISE.has(type)) ?? null;
}

/**
 * The label of a phone, in the words Google's phone types use: `cell` is `mobile`, a fax is
 * `homeFax`, `workFax` or `otherFax`, Apple's `IPHONE` is `iPhone`; `home`, `work`, `main`,
 * `pager` and any other type are kept in lower case. Apple's `X-ABLabel` wins when present.
 *
 * @example
 * ```ts
 * phoneType(readProperty(['tel', { type: ['CELL', 'VOICE', 'pref'] }, 'phone-number', '+1 303 555 0100']), new Map()); // 'mobile'
 * phoneType(readProperty(['tel', { type: ['WORK', 'FAX'] }, 'phone-number', '+1 303 555 0101']), new Map()); // 'workFax'
 * ```
 */
export function phoneType(property: CardProperty, labels: ReadonlyMap<string, string>): string | null {
  const label = property.group === null ? undefined : labels.get(property.group);
  if (label !== undefined) return label;
  const types = paramValues(property.params, 'type').filter((type) => !NOISE.has(type));
  if (types.includes('fax')) {
    if (types.includes('home')) return 'homeFax';
    return types.includes('work') ? 'workFax' : 'otherFax';
  }
  if (types.includes('iphone')) return 'iPhone';
  if (types.includes('cell')) return 'mobile';
  for (const known of ['main', 'pager', 'home', 'work', 'other']) if (types.includes(known)) return known;
  return types[0] ?? null;
}
