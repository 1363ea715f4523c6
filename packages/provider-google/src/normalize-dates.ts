import type { ContactDate } from '@contacts/core';
import { intIn, primaryFirst, record, text } from './read-json.js';

/** `{year?, month, day}` as a dated entry; year absent or 0 means unknown, so null. */
function readDate(value: unknown): Pick<ContactDate, 'year' | 'month' | 'day'> | null {
  const date = record(value);
  const month = intIn(date?.month, 1, 12);
  const day = intIn(date?.day, 1, 31);
  if (month === null || day === null) return null;
  return { year: intIn(date?.year, 1, 9999), month, day };
}

/**
 * A person's `birthdays[]` as dates of type `birthday`, the primary first. A birthday without a
 * year keeps `year: null`; one given only as `text` keeps the text.
 *
 * @example
 * ```ts
 * normalizeBirthdays([{ metadata: { primary: true }, date: { month: 4, day: 12 } }]);
 * // [{ year: null, month: 4, day: 12, type: 'birthday', text: null }]
 * ```
 */
export function normalizeBirthdays(birthdays: unknown): ContactDate[] {
  return primaryFirst(birthdays).flatMap((birthday): ContactDate[] => {
    const date = readDate(birthday.date);
    const dateText = text(birthday.text);
    if (date) return [{ ...date, type: 'birthday', text: dateText }];
    return dateText ? [{ year: null, month: null, day: null, type: 'birthday', text: dateText }] : [];
  });
}

/**
 * A person's `events[]` as anniversary-list dates, each keeping its own type (`anniversary`,
 * `other`, or the user's custom label): an earlier system called every event an anniversary.
 * An event without a type is `other` (`formattedType` is localised, so never a label); one
 * without a month and day carries nothing to store and is dropped.
 *
 * @example
 * ```ts
 * normalizeEvents([{ date: { year: 2009, month: 8, day: 8 }, type: 'anniversary' }, { date: { month: 1, day: 2 }, type: 'Graduation' }]);
 * // [{ year: 2009, month: 8, day: 8, type: 'anniversary', text: null }, { year: null, month: 1, day: 2, type: 'Graduation', text: null }]
 * ```
 */
export function normalizeEvents(events: unknown): ContactDate[] {
  return primaryFirst(events).flatMap((event): ContactDate[] => {
    const date = readDate(event.date);
    return date ? [{ ...date, type: text(event.type) ?? 'other', text: null }] : [];
  });
}
