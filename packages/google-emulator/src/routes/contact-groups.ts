import { CONTACTS_READONLY_SCOPE, CONTACTS_SCOPE } from '../auth.js';
import { DEFAULT_GROUP_FIELDS, GROUP_FIELDS, parseFieldMask } from '../fields.js';
import { Query } from '../http.js';
import { upperBound } from '../store/change-log.js';
import type { GroupRecord } from '../store/groups.js';
import { TokenCodec } from '../tokens.js';
import type { ContactGroup } from '../types.js';
import type { RouteDeps, RouteHandler } from './route.js';

const SPEC = { repeated: ['groupFields'], scalar: ['pageSize', 'pageToken', 'syncToken'] } as const;

function render(
  record: GroupRecord,
  fields: readonly string[],
  memberCount: number | undefined,
): ContactGroup {
  const group = record.group;
  if (record.deleted) {
    return {
      resourceName: group.resourceName,
      etag: group.etag,
      metadata: { ...group.metadata, deleted: true },
    };
  }
  const out: ContactGroup = { resourceName: group.resourceName, etag: group.etag };
  if (fields.includes('metadata') && group.metadata) out.metadata = group.metadata;
  if (fields.includes('groupType') && group.groupType) out.groupType = group.groupType;
  if (fields.includes('name')) {
    if (group.name !== undefined) out.name = group.name;
    if (group.formattedName !== undefined) out.formattedName = group.formattedName;
  }
  // proto3 JSON leaves zero counts out, so an empty group has no memberCount at all.
  if (fields.includes('memberCount') && memberCount) out.memberCount = memberCount;
  return out;
}

/**
 * `GET /v1/contactGroups` (`contactGroups.list`): system groups, then user groups, in creation
 * order; with a `syncToken`, the groups changed since (deleted ones with `metadata.deleted`).
 * The last page always carries `nextSyncToken`, as Google's does.
 */
export function contactGroupsRoute(deps: RouteDeps): RouteHandler {
  return (req, url) => {
    deps.auth.authorize(req.headers.authorization, url.searchParams.get('access_token'), [
      CONTACTS_READONLY_SCOPE,
      CONTACTS_SCOPE,
    ]);
    const query = Query.parse(url.searchParams, SPEC);
    const given = query.all('groupFields');
    const fields = given ? parseFieldMask('groupFields', given, GROUP_FIELDS) : [...DEFAULT_GROUP_FIELDS];
    const pageSize = query.int('pageSize', { min: 1, max: 1000, fallback: 30 });
    const syncToken = query.get('syncToken') || undefined;
    const pageToken = query.get('pageToken') || undefined;
    const now = deps.clock.now();
    const syncFingerprint = TokenCodec.fingerprint({ fields });
    const pageFingerprint = TokenCodec.fingerprint({ fields, pageSize, syncToken: syncToken ?? null });
    const since =
      syncToken === undefined
        ? undefined
        : deps.codec.decodeSync(syncToken, 'contactGroups', syncFingerprint, {
            now,
            ttlMs: deps.syncTokenTtlMs,
          });
    const position = pageToken
      ? deps.codec.decodePage(pageToken, 'contactGroups', pageFingerprint)
      : undefined;
    const highWater = position?.highWater ?? deps.store.seq.value;

    // Groups are few: plain arrays are fast enough for both kinds of listing.
    const all = since === undefined ? deps.store.groups.live() : [...deps.store.groups.changes.after(since)];
    const keys = all.map((record) => (since === undefined ? record.createSeq : record.changeSeq));
    const start = position ? upperBound(keys, position.cursor) : 0;
    const items = all.slice(start, start + pageSize);
    const last = items.at(-1);
    const more = start + pageSize < all.length;
    const counts = deps.store.memberCounts();
    const body: Record<string, unknown> = {};
    if (items.length > 0)
      body.contactGroups = items.map((record) => render(record, fields, counts.get(record.id)));
    if (all.length > 0) body.totalItems = all.length;
    if (more && last) {
      const cursor = since === undefined ? last.createSeq : last.changeSeq;
      body.nextPageToken = deps.codec.encodePage('contactGroups', pageFingerprint, { cursor, highWater });
    } else {
      body.nextSyncToken = deps.codec.encodeSync('contactGroups', syncFingerprint, highWater, now);
    }
    return { status: 200, body };
  };
}
