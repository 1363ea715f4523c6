import { type CardProperty, paramText, paramValues } from './jcard.js';

/**
 * How much a property is preferred: vCard 4's `PREF=1..100` (1 = most), vCard 3's `TYPE=pref`
 * read as 1, none as null.
 *
 * @example
 * ```ts
 * preferenceOf(readProperty(['email', { pref: '2' }, 'text', 'a@b.c'])); // 2
 * preferenceOf(readProperty(['email', { type: ['INTERNET', 'pref'] }, 'text', 'a@b.c'])); // 1
 * ```
 */
export function preferenceOf(property: CardProperty): number | null {
  const pref = paramText(property.params, 'pref');
  const number = pref !== null && /^\d{1,3}$/.test(pref) ? Number(pref) : null;
  if (number !== null && number >= 1 && number <= 100) return number;
  return paramValues(property.params, 'type').includes('pref') ? 1 : null;
}

/**
 * Entries in preference order (the most preferred first, entries without a preference after, card
 * order otherwise), the first marked `primary`: exactly one primary per list. Without any
 * preference the first in card order is the primary one, as the CRM reads a list (and as the
 * phone rule needs: national numbers are read in the primary address's country).
 *
 * @example
 * ```ts
 * byPreference([{ value: 'a', pref: null }, { value: 'b', pref: 1 }]);
 * // [{ entry: { value: 'b', pref: 1 }, primary: true }, { entry: { value: 'a', pref: null }, primary: false }]
 * byPreference([{ value: 'a', pref: null }]); // [{ entry: { value: 'a', pref: null }, primary: true }]
 * ```
 */
export function byPreference<T extends { pref: number | null }>(
  entries: readonly T[],
): { entry: T; primary: boolean }[] {
  const sorted = entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => (a.entry.pref ?? 101) - (b.entry.pref ?? 101) || a.index - b.index);
  return sorted.map(({ entry }, position) => ({ entry, primary: position === 0 }));
}
