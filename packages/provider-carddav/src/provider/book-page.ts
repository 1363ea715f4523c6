import { type CanonicalContactInput, type KnownEtags, ProviderError } from '@contacts/core';
import type { AddressBookState } from '../dav/book-state.js';
import type { DavTransport } from '../dav/dav-transport.js';
import { sameEtag } from '../dav/etag.js';
import { listMemberEtags } from '../dav/etag-listing.js';
import { cursorExpiredError, syncCollectionPage } from '../dav/sync-collection.js';
import type { BookListings, HeldListing, ListingEntry } from './book-listing.js';
import { type CardCache, cardId, failedCard } from './card-cache.js';
import { type CardVersion, groupsKey, readCardVersion, uidKey, versionHolds } from './card-version.js';
import type { BookMark } from './carddav-cursor.js';

/**
 * Where one book's listing stands: how it lists (`sync` from the token `from`, or `list`), the
 * last id served, and whether the sync is incremental (removals become tombstones).
 *
 * @example
 * ```ts
 * const position: BookPosition = { mode: 'sync', from: '', after: '', incremental: false };
 * ```
 */
export interface BookPosition {
  mode: 'sync' | 'list';
  from: string;
  after: string;
  incremental: boolean;
}

/**
 * One page of one book: the contacts (and tombstones) to apply, and either the position of the
 * next page or the mark the book ended at.
 *
 * @example
 * ```ts
 * const page: BookPage = { contacts: [], next: null, mark: { t: 'tok', c: null } };
 * ```
 */
export interface BookPage {
  contacts: CanonicalContactInput[];
  /** Ids listed at the version the engine holds: neither downloaded nor sent. */
  unchanged: string[];
  next: BookPosition | null;
  mark: BookMark | null;
}

/** The groups key of the people a UID hash names, over the group cards held. */
function groupsByUidKey(index: Map<string, string[]>): (key: string | null) => string | null {
  const byKey = new Map([...index].map(([uid, ids]) => [uidKey(uid), ids]));
  return (key) => groupsKey(key === null ? [] : (byKey.get(key) ?? []));
}

