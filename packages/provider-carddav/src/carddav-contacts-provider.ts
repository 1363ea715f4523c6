import {
  type CanonicalContactInput,
  type CanonicalGroup,
  type ContactBatch,
  ContactsProvider,
  credentialUrlProblem,
  type FullSyncRequest,
  type IncrementalSyncRequest,
  type KnownEtags,
  ProviderError,
} from '@contacts/core';
import {
  type AddressBookState,
  bookUnchanged,
  readAddressBookState,
  usesSyncCollection,
} from './dav/book-state.js';
import { DavTransport, type DavTransportOptions } from './dav/dav-transport.js';
import { type DiscoveredAddressBook, discoverAddressBooks } from './dav/discovery.js';
import { BookListings } from './provider/book-listing.js';
import { type BookPosition, readBookPage } from './provider/book-page.js';
import { bookWanted } from './provider/book-selection.js';
import { CardCache } from './provider/card-cache.js';
import { type BookMark, type PageToken, readCursor, readPageToken } from './provider/carddav-cursor.js';
import { refreshBooks } from './provider/refresh-books.js';

/**
 * Options of {@link CardDavContactsProvider}: the server (`url`: a root, a `/.well-known/carddav`
 * host, or one book), which books to sync (by URL, display name or last path segment; default
 * every book of the principal), the user name and (app-specific) password, and the transport's
 * bounds. `fetch` is for tests.
 *
 * @example
 * ```ts
 * const options: CardDavProviderOptions = { url: 'https://carddav.fastmail.com/', username: 'ada@fastmail.com', password: 'app-password' };
 * ```
 */
export interface CardDavProviderOptions {
  /** Absent: every call fails `PERMANENT` asking for it (a source table without `url`). */
  url?: string;
  books?: readonly string[];
  username: string;
  password: string;
  /** Cards per page (default 100). */
  pageSize?: number;
  timeoutMs?: number;
  maxResponseBytes?: number;
  fetch?: DavTransportOptions['fetch'];
}

function markOf(state: Pick<AddressBookState, 'syncToken' | 'ctag'>): BookMark {
  return { t: state.syncToken, c: state.ctag };
}

/**
 * The CardDAV provider (RFC 6352, RFC 6578): discovers the principal's address books once, then
 * per book answers "nothing changed" from one Depth 0 PROPFIND, lists changes with
 * sync-collection (507 continuation; a refused token fails `CURSOR_EXPIRED` and the engine's full
 * sync duplicates nobody, cards being known by their href) once per sync, holding the listing's
 * hrefs and ETags for the following pages (not once per page), falls back to the ETag listing, and
 * downloads only cards whose ETag neither it nor the engine holds (`knownEtags`), by multiget in
 * bounded batches; people the engine holds at their version go back as `unchanged`, so an
 * unchanged book costs no download and no write, in a new process too. Cursor and page tokens
 * are its own (per book: token or ctag, the listing's position). Groups are the group cards and
 * one group per CATEGORIES name.
 *
 * @example
 * ```ts
 * const provider = new CardDavContactsProvider({ url: 'https://contacts.icloud.com/', username: 'ada@icloud.com', password: 'abcd-efgh-ijkl-mnop' });
 * const first = await provider.fullSync({}); // one page; next_page_token while more follow
 * ```
 */
export class CardDavContactsProvider extends ContactsProvider {
  /** Every HTTP request goes through it; `transport.requests` counts them. */
  readonly transport: DavTransport;
  readonly #options: CardDavProviderOptions;
  readonly #cache = new CardCache();
  #books: Promise<DiscoveredAddressBook[]> | null = null;
  /** The mark each book's cached cards are current at. */
  readonly #cachedAt = new Map<string, BookMark>();
  /** Per book, the rest of the listing being served: the next page takes it, not a new REPORT. */
  readonly #listings = new BookListings();
  readonly #url: string | null;

