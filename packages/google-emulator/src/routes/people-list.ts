import { PERSON_FIELDS, PERSON_LIST_FIELDS_IN_ORDER, parseFieldMask } from '../fields.js';
import type { Query } from '../http.js';
import type { PersonCollection, PersonRecord, SortOrder } from '../store/people.js';
import { SORT_ORDERS } from '../store/people.js';
import { TokenCodec } from '../tokens.js';
import type { PersonListField } from '../types.js';
import { jsonMembers, listBody, renderPerson } from './render.js';
import type { RouteDeps, RouteOptions } from './route.js';

/** `sources` values the People API knows. */
export const READ_SOURCE_TYPES = [
  'READ_SOURCE_TYPE_UNSPECIFIED',
  'READ_SOURCE_TYPE_PROFILE',
  'READ_SOURCE_TYPE_CONTACT',
  'READ_SOURCE_TYPE_DOMAIN_CONTACT',
  'READ_SOURCE_TYPE_OTHER_CONTACT',
] as const;
type ReadSourceType = (typeof READ_SOURCE_TYPES)[number];

/** How `people.connections.list` and `otherContacts.list` differ; the paging and sync logic is shared. */
export interface PeopleListConfig {
  endpoint: 'connections' | 'otherContacts';
  collection: PersonCollection;
  maskParam: 'personFields' | 'readMask';
  itemsKey: 'connections' | 'otherContacts';
  sortable: boolean;
  defaultSources: readonly ReadSourceType[];
  allowedFields(sources: readonly ReadSourceType[]): readonly string[];
  /** The count members of the response (`totalItems`/`totalPeople`, or `totalSize`). */
  totals(count: number): [string, number | undefined][];
}

/**
 * Serves one page of a people listing: a full listing (live people in `sortOrder`) or, with a
 * `syncToken`, the people changed since it (tombstones included) in change order. Page tokens
 * carry the change sequence at the first page, and that is what the last page's `nextSyncToken`
 * stands for: a change made while pages are read shows up again in the next sync, never lost.
 */
export function listPeople(
  deps: RouteDeps,
  config: PeopleListConfig,
  query: Query,
  extraMask: string[] = [],
  options: RouteOptions = {},
): Buffer {
  const sources = query.enumList('sources', READ_SOURCE_TYPES, config.defaultSources);
  const mask = parseFieldMask(
    config.maskParam,
    [...(query.all(config.maskParam) ?? []), ...extraMask],
    PERSON_FIELDS,
    config.allowedFields(sources),
  );
  const pageSize = query.int('pageSize', { min: 1, max: 1000, fallback: 100 });
  const sortOrder: SortOrder = config.sortable
    ? query.enumValue('sortOrder', SORT_ORDERS, 'LAST_MODIFIED_ASCENDING')
    : 'LAST_MODIFIED_ASCENDING';
  const requestSyncToken = query.bool('requestSyncToken');
  const syncToken = query.get('syncToken') || undefined;
  const pageToken = query.get('pageToken') || undefined;

  const syncFingerprint = TokenCodec.fingerprint({ mask, sources });
  const pageFingerprint = TokenCodec.fingerprint({
    mask,
    sources,
    pageSize,
    sortOrder,
    syncToken: syncToken ?? null,
    requestSyncToken,
  });
  const now = deps.clock.now();
  const since =
    syncToken === undefined
      ? undefined
      : deps.codec.decodeSync(syncToken, config.endpoint, syncFingerprint, {
          now,
          ttlMs: deps.syncTokenTtlMs,
        });
  const position = pageToken ? deps.codec.decodePage(pageToken, config.endpoint, pageFingerprint) : undefined;
  const highWater = position?.highWater ?? deps.store.seq.value;

  let items: PersonRecord[];
  let total: number;
  let nextPosition: (() => string) | undefined;
  if (since === undefined && options.emptyListing) {
    // Nobody, one page, and the sync token of now: what a listing that lost the account answers.
    items = [];
    total = 0;
  } else if (since === undefined) {
    const view = config.collection.view(sortOrder);
    const start = position ? view.startAfter(position) : 0;
    items = view.records.slice(start, start + pageSize);
    total = view.records.length;
    const last = items.at(-1);
    if (last && start + pageSize < total) {
      nextPosition = () =>
        deps.codec.encodePage(config.endpoint, pageFingerprint, view.positionOf(last, highWater));
    }
  } else {
    items = [];
    let more = false;
    for (const record of config.collection.changes.after(Math.max(since, position?.cursor ?? 0))) {
      if (items.length === pageSize) {
        more = true;
        break;
      }
      items.push(record);
    }
    total = config.collection.changes.countAfter(since);
    const last = items.at(-1);
    if (last && more) {
      nextPosition = () =>
        deps.codec.encodePage(config.endpoint, pageFingerprint, { cursor: last.changeSeq, highWater });
    }
  }

  const fields = PERSON_LIST_FIELDS_IN_ORDER.filter((field) => mask.includes(field)) as PersonListField[];
  const withMetadata = mask.includes('metadata');
  const rendered = items.map((record) => {
    const chunks: Buffer[] = [];
    renderPerson(record, fields, withMetadata, since !== undefined, chunks);
    return chunks;
  });
  const nextSyncToken =
    !nextPosition && requestSyncToken
      ? deps.codec.encodeSync(config.endpoint, syncFingerprint, highWater, now)
      : undefined;
  const rest = jsonMembers([
    ['nextPageToken', nextPosition?.()],
    ['nextSyncToken', nextSyncToken],
    ...config.totals(total),
  ]);
  return listBody(config.itemsKey, rendered, rest);
}
