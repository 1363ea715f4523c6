/**
 * Calendar rules a date must follow to be a reminder that fires: shared by the canonical model
 * and by providers that check their source's dates before handing them over.
 */

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/**
 * Days in `month` (1-12) of `year`; February has 29 when the year is unknown (a leap-day birthday).
 *
 * @example
 * ```ts
 * daysInMonth(2, 2023); // 28
 * daysInMonth(2, null); // 29
 * ```
 */
export function daysInMonth(month: number, year: number | null | undefined): number {
  if (month === 2)
    return year == null || (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * A date as people read it, for messages: `February 30, 2023`, or `February 30` without a year.
 *
 * @example
 * ```ts
 * formatCalendarDate(2, 30, null); // 'February 30'
 * ```
 */
export function formatCalendarDate(month: number, day: number, year: number | null | undefined): string {
  return `${MONTHS[month - 1] ?? `month ${month}`} ${day}${year == null ? '' : `, ${year}`}`;
}
