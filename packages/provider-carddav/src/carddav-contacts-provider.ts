import {
  type CanonicalContactInput,
  type CanonicalGroup,
  type ContactBatch,
  ContactsProvider,
  credentialUrlProblem,
  type FullSyncRequest,
  type IncrementalSyncRequest,
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
import { listMemberEtags } from './dav/etag-listing.js';
import { type BookPosition, readBookPage } from './provider/book-page.js';
import { CardCache, cardId } from './provider/card-cache.js';
import { type BookMark, type PageToken, readCursor, readPageToken } from './provider/carddav-cursor.js';

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

function segment(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/\/+$/, '').split('/').at(-1) ?? '');
}

/**
 * The CardDAV provider (RFC 6352, RFC 6578): discovers the principal's address books once, then
 * per book answers "nothing changed" from one Depth 0 PROPFIND, lists changes with
 * sync-collection (507 continuation; a refused token fails `CURSOR_EXPIRED` and the engine's full
 * sync duplicates nobody, cards being known by their href), falls back to the ETag listing, and
 * downloads only cards whose ETag it does not hold, by multiget in bounded batches. Cursor and
 * page tokens are its own (per book: token or ctag, the listing's position). Groups are the group
 * cards and one group per CATEGORIES name.
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
  /** A book state read by `listGroups`, used once by the next page instead of reading it again. */
  readonly #fresh = new Map<string, AddressBookState>();
  /** The mark each book's cached cards are current at. */
  readonly #cachedAt = new Map<string, BookMark>();
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
      const books = wanted?.length
        ? found.filter((b) => wanted.some((w) => w === b.url || w === b.displayName || w === segment(b.url)))
        : found;
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

  async #state(bookUrl: string): Promise<AddressBookState> {
    const fresh = this.#fresh.get(bookUrl);
    this.#fresh.delete(bookUrl);
    return fresh ?? readAddressBookState(this.transport, bookUrl);
  }

  /**
   * Group cards and CATEGORIES of every book. One Depth 0 PROPFIND per book; a book that changed
   * since the cards were last read is listed and its changed cards downloaded, so the pages that
   * follow find them in the cache (and memberships from group cards are known before any page).
   */
  async listGroups(): Promise<CanonicalGroup[]> {
    for (const book of await this.#discover()) {
      const state = await readAddressBookState(this.transport, book.url);
      this.#fresh.set(book.url, state);
      await this.#cacheBook(book.url, state, null);
    }
    return this.#cache.groups();
  }

  /**
   * Makes the cache hold the book's cards as they are at `state`, unless it does already, or (for
   * an incremental listing from `since`, the cursor's mark of the book) it holds them as they were
   * at `since`, which the listing's changes bring up to date. A page needs every group card of its
   * book: membership lives there. The engine lists groups only when a page names one it does not
   * know, so a page cannot count on `listGroups` having read the book first (a restarted process,
   * a full sync after an expired cursor).
   */
  async #cacheBook(bookUrl: string, state: AddressBookState, since: BookMark | null): Promise<void> {
    const at = this.#cachedAt.get(bookUrl);
    if (at && bookUnchanged({ syncToken: at.t, ctag: at.c }, state)) return;
    if (at && since && at.t === since.t && at.c === since.c) return;
    const listing = await listMemberEtags(this.transport, bookUrl);
    const base = new URL(bookUrl);
    const listed = new Set(listing.members.map((m) => cardId(m.href, base)));
    for (const id of this.#cache.idsOf(bookUrl)) if (!listed.has(id)) this.#cache.delete(id);
    await this.#cache.load(this.transport, bookUrl, listing.members);
    this.#cachedAt.set(bookUrl, markOf(state));
  }

  async fullSync({ pageToken }: FullSyncRequest): Promise<ContactBatch> {
    return this.#page(pageToken ? readPageToken(pageToken) : null, null);
  }

  async incrementalSync({ cursor, pageToken }: IncrementalSyncRequest): Promise<ContactBatch> {
    return this.#page(pageToken ? readPageToken(pageToken) : null, readCursor(cursor).books);
  }

  async #page(token: PageToken | null, base: Record<string, BookMark> | null): Promise<ContactBatch> {
    const books = await this.#discover();
    const incremental = (token?.base ?? base) !== null;
    const start: Record<string, BookMark> | null = token ? token.base : base;
    const done: Record<string, BookMark> = { ...(token?.done ?? {}) };
    let index = token?.b ?? 0;
    let position: BookPosition | null =
      token && token.m !== 'start'
        ? { mode: token.m, from: token.from, after: token.after, incremental }
        : null;
    const contacts: CanonicalContactInput[] = [];
    while (index < books.length) {
      const bookUrl = (books[index] as DiscoveredAddressBook).url;
      const state = await this.#state(bookUrl);
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
      await this.#cacheBook(bookUrl, state, incremental ? (start?.[bookUrl] ?? null) : null);
      const page = await readBookPage({
        transport: this.transport,
        cache: this.#cache,
        bookUrl,
        state,
        position,
        pageSize: this.#options.pageSize ?? 100,
      });
      contacts.push(...page.contacts);
      if (page.next) {
        const next: PageToken = {
          v: 1,
          b: index,
          m: page.next.mode,
          from: page.next.from,
          after: page.next.after,
          done,
          base: start,
        };
        return {
          contacts,
          next_page_token: JSON.stringify(next),
          next_sync_cursor: null,
          checkpoint: { book: index, after: page.next.after },
        };
      }
      done[bookUrl] = page.mark ?? markOf(state);
      this.#cachedAt.set(bookUrl, done[bookUrl] as BookMark);
      index += 1;
      position = null;
      if (contacts.length > 0 && index < books.length) {
        const next: PageToken = { v: 1, b: index, m: 'start', from: '', after: '', done, base: start };
        return {
          contacts,
          next_page_token: JSON.stringify(next),
          next_sync_cursor: null,
          checkpoint: { book: index, after: '' },
        };
      }
    }
    return {
      contacts,
      next_page_token: null,
      next_sync_cursor: JSON.stringify({ v: 1, books: done }),
      checkpoint: { book: books.length, after: '' },
    };
  }
}