/** Entries in id order, each id once (a listing may name a card twice: changed, then removed). */
function sortedUnique(entries: ListingEntry[]): ListingEntry[] {
  const sorted = [...entries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return sorted.filter((e, i) => i === 0 || sorted[i - 1]?.id !== e.id);
}

/**
 * Lists the book from the position's token (sync-collection, or the ETag listing): its entries
 * in id order after the last id served, with what the book ends at. `fallback` when a full
 * sync's empty token is refused: the book is listed by the ETag listing instead.
 */
async function listBook(
  transport: DavTransport,
  bookUrl: string,
  state: AddressBookState,
  position: BookPosition,
): Promise<HeldListing | 'fallback'> {
  const base = new URL(bookUrl);
  const held = { mode: position.mode, from: position.from, incremental: position.incremental, state };
  let entries: ListingEntry[];
  if (position.mode === 'sync') {
    const outcome = await syncCollectionPage(transport, bookUrl, position.from);
    if (outcome.kind === 'token-invalid') {
      if (position.incremental) throw cursorExpiredError(outcome);
      if (position.from !== '')
        throw new ProviderError(
          'PAGE_TOKEN_REFUSED',
          'The CardDAV server no longer accepts the listing token.',
          {
            provider: 'carddav',
          },
        );
      return 'fallback';
    }
    entries = [
      ...outcome.changed.map((member) => ({ id: cardId(member.href, base), member })),
      // A full sync ignores removals: Radicale reports deleted members even to an empty token.
      ...(position.incremental
        ? outcome.removed.map((href) => ({ id: cardId(href, base), member: null }))
        : []),
    ];
    const after = sortedUnique(entries).filter((e) => e.id > position.after);
    return {
      ...held,
      after: position.after,
      entries: after,
      truncatedToken: outcome.truncated ? outcome.syncToken : null,
      mark: { t: outcome.syncToken, c: state.ctag },
    };
  }
  const listing = await listMemberEtags(transport, bookUrl);
  entries = listing.members.map((member) => ({ id: cardId(member.href, base), member }));
  return {
    ...held,
    after: position.after,
    entries: sortedUnique(entries).filter((e) => e.id > position.after),
    truncatedToken: null,
    mark: { t: listing.syncToken ?? state.syncToken, c: listing.ctag ?? state.ctag },
  };
}

/**
 * Reads one page of one book: the sync-collection answer from the position's token, or the ETag
 * listing, its members served in id order after the last one served (so a resumed sync skips
 * what was committed). The answer is asked once per listing: with `listings`, the rest of it is
 * held for the next page, which takes it when its position is where the listing stands (a new
 * process, or another position, lists again). One `knownEtags` call for the page's members:
 * a person whose version the engine holds (same ETag, same group cards listing it) is reported
 * `unchanged`, neither downloaded nor sent; of the others, cards the cache holds at their ETag
 * are not downloaded either, and the rest go by multiget. A refused token fails `CURSOR_EXPIRED`
 * in an incremental sync (the engine's full sync follows) and turns a full sync into the listing.
 *
 * @example
 * ```ts
 * const page = await readBookPage({ transport, cache, bookUrl, state, position, pageSize: 100 });
 * ```
 */
export async function readBookPage(input: {
  transport: DavTransport;
  cache: CardCache;
  bookUrl: string;
  state: AddressBookState;
  position: BookPosition;
  pageSize: number;
  knownEtags?: KnownEtags;
  /** The provider's held listings: a page that continues one is served from it. */
  listings?: BookListings;
}): Promise<BookPage> {
  const { transport, cache, bookUrl, state, position, pageSize, knownEtags, listings } = input;
  let listing = listings?.find(bookUrl, position);
  if (!listing) {
    const made = await listBook(transport, bookUrl, state, position);
    if (made === 'fallback')
      return readBookPage({ ...input, position: { ...position, mode: 'list', from: '', after: '' } });
    listing = made;
  }
  const slice = listing.entries.slice(0, pageSize);
  const rest = listing.entries.length > pageSize;
  const members = slice.flatMap((e) => (e.member ? [{ id: e.id, member: e.member }] : []));
  const contacts: CanonicalContactInput[] = [];
  const emitted = new Set<string>();
  const regroup = new Set<string>();
  const tombstone = (id: string) => {
    const old = cache.delete(id);
    if (old?.result?.kind === 'group') for (const uid of old.result.memberUids) regroup.add(uid);
    if (old?.result?.kind === 'group' || !position.incremental) return;
    emitted.add(id);
    contacts.push({ external_id: id, deleted: true } as CanonicalContactInput);
  };
  for (const entry of slice) {
    if (!entry.member) tombstone(entry.id);
  }
  // What the engine holds of the page's people, at the ETag listed now: one lookup per page.
  const answers =
    knownEtags && members.length > 0 ? await knownEtags(members.map((m) => m.id)) : new Map<string, string>();
  const held = new Map<string, CardVersion>();
  for (const { id, member } of members) {
    const version = readCardVersion(answers.get(id));
    if (version && member.etag !== null && sameEtag(version.etag, member.etag)) {
      held.set(id, version);
      cache.hold(id, bookUrl, member.etag, version);
    }
  }
  // Cards the engine does not hold at this ETag are downloaded first: a group card among them
  // changes the memberships the held people are judged by.
  const loaded = await cache.load(
    transport,
    bookUrl,
    members.filter((m) => !held.has(m.id)).map((m) => m.member),
  );
  for (const id of loaded.gone) if (position.incremental) tombstone(id);
  const index = cache.memberships();
  const groupsOf = groupsByUidKey(index);
  const unchangedIds = new Set(
    members
      .filter((m) => {
        const version = held.get(m.id);
        return version !== undefined && versionHolds(version, m.member.etag, groupsOf(version.uid));
      })
      .map((m) => m.id),
  );
  // Held at this ETag, but the group cards that list it changed: its body is needed after all.
  const regrouped = members.filter((m) => held.has(m.id) && !unchangedIds.has(m.id));
  if (regrouped.length > 0) {
    const more = await cache.load(
      transport,
      bookUrl,
      regrouped.map((m) => m.member),
    );
    for (const [id, result] of more.results) loaded.results.set(id, result);
    for (const [id, message] of more.failures) loaded.failures.set(id, message);
    for (const id of more.gone) if (position.incremental) tombstone(id);
  }
  for (const entry of slice) {
    if (!entry.member || unchangedIds.has(entry.id)) continue;
    const failure = loaded.failures.get(entry.id);
    if (failure !== undefined) {
      emitted.add(entry.id);
      contacts.push(failedCard(entry.id, failure));
      continue;
    }
    const result = loaded.results.get(entry.id);
    if (!result || result.kind === 'skipped') continue;
    emitted.add(entry.id);
    if (result.kind === 'failure') contacts.push(failedCard(entry.id, result.message));
    else if (result.kind === 'contact') contacts.push(cache.contactOf(entry.id, result, index));
    else {
      emitted.delete(entry.id);
      for (const uid of result.memberUids) regroup.add(uid);
    }
  }
  // A group card changed (here, or when the books were refreshed): its members' cards did not,
  // but their labels did, so they go again; those held without their bodies are downloaded.
  const groupsChanged = cache.takeGroupsChanged();
  if (position.incremental && (regroup.size > 0 || groupsChanged)) {
    const after = cache.memberships();
    const people = cache
      .regrouped(regroup, groupsByUidKey(after))
      .filter((id) => !emitted.has(id) && !unchangedIds.has(id));
    const bodiless = people.flatMap((id) => {
      const entry = cache.get(id);
      return entry && entry.result === null && entry.etag !== null
        ? [{ href: id, etag: entry.etag, book: entry.book }]
        : [];
    });
    for (const book of new Set(bodiless.map((b) => b.book))) {
      await cache.load(
        transport,
        book,
        bodiless.filter((b) => b.book === book),
      );
    }
    for (const id of people) {
      const result = cache.get(id)?.result;
      if (result?.kind === 'contact') contacts.push(cache.contactOf(id, result, after));
    }
  }
  const last = slice.at(-1)?.id;
  if (rest && last !== undefined) {
    // The rest of this answer serves the next pages: the book is not listed again for them.
    listings?.keep(bookUrl, { ...listing, after: last, entries: listing.entries.slice(pageSize) });
    return { contacts, unchanged: [...unchangedIds], next: { ...position, after: last }, mark: null };
  }
  listings?.drop(bookUrl);
  if (listing.truncatedToken !== null)
    return {
      contacts,
      unchanged: [...unchangedIds],
      next: { ...position, from: listing.truncatedToken, after: '' },
      mark: null,
    };
  return { contacts, unchanged: [...unchangedIds], next: null, mark: listing.mark };
}
