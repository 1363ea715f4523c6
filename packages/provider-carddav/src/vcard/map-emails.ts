import type { ContactEmail, ContactUrl } from '@contacts/core';
import { type CardProperty, valueText } from './jcard.js';
import { byPreference, preferenceOf } from './preference.js';
import { valueType } from './value-types.js';

/**
 * The EMAIL properties of a card, the preferred first and marked primary (`TYPE=pref`, or the
 * lowest `PREF`), with their type (`home`, `work`, Apple's label; `INTERNET` says nothing), one
 * entry per address whatever its case. A `mailto:` prefix is dropped.
 *
 * @example
 * ```ts
 * mapEmails([readProperty(['email', { type: ['INTERNET', 'HOME', 'pref'] }, 'text', 'ada@example.org'])], new Map());
 * // [{ value: 'ada@example.org', type: 'home', primary: true }]
 * ```
 */
export function mapEmails(
  properties: readonly CardProperty[],
  labels: ReadonlyMap<string, string>,
): ContactEmail[] {
  const entries = properties.flatMap((property) => {
    if (property.name !== 'email') return [];
    const value = valueText(property)?.replace(/^mailto:/i, '');
    return value ? [{ pref: preferenceOf(property), value, type: valueType(property, labels) }] : [];
  });
  const seen = new Set<string>();
  return byPreference(entries).flatMap(({ entry, primary }) => {
    const key = entry.value.toLowerCase();
    if (seen.has(key)) return [];
    seen.add(key);
    return [{ value: entry.value, type: entry.type, primary }];
  });
}

/**
 * The URL properties of a card, the preferred first, with their type (`home`, `work`, Apple's
 * `_$!<HomePage>!$_` as `homePage`). Old Apple exports escape the colon (`http\://`): undone.
 *
 * @example
 * ```ts
 * mapUrls([readProperty(['url', { type: 'pref', group: 'item3' }, 'uri', 'http\\://ada.example.org'])], new Map([['item3', 'homePage']]));
 * // [{ value: 'http://ada.example.org', type: 'homePage' }]
 * ```
 */
export function mapUrls(
  properties: readonly CardProperty[],
  labels: ReadonlyMap<string, string>,
): ContactUrl[] {
  const entries = properties.flatMap((property) => {
    if (property.name !== 'url') return [];
    const value = valueText(property)?.replace(/\\([:,;\\])/g, '$1');
    return value ? [{ pref: preferenceOf(property), value, type: valueType(property, labels) }] : [];
  });
  const seen = new Set<string>();
  return byPreference(entries).flatMap(({ entry }) => {
    const key = entry.value.toLowerCase();
    if (seen.has(key)) return [];
    seen.add(key);
    return [{ value: entry.value, type: entry.type }];
  });
}
