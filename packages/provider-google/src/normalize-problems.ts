import { daysInMonth, formatCalendarDate } from '@contacts/core';

// What `normalizePerson` reads of a Google `Person`, with the JSON type each value must have. The
// readers of read-json.ts are total (a value of the wrong type reads as absent); this check says
// which values were read as absent although present, so that such a person is reported instead
// of applied. Applied, it would look as if the source had removed those values, and the engine
// would remove from the CRM what the source contributed before.

/** The JSON type a value must have; `null` always reads as absent (proto3 JSON allows it). */
type Kind = 'text' | 'boolean' | 'integer';
type Rule = Kind | { object: Record<string, Rule> } | { list: Rule };

const object = (fields: Record<string, Rule>): Rule => ({ object: fields });
const list = (entry: Rule): Rule => ({ list: entry });

const DATE = object({ year: 'integer', month: 'integer', day: 'integer' });

/** One list field of a person: its entries are objects with these fields (plus `metadata`). */
const LIST_FIELDS: Record<string, Record<string, Rule>> = {
  names: {
    displayName: 'text',
    unstructuredName: 'text',
    givenName: 'text',
    middleName: 'text',
    familyName: 'text',
  },
  nicknames: { value: 'text' },
  emailAddresses: { value: 'text', type: 'text' },
  phoneNumbers: { value: 'text', canonicalForm: 'text', type: 'text' },
  addresses: {
    type: 'text',
    streetAddress: 'text',
    extendedAddress: 'text',
    city: 'text',
    region: 'text',
    postalCode: 'text',
    country: 'text',
    countryCode: 'text',
    formattedValue: 'text',
  },
  organizations: { name: 'text', title: 'text', department: 'text', current: 'boolean' },
  birthdays: { date: DATE, text: 'text' },
  events: { date: DATE, type: 'text' },
  urls: { value: 'text', type: 'text' },
  imClients: { username: 'text', protocol: 'text', formattedProtocol: 'text' },
  photos: { url: 'text', default: 'boolean' },
  memberships: {
    contactGroupMembership: object({ contactGroupResourceName: 'text', contactGroupId: 'text' }),
  },
};

const PERSON = object({
  resourceName: 'text',
  etag: 'text',
  metadata: object({ deleted: 'boolean', previousResourceNames: list('text') }),
  ...Object.fromEntries(
    Object.entries(LIST_FIELDS).map(([field, fields]) => [
      field,
      list(object({ metadata: object({ primary: 'boolean' }), ...fields })),
    ]),
  ),
});

/** Only what a tombstone is read for: whether it is one, and its id and etag. */
const TOMBSTONE = object({ resourceName: 'text', etag: 'text', metadata: object({ deleted: 'boolean' }) });

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the text ${preview(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `${value}`;
  return 'an object';
}

/** A value short enough for a sentence: a 100 KB string is not shown whole. */
function preview(text: string): string {
  const cut = text.length > 40 ? `${Array.from(text.slice(0, 41)).slice(0, -1).join('')}…` : text;
  return JSON.stringify(cut);
}

const EXPECTED: Record<Kind | 'object' | 'list', string> = {
  text: 'text',
  boolean: 'true or false',
  integer: 'a whole number',
  object: 'an object',
  list: 'a list',
};

function fits(kind: Kind, value: unknown): boolean {
  if (kind === 'text') return typeof value === 'string';
  if (kind === 'boolean') return typeof value === 'boolean';
  return typeof value === 'number' && Number.isInteger(value);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A path as Google writes it (`names[0].givenName`), joined only when a problem is reported. */
function joinPath(path: readonly (string | number)[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}

// Runs on every field of every person: the path is a stack, turned into text only for a problem.
function check(rule: Rule, value: unknown, path: (string | number)[], out: string[]): void {
  if (value === null || value === undefined) return;
  if (typeof rule === 'string') {
    if (!fits(rule, value)) out.push(`${joinPath(path)} is ${describeValue(value)}, not ${EXPECTED[rule]}`);
    return;
  }
  if ('list' in rule) {
    if (!Array.isArray(value)) {
      out.push(`${joinPath(path)} is ${describeValue(value)}, not ${EXPECTED.list}`);
      return;
    }
    for (let index = 0; index < value.length; index += 1) {
      path.push(index);
      check(rule.list, value[index], path, out);
      path.pop();
    }
    return;
  }
  if (!isObject(value)) {
    out.push(`${joinPath(path)} is ${describeValue(value)}, not ${EXPECTED.object}`);
    return;
  }
  for (const key in rule.object) {
    path.push(key);
    check(rule.object[key]!, value[key], path, out);
    path.pop();
  }
}

/**
 * What is wrong with a Google `Date` that has the right types: a part out of range, a day the
 * month does not have, or a day without a month. Year 0 or absent means unknown; a date with a
 * year (and month) only is a valid partial date the reader skips, not a problem.
 */
function dateProblem(date: unknown, path: string): string | null {
  if (!isObject(date)) return null;
  const part = (key: string): number | null => {
    const value = date[key];
    return typeof value === 'number' && Number.isInteger(value) ? value : null;
  };
  // A part of the wrong type is reported by the type check; the date is not judged on the rest.
  const mistyped = ['year', 'month', 'day'].some((key) => date[key] != null && part(key) === null);
  if (mistyped) return null;
  const year = part('year');
  const month = part('month');
  const day = part('day');
  if (year !== null && (year < 0 || year > 9999))
    return `${path}.year is ${year}; a year is 1 to 9999 (0 for unknown)`;
  if (month !== null && (month < 0 || month > 12)) return `${path}.month is ${month}; a month is 1 to 12`;
  if (day !== null && (day < 0 || day > 31)) return `${path}.day is ${day}; a day is 1 to 31`;
  if (!month) return day ? `${path} has a day (${day}) but no month` : null;
  if (!day) return null;
  const knownYear = year ? year : null;
  if (day > daysInMonth(month, knownYear)) {
    return `${path} is ${formatCalendarDate(month, day, knownYear)}, which is not a calendar date`;
  }
  return null;
}

/**
 * The problems of a People API person, one sentence each naming the field in Google's terms
 * (`emailAddresses[0].value is the number 42, not text`), or an empty list. Checked: the JSON
 * types of every field the provider reads, the presence of `resourceName`, and the calendar
 * validity of birthdays and events. Not checked: fields the provider does not read, and values
 * that are odd but readable (empty strings read as absent, unparseable phones, any Unicode).
 *
 * @example
 * ```ts
 * personProblems({ resourceName: 'people/c1', birthdays: [{ date: { month: 2, day: 30 } }] });
 * // ['birthdays[0].date is February 30, which is not a calendar date']
 * ```
 */
export function personProblems(person: unknown): string[] {
  if (!isObject(person)) return [`the person is ${describeValue(person)}, not an object`];
  const out: string[] = [];
  const tombstone = isObject(person.metadata) && person.metadata.deleted === true;
  check(tombstone ? TOMBSTONE : PERSON, person, [], out);
  const id = person.resourceName;
  if (id === undefined || id === null || (typeof id === 'string' && id.trim() === '')) {
    out.unshift('resourceName is missing, so the person cannot be identified');
  }
  if (tombstone) return out;
  for (const field of ['birthdays', 'events'] as const) {
    const entries = person[field];
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry, index) => {
      const problem = isObject(entry) ? dateProblem(entry.date, `${field}[${index}].date`) : null;
      if (problem) out.push(problem);
    });
  }
  return out;
}
