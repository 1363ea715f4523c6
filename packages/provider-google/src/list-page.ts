import { MalformedResponseError } from './google-failure.js';
import { record } from './read-json.js';

/** One page of `connections.list` or `otherContacts.list`, checked. */
export interface ListPage {
  people: unknown[];
  nextPageToken: string | null;
  /** Present on the last page (every list call asks for one). */
  nextSyncToken: string | null;
  /**
   * How many the whole list holds (`totalPeople`, else `totalItems`, of connections; `totalSize`
   * of other contacts), when Google says: for progress only. Absent otherwise, or when it is no
   * count (a hint must not fail the page).
   */
  total?: number;
}

const TOTAL_KEYS = {
  connections: ['totalPeople', 'totalItems'],
  otherContacts: ['totalSize'],
} as const;

function optionalTotal(body: Record<string, unknown>, listKey: 'connections' | 'otherContacts') {
  for (const key of TOTAL_KEYS[listKey]) {
    const value = body[key];
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  }
  return undefined;
}

function optionalToken(body: Record<string, unknown>, key: string): string | null {
  const value = body[key];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new MalformedResponseError(`${key} is not a string`);
  return value;
}

/**
 * Checks a list response body before anything is taken from it: gaxios hands over a body it
 * cannot parse as a string, which read naively would look like an empty last page and end a
 * sync with most contacts missing. Individual people stay unchecked here (the engine validates
 * each on its own); only the page's frame must hold.
 *
 * @throws MalformedResponseError (retried like a 5xx) when the frame is wrong, or when the last
 * page carries no sync token although every call requests one.
 * @example
 * ```ts
 * const page = readListPage(res.data, 'connections');
 * ```
 */
export function readListPage(data: unknown, listKey: 'connections' | 'otherContacts'): ListPage {
  const body = record(data);
  if (!body) throw new MalformedResponseError('the body is not a JSON object');
  const people = body[listKey] ?? [];
  if (!Array.isArray(people)) throw new MalformedResponseError(`${listKey} is not a list`);
  const nextPageToken = optionalToken(body, 'nextPageToken');
  const nextSyncToken = optionalToken(body, 'nextSyncToken');
  if (nextPageToken === null && nextSyncToken === null) {
    throw new MalformedResponseError('the last page carries no nextSyncToken');
  }
  const total = optionalTotal(body, listKey);
  return { people, nextPageToken, nextSyncToken, ...(total !== undefined ? { total } : {}) };
}
