import type { CanonicalContactInput, CanonicalGroup } from '@contacts/core';
import type { DavTransport } from '../dav/dav-transport.js';
import { sameEtag } from '../dav/etag.js';
import { normalizeHref } from '../dav/href.js';
import { fetchCards } from '../dav/multiget.js';
import type { DavMember } from '../dav/sync-collection.js';
import { categoryGroupId } from '../vcard/card-identity.js';
import { membershipIndex } from '../vcard/group-memberships.js';
import { parseVCard, type VCardResult } from '../vcard/parse-vcard.js';
import { type CardVersion, groupsKey, uidKey, writeCardVersion } from './card-version.js';

/**
 * The id of a card: its href's path, normalised (`@` and `%40` alike, no trailing slash), so
 * the same card named absolutely or relatively, or from an iCloud partition host, is one contact.
 *
 * @example
 * ```ts
 * cardId('ada%40x.vcf', new URL('https://dav.example.org/book/')); // '/book/ada%40x.vcf'
 * ```
 */
export function cardId(href: string, base: URL): string {
  return new URL(normalizeHref(href, base)).pathname;
}

/**
 * One card as last downloaded (the book it is in, its ETag, what it parsed to), or, with
 * `result: null`, a person the engine holds at this ETag (its version says so) that was not
 * downloaded: `held` is that version, which tells the groups that list it by its UID's hash.
 * `sentGroups` is the groups key of the version the engine holds of a person (sent, or found
 * unchanged); undefined while unknown.
 *
 * @example
 * ```ts
 * const entry: CachedCard = { book: 'https://dav.example.org/book/', etag: '"1"', result: { kind: 'skipped', objectKind: 'VLIST', reason: '' } };
 * ```
 */
export interface CachedCard {
  book: string;
  etag: string | null;
  result: VCardResult | null;
  held?: CardVersion;
  sentGroups?: string | null;
}

/**
 * A card that could not be downloaded or read, as the engine records it: a contact with the
 * sentence in `source_problems`, retried when the server serves it again.
 *
 * @example
 * ```ts
 * failedCard('/book/1.vcf', 'The server answered 500 for /book/1.vcf.');
 * ```
 */
export function failedCard(id: string, message: string): CanonicalContactInput {
  return { external_id: id, source_problems: [message] } as CanonicalContactInput;
}

/**
 * The cards this provider has read, by id, across its books: an unchanged ETag is never
 * downloaded twice by one provider, and group membership (which lives on group cards) reaches
 * the members through their UIDs. People the engine already holds at their ETag are kept
 * without their bodies ({@link CardCache.hold}): a new process downloads only what changed.
 *
 * @example
 * ```ts
 * const cache = new CardCache();
 * const { results, failures } = await cache.load(transport, bookUrl, members);
 * cache.groups(); // group cards and one group per CATEGORIES name
 * ```
 */
export class CardCache {
  readonly #cards = new Map<string, CachedCard>();
  /** A group card was read, replaced or removed since {@link CardCache.takeGroupsChanged}. */
  #groupsChanged = false;

  get size(): number {
    return this.#cards.size;
  }

  get(id: string): CachedCard | undefined {
    return this.#cards.get(id);
  }

  delete(id: string): CachedCard | undefined {
    const entry = this.#cards.get(id);
    if (entry?.result?.kind === 'group') this.#groupsChanged = true;
    this.#cards.delete(id);
    return entry;
  }

  /** Whether group cards changed since the last call (and forgets it). */
  takeGroupsChanged(): boolean {
    const changed = this.#groupsChanged;
    this.#groupsChanged = false;
    return changed;
  }

  /** The parsed card of `id` when it was downloaded at `etag`. */
  parsed(id: string, etag: string | null): VCardResult | undefined {
    const held = this.#cards.get(id);
    if (!held?.result || etag === null || !sameEtag(held.etag, etag)) return undefined;
    return held.result;
  }

  /**
   * Keeps a person the engine holds at `version` (not downloaded), unless its card is already
   * here at that ETag.
   */
  hold(id: string, book: string, etag: string, version: CardVersion): void {
    const parsed = this.#cards.get(id);
    if (parsed && this.parsed(id, etag)) {
      parsed.sentGroups = version.groups;
      return;
    }
    this.#cards.set(id, { book, etag, result: null, held: version, sentGroups: version.groups });
  }

