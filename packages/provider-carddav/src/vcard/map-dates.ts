import type { ContactDate } from '@contacts/core';
import type { CardProperty } from './jcard.js';
import { readDate } from './read-date.js';

/**
 * The dates of a card: `birthdays` from BDAY (type `birthday`); `anniversaries` from ANNIVERSARY
 * and X-ANNIVERSARY (type `anniversary`) and Apple's `itemN.X-ABDATE` with the type its
 * `itemN.X-ABLabel` gives (`anniversary`, `other`, or the user's own label as typed; `other`
 * without a label), as Google's events keep theirs. The same date twice (iCloud writes an
 * anniversary both ways) is kept once. Dates the calendar does not have come back as problems.
 *
 * @example
 * ```ts
 * const { birthdays } = mapDates([readProperty(['bday', {}, 'date', '--04-12'])], new Map());
 * birthdays; // [{ year: null, month: 4, day: 12, type: 'birthday', text: null }]
 * ```
 */
export function mapDates(
  properties: readonly CardProperty[],
  labels: ReadonlyMap<string, string>,
): { birthdays: ContactDate[]; anniversaries: ContactDate[]; problems: string[] } {
  const birthdays: ContactDate[] = [];
  const anniversaries: ContactDate[] = [];
  const problems: string[] = [];
  for (const property of properties) {
    const type =
      property.name === 'bday'
        ? 'birthday'
        : property.name === 'anniversary' || property.name === 'x-anniversary'
          ? 'anniversary'
          : property.name === 'x-abdate'
            ? ((property.group === null ? undefined : labels.get(property.group)) ?? 'other')
            : null;
    if (type === null) continue;
    const read = readDate(property);
    if (read === null) continue;
    if (read.kind === 'problem') {
      problems.push(read.problem);
      continue;
    }
    const date: ContactDate =
      read.kind === 'day'
        ? { year: read.year, month: read.month, day: read.day, type, text: null }
        : { year: null, month: null, day: null, type, text: read.text };
    (type === 'birthday' ? birthdays : anniversaries).push(date);
  }
  return { birthdays: unique(birthdays), anniversaries: unique(anniversaries), problems };
}

function unique(dates: ContactDate[]): ContactDate[] {
  const seen = new Set<string>();
  return dates.filter((date) => {
    const key = [date.type, date.year, date.month, date.day, date.text].join('|');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
