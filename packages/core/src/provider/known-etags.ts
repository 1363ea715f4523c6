/**
 * What the engine holds of an account, for a provider that can tell an unchanged contact from
 * its source's listing alone (CardDAV's ETags): the version (`etag`) the engine last wrote for
 * each of the given external ids, for live links only. An id absent from the answer is one the
 * engine does not hold, or holds deleted, or without a version: fetch it and send it.
 *
 * One call is one set-based query whatever the number of ids: call it once per page, with that
 * page's ids (at most {@link MAX_KNOWN_ETAG_IDS}), not once per contact.
 *
 * @example
 * ```ts
 * async fullSync({ pageToken, knownEtags }: FullSyncRequest): Promise<ContactBatch> {
 *   const listed = await this.listPage(pageToken); // [{ id, etag }] without the bodies
 *   const held = (await knownEtags?.(listed.map((m) => m.id))) ?? new Map<string, string>();
 *   const unchanged = listed.filter((m) => held.get(m.id) === m.etag).map((m) => m.id);
 *   const contacts = await this.download(listed.filter((m) => held.get(m.id) !== m.etag));
 *   return { contacts, unchanged, next_page_token: null, next_sync_cursor: 'v1' };
 * }
 * ```
 */
export type KnownEtags = (ids: readonly string[]) => Promise<ReadonlyMap<string, string>>;

/**
 * The most ids one {@link KnownEtags} call takes (the default listing bound: a whole account of
 * the largest address book the engine syncs); more fails with a `CoreError` (`INVALID_BATCH`).
 */
export const MAX_KNOWN_ETAG_IDS = 100_000;