  /** Ids of the cards held for one book. */
  idsOf(book: string): string[] {
    return [...this.#cards].filter(([, entry]) => entry.book === book).map(([id]) => id);
  }

  /**
   * The parsed cards of `members` (by id): those whose ETag is the one held come from the cache,
   * the others are downloaded by multiget in bounded batches and parsed one by one. `gone` are
   * ids the server no longer has; `failures` ids with a sentence.
   */
  async load(
    transport: DavTransport,
    bookUrl: string,
    members: readonly DavMember[],
  ): Promise<{ results: Map<string, VCardResult>; gone: string[]; failures: Map<string, string> }> {
    const base = new URL(bookUrl);
    const results = new Map<string, VCardResult>();
    const wanted: string[] = [];
    for (const member of members) {
      const id = cardId(member.href, base);
      const held = this.parsed(id, member.etag);
      if (held) results.set(id, held);
      else wanted.push(member.href);
    }
    const failures = new Map<string, string>();
    const gone: string[] = [];
    if (wanted.length === 0) return { results, gone, failures };
    const fetched = await fetchCards(transport, base, wanted);
    for (const card of fetched.cards) {
      const id = cardId(card.href, base);
      const result = parseVCard(card.data, { href: id, etag: card.etag });
      if (result.kind === 'group' || this.#cards.get(id)?.result?.kind === 'group')
        this.#groupsChanged = true;
      this.#cards.set(id, { book: bookUrl, etag: card.etag, result });
      results.set(id, result);
    }
    for (const href of fetched.gone) {
      const id = cardId(href, base);
      this.delete(id);
      gone.push(id);
    }
    for (const failure of fetched.failures) failures.set(cardId(failure.href, base), failure.message);
    return { results, gone, failures };
  }

  /** Member UID → ids of the group cards that list it, over every book held. */
  memberships(): Map<string, string[]> {
    const groupCards = [...this.#cards.values()].flatMap((e) =>
      e.result?.kind === 'group' ? [e.result] : [],
    );
    return membershipIndex(groupCards);
  }

  /**
   * Ids of the people whose groups are no longer those of the version the engine holds
   * (`groupsOf` gives a UID hash's groups key now), and of those whose UID is one of `uids` when
   * that version is not known. Downloaded people by their UID, held ones by their version's.
   */
  regrouped(uids: ReadonlySet<string>, groupsOf: (key: string | null) => string | null): string[] {
    const ids: string[] = [];
    for (const [id, e] of this.#cards) {
      if (e.result && e.result.kind !== 'contact') continue;
      const uid = e.result ? e.result.uid : null;
      const key = e.result ? uidKey(uid) : (e.held?.uid ?? null);
      if (e.sentGroups !== undefined ? e.sentGroups !== groupsOf(key) : uid !== null && uids.has(uid))
        ids.push(id);
    }
    return ids;
  }

  /**
   * The contact a parsed person (card `id`) goes out as: its CATEGORIES memberships plus every
   * group card (held) that lists its UID, with its version (the card's ETag, its UID's and its
   * groups' hashes) as the contact's `etag`; none when the server gave no ETag (always sent then).
   */
  contactOf(
    id: string,
    result: Extract<VCardResult, { kind: 'contact' }>,
    index: Map<string, string[]>,
  ): CanonicalContactInput {
    const fromGroups = result.uid === null ? [] : (index.get(result.uid) ?? []);
    const memberships = [...new Set([...(result.contact.group_memberships ?? []), ...fromGroups])];
    const etag = result.contact.etag;
    const groups = groupsKey(fromGroups);
    const entry = this.#cards.get(id);
    if (entry?.result === result) entry.sentGroups = groups;
    return {
      ...result.contact,
      etag: etag ? writeCardVersion({ etag, uid: uidKey(result.uid), groups }) : null,
      group_memberships: memberships,
    };
  }

  /** Every group card held, and one group per CATEGORIES name a held person carries. */
  groups(): CanonicalGroup[] {
    const groups = new Map<string, CanonicalGroup>();
    const categories = new Set<string>();
    for (const { result } of this.#cards.values()) {
      if (!result) continue;
      if (result.kind === 'group') groups.set(result.group.external_id, result.group);
      if (result.kind === 'contact') for (const name of result.categories) categories.add(name);
    }
    for (const name of categories) {
      const id = categoryGroupId(name);
      if (!groups.has(id)) groups.set(id, { external_id: id, name, system: false, deleted: false });
    }
    return [...groups.values()];
  }
}
