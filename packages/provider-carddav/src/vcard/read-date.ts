import { daysInMonth, formatCalendarDate } from '@contacts/core';
import { type CardProperty, paramText, valueText } from './jcard.js';

/**
 * A vCard date read: a calendar day (`year` null when the card has none), a text kept as given
 * (vCard 4 `VALUE=text`, a partial date such as `--12` or `1985`, words), or a problem sentence
 * when the value claims to be a date the calendar does not have.
 *
 * @example
 * ```ts
 * const read: VCardDate = { kind: 'day', year: null, month: 12, day: 10 };
 * ```
 */
export type VCardDate =
  | { kind: 'day'; year: number | null; month: number; day: number }
  | { kind: 'text'; text: string }
  | { kind: 'problem'; problem: string };

// A full date, basic or extended, optionally followed by a time: 1815-12-10, 18151210, 1815-12-10T00:00:00Z.
const FULL = /^(\d{4})-?(\d{2})-?(\d{2})(?:T[\d:.,+\-Z]*)?$/i;
// A month and day without a year: --1210 or --12-10 (vCard 4, and 3.0 exports that follow it).
const NO_YEAR = /^--(\d{2})-?(\d{2})(?:T[\d:.,+\-Z]*)?$/i;

/** The name a problem sentence gives the property: `BDAY`, `item2.X-ABDATE`. */
function propertyName(property: CardProperty): string {
  const name = property.name.toUpperCase();
  return property.group === null ? name : `${property.group}.${name}`;
}

/**
 * Reads the date of BDAY, ANNIVERSARY, X-ANNIVERSARY or X-ABDATE. A year is unknown for `--MMDD`
 * and `--MM-DD`, for Apple's `X-APPLE-OMIT-YEAR=1604` on a date in year 1604, and for year 0000.
 * A month above 12, a day above 31 or a day the month does not have (February 30) is a problem:
 * read as absent, it would remove the date the CRM holds, so the card is reported instead.
 *
 * @example
 * ```ts
 * readDate(readProperty(['bday', { 'x-apple-omit-year': '1604' }, 'date', '1604-12-10'])); // { kind: 'day', year: null, month: 12, day: 10 }
 * readDate(readProperty(['bday', {}, 'date-and-or-time', '--12-10'])); // { kind: 'day', year: null, month: 12, day: 10 }
 * readDate(readProperty(['bday', {}, 'text', 'circa 1800'])); // { kind: 'text', text: 'circa 1800' }
 * ```
 */
export function readDate(property: CardProperty): VCardDate | null {
  const value = valueText(property);
  if (value === null) return null;
  if (property.type === 'text') return { kind: 'text', text: value };
  const full = FULL.exec(value);
  const noYear = full ? null : NO_YEAR.exec(value);
  if (!full && !noYear) return { kind: 'text', text: value };
  const [yearText, monthText, dayText] = full ? [full[1], full[2], full[3]] : [null, noYear![1], noYear![2]];
  let year = yearText ? Number(yearText) : null;
  const month = Number(monthText);
  const day = Number(dayText);
  const omitted = paramText(property.params, 'x-apple-omit-year');
  if (year === 0 || (year !== null && omitted !== null && Number(omitted) === year)) year = null;
  const name = propertyName(property);
  if (month < 1 || month > 12)
    return { kind: 'problem', problem: `${name} ${value} has month ${month}; a month is 1 to 12` };
  if (day < 1 || day > daysInMonth(month, year)) {
    return {
      kind: 'problem',
      problem: `${name} ${value} is ${formatCalendarDate(month, day, year)}, which is not a calendar date`,
    };
  }
  return { kind: 'day', year, month, day };
}