  constructor(options: CardDavProviderOptions) {
    super();
    const why = options.url === undefined ? null : credentialUrlProblem(options.url);
    if (why)
      throw new ProviderError('PERMANENT', `Invalid CardDAV options: url ${why}.`, { provider: 'carddav' });
    this.#options = options;
    this.#url = options.url ?? null;
    this.transport = new DavTransport({
      // Without a url nothing is ever sent (discovery fails first); the site only has to parse.
      site: options.url ?? 'https://carddav.invalid/',
      credentials: { username: options.username, password: options.password },
      timeoutMs: options.timeoutMs,
      maxResponseBytes: options.maxResponseBytes,
      fetch: options.fetch,
    });
  }

  /**
   * Books whose listing is held between pages (for tests: an abandoned sync's must not stay).
   *
   * @example
   * ```ts
   * await provider.incrementalSync({ cursor }); // a sync that starts drops any other's listing
   * provider.heldListings; // 0 once every book's last page was served
   * ```
   */
  get heldListings(): number {
    return this.#listings.size;
  }

  name(): string {
    return 'carddav';
  }

  async validateCredentials(): Promise<void> {
    await this.#discover();
  }

  /** The books to sync, sorted by URL (discovered once per provider). */
  #discover(): Promise<DiscoveredAddressBook[]> {
    const url = this.#url;
    if (url === null)
      return Promise.reject(
        new ProviderError(
          'PERMANENT',
          'The CardDAV source has no url: set `url` in its source table (a server root, or one address book).',
          { provider: 'carddav' },
        ),
      );
    this.#books ??= discoverAddressBooks(this.transport, url).then((found) => {
      const wanted = this.#options.books;
      const books = found.filter((b) => bookWanted(b, wanted));
      if (books.length === 0)
        throw new ProviderError(
          'PERMANENT',
          `None of the address books at the CardDAV url is one of the books configured (${wanted?.join(', ')}).`,
          { provider: 'carddav' },
        );
      return books.sort((a, b) => (a.url < b.url ? -1 : 1));
    });
    this.#books.catch(() => {
      this.#books = null;
    });
    return this.#books;
  }

  /**
   * Group cards and CATEGORIES held so far; no request beyond discovery. The engine lists groups
   * only when a full sync starts or a page names a group it does not know, and every page carries
   * its book's groups, so the pages (which read each book's state, one Depth 0 PROPFIND, and fill
   * the cache) are where groups are learnt. A state read here and kept for a later page could be
   * hours old by then (the engine may list groups after a cycle's last page): reading none keeps
   * every page's state its own.
   */
  async listGroups(): Promise<CanonicalGroup[]> {
    await this.#discover();
    return this.#cache.groups();
  }

  /**
   * Before a book is listed: the book (judged against `current`, the state the page has taken)
   * when its cards changed since the cache was filled, and every book this process never read
   * (its state read here), are listed and their unknown cards downloaded, before the first person
   * is judged: memberships on group cards (of any book) must be complete. Books read before and
   * not being listed now are judged when their turn comes.
   */
  async #refresh(
    books: readonly DiscoveredAddressBook[],
    current: { url: string; state: AddressBookState },
    knownEtags: KnownEtags | undefined,
  ): Promise<void> {
    const stale: { url: string; state: AddressBookState }[] = [];
    for (const book of books) {
      const at = this.#cachedAt.get(book.url);
      let state = book.url === current.url ? current.state : undefined;
      if (!at && !state) state = await readAddressBookState(this.transport, book.url);
      if (!state) continue;
      if (!at || !bookUnchanged({ syncToken: at.t, ctag: at.c }, state)) stale.push({ url: book.url, state });
    }
    if (stale.length === 0) return;
    await refreshBooks({ transport: this.transport, cache: this.#cache, books: stale, knownEtags });
    for (const { url, state } of stale) this.#cachedAt.set(url, markOf(state));
  }

  async fullSync({ pageToken, knownEtags }: FullSyncRequest): Promise<ContactBatch> {
    return this.#page(pageToken ? readPageToken(pageToken) : null, null, knownEtags);
  }

  async incrementalSync({ cursor, pageToken, knownEtags }: IncrementalSyncRequest): Promise<ContactBatch> {
    return this.#page(pageToken ? readPageToken(pageToken) : null, readCursor(cursor).books, knownEtags);
  }

  async #page(
    token: PageToken | null,
    base: Record<string, BookMark> | null,
    knownEtags: KnownEtags | undefined,
  ): Promise<ContactBatch> {
    const books = await this.#discover();
    // A page token carries the cursor its sync started from (null for a full sync): it wins.
    const start: Record<string, BookMark> | null = token ? token.base : base;
    const incremental = start !== null;
    // A sync that starts afresh abandons any other's listing: a book it never reaches (a quiet
    // poll) would hold its hrefs and ETags for the provider's lifetime.
    if (!token) this.#listings.clear();
    const done: Record<string, BookMark> = { ...(token?.done ?? {}) };
    let index = token?.b ?? 0;
    let position: BookPosition | null =
      token && token.m !== 'start'
        ? { mode: token.m, from: token.from, after: token.after, incremental }
        : null;
    const contacts: CanonicalContactInput[] = [];
    const unchanged: string[] = [];
    while (index < books.length) {
      const bookUrl = (books[index] as DiscoveredAddressBook).url;
      // A page that continues the held listing reads nothing: its first page read the state.
      const held = position ? this.#listings.find(bookUrl, position) : undefined;
      const state = held?.state ?? (await readAddressBookState(this.transport, bookUrl));
      if (!position) {
        const previous = start?.[bookUrl];
        if (incremental && previous && bookUnchanged({ syncToken: previous.t, ctag: previous.c }, state)) {
          done[bookUrl] = markOf(state);
          index += 1;
          continue;
        }
        const sync = usesSyncCollection(state);
        if (incremental && (!previous || !sync || previous.t === null))
          throw new ProviderError(
            'CURSOR_EXPIRED',
            'The CardDAV book changed and cannot list its changes alone (no sync-collection, or a book new to the cursor): a full sync follows.',
            { provider: 'carddav' },
          );
        position = {
          mode: sync ? 'sync' : 'list',
          from: incremental ? (previous?.t ?? '') : '',
          after: '',
          incremental,
        };
      }
      // Each book about to be listed, not only a call's first: when an empty book's listing
      // lets the call go on to the next, that one's changed group cards must be read too. Only a
      // book that is listed needs the cache: a quiet poll reads nothing more.
      if (!held) await this.#refresh(books, { url: bookUrl, state }, knownEtags);
      const page = await readBookPage({
        transport: this.transport,
        cache: this.#cache,
        bookUrl,
        state,
        position,
        pageSize: this.#options.pageSize ?? 100,
        knownEtags,
        listings: this.#listings,
      });
      contacts.push(...page.contacts);
      unchanged.push(...page.unchanged);
      if (page.next) {
        const { mode, from, after } = page.next;
        return this.#batch(contacts, unchanged, { v: 1, b: index, m: mode, from, after, done, base: start });
      }
      const mark = page.mark ?? markOf(state);
      done[bookUrl] = mark;
      this.#cachedAt.set(bookUrl, mark);
      index += 1;
      position = null;
      if (contacts.length + unchanged.length > 0 && index < books.length) {
        return this.#batch(contacts, unchanged, {
          v: 1,
          b: index,
          m: 'start',
          from: '',
          after: '',
          done,
          base: start,
        });
      }
    }
    return {
      contacts,
      unchanged,
      groups: this.#cache.groups(),
      next_page_token: null,
      next_sync_cursor: JSON.stringify({ v: 1, books: done }),
      checkpoint: { book: books.length, after: '' },
    };
  }

  /** A page with more to come: the token says where the next one starts, the checkpoint too. */
  #batch(contacts: CanonicalContactInput[], unchanged: string[], next: PageToken): ContactBatch {
    return {
      contacts,
      unchanged,
      groups: this.#cache.groups(),
      next_page_token: JSON.stringify(next),
      next_sync_cursor: null,
      checkpoint: { book: next.b, after: next.after },
    };
  }
}
