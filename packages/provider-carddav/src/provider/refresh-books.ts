import { type KnownEtags, MAX_KNOWN_ETAG_IDS } from '@contacts/core';
import type { DavTransport } from '../dav/dav-transport.js';
import { sameEtag } from '../dav/etag.js';
import { listMemberEtags } from '../dav/etag-listing.js';
import type { DavMember } from '../dav/sync-collection.js';
import { type CardCache, cardId } from './card-cache.js';
import { readCardVersion } from './card-version.js';

/**
 * Brings the card cache up to date with the books that changed since it was last filled (or
 * were never read by this process): each is listed (PROPFIND Depth 1), cards it no longer lists
 * are forgotten, and of the others only those neither cached nor held by the engine at their ETag
 * are downloaded. Group cards are never held by the engine (they are groups, not people), so every
 * group card is here afterwards: memberships are known before any person is judged. One
 * `knownEtags` call for every book together (one per {@link MAX_KNOWN_ETAG_IDS} cards).
 *
 * @example
 * ```ts
 * await refreshBooks({ transport, cache, books: [{ url: bookUrl }], knownEtags });
 * ```
 */
export async function refreshBooks(input: {
  transport: DavTransport;
  cache: CardCache;
  books: readonly { url: string }[];
  knownEtags: KnownEtags | undefined;
}): Promise<void> {
  const { transport, cache, books, knownEtags } = input;
  const listed: { url: string; members: { id: string; member: DavMember }[] }[] = [];
  for (const book of books) {
    const listing = await listMemberEtags(transport, book.url);
    const base = new URL(book.url);
    const members = listing.members.map((member) => ({ id: cardId(member.href, base), member }));
    const ids = new Set(members.map((m) => m.id));
    for (const id of cache.idsOf(book.url)) if (!ids.has(id)) cache.delete(id);
    listed.push({ url: book.url, members });
  }
  const unknown = listed.flatMap((b) => b.members.filter((m) => !cache.parsed(m.id, m.member.etag)));
  // One call for every book together; a book past the lookup's bound is asked in parts.
  const held = new Map<string, string>();
  for (let at = 0; knownEtags && at < unknown.length; at += MAX_KNOWN_ETAG_IDS) {
    const part = await knownEtags(unknown.slice(at, at + MAX_KNOWN_ETAG_IDS).map((m) => m.id));
    for (const [id, version] of part) held.set(id, version);
  }
  for (const book of listed) {
    const download: DavMember[] = [];
    for (const { id, member } of book.members) {
      if (cache.parsed(id, member.etag)) continue;
      const version = readCardVersion(held.get(id));
      if (version && member.etag !== null && sameEtag(version.etag, member.etag))
        cache.hold(id, book.url, member.etag, version);
      else download.push(member);
    }
    await cache.load(transport, book.url, download);
  }
}
