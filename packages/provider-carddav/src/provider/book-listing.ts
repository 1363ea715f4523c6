import type { AddressBookState } from '../dav/book-state.js';
import type { DavMember } from '../dav/sync-collection.js';
import type { BookMark } from './carddav-cursor.js';

/**
 * One member of a book's listing: its card id and what the server listed (href and ETag), or
 * `member: null` for a removal reported by an incremental sync-collection.
 *
 * @example
 * ```ts
 * const entry: ListingEntry = { id: '/ada/book/1.vcf', member: { href: '/ada/book/1.vcf', etag: '"1"' } };
 * ```
 */
export interface ListingEntry {
  id: string;
  member: DavMember | null;
}

/**
 * A book's listing as one answer gave it (a sync-collection from `from`, or the ETag listing),
 * members in id order after the last id served (`after`), with what the book ends at once they
 * are all served: the 507 continuation token, or the mark. `state` is the Depth 0 reading the
 * listing was made under, so the following pages need not read it again.
 *
 * @example
 * ```ts
 * const listing: HeldListing = { mode: 'sync', from: '', incremental: false, after: '', entries: [], truncatedToken: null, mark: { t: 'tok', c: null }, state };
 * ```
 */
export interface HeldListing {
  mode: 'sync' | 'list';
  from: string;
  incremental: boolean;
  after: string;
  entries: ListingEntry[];
  truncatedToken: string | null;
  mark: BookMark;
  state: AddressBookState;
}

/**
 * The listing each book is being served from, kept by one provider between the pages of a sync:
 * a page whose position (mode, token sent, last id served) is where the held listing stands
 * takes its members from it instead of listing the whole book again, so a listing of N cards
 * costs one request per sync, not one per page. Only hrefs and ETags of the members not yet
 * served are held, one listing per book, dropped when its last page is served or a sync starts
 * without a page token; a position that does not match (another sync, a retry, a new process)
 * lists again.
 *
 * @example
 * ```ts
 * const listings = new BookListings();
 * const held = listings.find(bookUrl, { mode: 'sync', from: '', after: '/ada/book/7.vcf', incremental: false });
 * ```
 */
export class BookListings {
  readonly #held = new Map<string, HeldListing>();

  /** Number of books with a listing held (for tests). */
  get size(): number {
    return this.#held.size;
  }

  /** The listing held for `bookUrl` when it stands exactly at `position`. */
  find(
    bookUrl: string,
    position: { mode: 'sync' | 'list'; from: string; after: string; incremental: boolean },
  ): HeldListing | undefined {
    const held = this.#held.get(bookUrl);
    if (
      held &&
      held.mode === position.mode &&
      held.from === position.from &&
      held.after === position.after &&
      held.incremental === position.incremental
    )
      return held;
    return undefined;
  }

  /** Keeps the rest of a listing for the book's next page (replacing any other). */
  keep(bookUrl: string, listing: HeldListing): void {
    this.#held.set(bookUrl, listing);
  }

  /** Forgets the book's listing (its last page was served). */
  drop(bookUrl: string): void {
    this.#held.delete(bookUrl);
  }

  /** Forgets every listing (a sync starts afresh: any other sync was abandoned). */
  clear(): void {
    this.#held.clear();
  }
}
