import {
  type CanonicalContactInput,
  type CanonicalGroup,
  type ContactBatch,
  ContactsProvider,
  type FullSyncRequest,
  type IncrementalSyncRequest,
  type KnownEtags,
  type ListingLimits,
  ProviderError,
} from '../index.js';

/**
 * A stand-in for a remote address book: contacts, groups, and a log of every change, which is
 * what a server keeps to answer incremental syncs.
 *
 * @example
 * ```ts
 * const book = new MemoryAddressBook(3); // people/1 to people/3
 * const id = book.add('Ada Lovelace'); // 'people/4', email ada.lovelace@example.org
 * book.edit(id, 'Ada King');
 * book.remove('people/1'); // the next incremental sync returns it as a tombstone
 * book.expireCursors(); // cursors handed out so far now fail with CURSOR_EXPIRED
 * ```
 */
export class MemoryAddressBook {
  /** The live contacts by id, kept as sent: the engine validates them, not the source. */
  readonly contacts = new Map<string, CanonicalContactInput>();
  readonly groups: CanonicalGroup[] = [
    { external_id: 'groups/friends', name: 'Friends', system: false, deleted: false },
  ];
  /** The id each change touched; change `n` is `#log[n - 1]`. */
  readonly #log: string[] = [];
  #epoch = 1;
  #nextId = 1;

  /** Starts with `count` people, `Person 1` (`people/1`) and up. */
  constructor(count = 0) {
    for (let i = 1; i <= count; i += 1) this.add(`Person ${i}`);
  }

  /** The number of the latest change. */
  get sequence(): number {
    return this.#log.length;
  }

  /** Adds a person with an email, in the Friends group; returns the new id. */
  add(name: string): string {
    const id = `people/${this.#nextId++}`;
    const email = `${name.toLowerCase().replace(/\W+/g, '.')}@example.org`;
    this.put({
      external_id: id,
      display_name: name,
      emails: [{ value: email, primary: true }],
      group_memberships: ['groups/friends'],
    });
    return id;
  }

  edit(id: string, name: string): void {
    const contact = this.contacts.get(id);
    if (contact) this.put({ ...contact, display_name: name });
  }

  /** Adds or replaces a contact; its new etag is how the engine tells that it changed. */
  put(contact: CanonicalContactInput): void {
    this.putRaw(contact.external_id, { ...contact, etag: `v${this.sequence + 1}` });
  }

  /** Stores a payload as is, even a malformed one, as a buggy source would send it. */
  putRaw(id: string, payload: unknown): void {
    this.contacts.set(id, payload as CanonicalContactInput);
    this.#log.push(id);
  }

  remove(id: string): void {
    if (this.contacts.delete(id)) this.#log.push(id);
  }

  /** Every cursor handed out so far expires, as when a server forgets its change log. */
  expireCursors(): void {
    this.#epoch += 1;
  }

  /** The sync cursor a server would issue for the state after change `sequence`. */
  cursor(sequence = this.sequence): string {
    return `${this.#epoch}.${sequence}`;
  }

  /** The ids changed after `cursor` up to change `until`, each once; undefined for an expired cursor. */
  changesSince(cursor: string, until: number): string[] | undefined {
    const match = /^(\d+)\.(\d+)$/.exec(cursor);
    if (!match || Number(match[1]) !== this.#epoch) return undefined;
    return [...new Set(this.#log.slice(Number(match[2]), until))];
  }
}

/**
 * One page request, as the provider received it. `page` counts from 1, across a resumed sync.
 *
 * @example
 * ```ts
 * const provider = new MemoryContactsProvider(new MemoryAddressBook(25));
 * await provider.fullSync({});
 * const call: PageCall | undefined = provider.calls[0]; // { mode: 'full', page: 1, pageToken: null }
 * ```
 */
export interface PageCall {
  mode: 'full' | 'incremental';
  page: number;
  pageToken: string | null;
}

/**
 * Options of {@link MemoryContactsProvider}.
 *
 * @example
 * ```ts
 * const options: MemoryContactsProviderOptions = {
 *   name: 'google',
 *   pageSize: 5,
 *   onPage: (call) => {
 *     if (call.page === 2) throw new ProviderError('RATE_LIMITED', 'Slow down.', { retryAfterMs: 1000 });
 *   },
 * };
 * const provider = new MemoryContactsProvider(new MemoryAddressBook(25), options);
 * ```
 */
export interface MemoryContactsProviderOptions {
  /** The `provider` of source links and sync state. Default `memory`. */
  name?: string;
  /** Contacts per page. Default 10. */
  pageSize?: number;
  /**
   * Awaited once a page is read, before it is returned: throw (a `ProviderError`, as a source
   * fails) to inject a fault, or hold it to keep a sync mid-page.
   */
  onPage?: (call: PageCall) => void | Promise<void>;
  /**
   * What a page answers instead of `batch`, the page the book would answer: a source gone wrong
   * (a page token repeated, pages that never end, an empty listing with a valid cursor).
   */
  rewrite?: (batch: ContactBatch, call: PageCall) => ContactBatch;
  /** The bounds the provider declares (`listingLimits()`); default the SDK's. */
  listingLimits?: ListingLimits;
  /**
   * Ask the engine which versions it holds (`knownEtags`, once per page) and return the contacts
   * whose etag it holds in `unchanged` instead of sending them, as a source that lists versions
   * before bodies does (CardDAV). Default false: every contact is sent.
   */
  useKnownEtags?: boolean;
}

/**
 * A complete `ContactsProvider` over a {@link MemoryAddressBook}: pages, cursors, tombstones,
 * groups and error codes. Tests use it wherever a real source is not what they test.
 *
 * @example
 * ```ts
 * const book = new MemoryAddressBook(25);
 * const provider = new MemoryContactsProvider(book, { name: 'google', pageSize: 5 });
 * const first = await provider.fullSync({}); // 5 contacts and a next_page_token
 * const down = new MemoryContactsProvider(book, {
 *   onPage: () => Promise.reject(new ProviderError('TEMPORARY', 'The source answered 503.')),
 * });
 * ```
 */
export class MemoryContactsProvider extends ContactsProvider {
  /** Every page request, in order, for tests to check what the engine asked for. */
  readonly calls: PageCall[] = [];
  readonly #options: MemoryContactsProviderOptions;

  constructor(
    readonly book: MemoryAddressBook,
    options: MemoryContactsProviderOptions = {},
  ) {
    super();
    this.#options = options;
  }

  name(): string {
    return this.#options.name ?? 'memory';
  }

  /** Nothing to check here; a real provider makes its cheapest authenticated request. */
  async validateCredentials(): Promise<void> {}

  async listGroups(_signal?: AbortSignal): Promise<CanonicalGroup[]> {
    return [...this.book.groups];
  }

  override listingLimits(): ListingLimits {
    return this.#options.listingLimits ?? super.listingLimits();
  }

  async fullSync({ pageToken, knownEtags }: FullSyncRequest): Promise<ContactBatch> {
    return this.#page('full', pageToken, knownEtags, () => [...this.book.contacts.keys()]);
  }

  async incrementalSync({ cursor, pageToken, knownEtags }: IncrementalSyncRequest): Promise<ContactBatch> {
    return this.#page('incremental', pageToken, knownEtags, (until) => {
      const changed = this.book.changesSince(cursor, until);
      // An unreadable cursor counts as expired too: the engine recovers with a full sync, where
      // PERMANENT would stop syncing until a person acts.
      if (!changed) throw new ProviderError('CURSOR_EXPIRED', 'The cursor expired: a full sync is needed.');
      return changed;
    });
  }

  /**
   * One page of `ids(until)`. A page token is `<page>:<until>:<last id served>`
   * (the first page reads as `0:<latest change>:`). Pages go by id, not by position, so a contact
   * removed mid-sync shifts nothing. `until` is the change the sync started at and becomes its
   * cursor, so a change made during the sync comes with the next sync instead of being lost.
   */
  async #page(
    mode: PageCall['mode'],
    pageToken: string | null | undefined,
    knownEtags: KnownEtags | undefined,
    ids: (until: number) => string[],
  ): Promise<ContactBatch> {
    const [, page, until, after] = /^(\d+):(\d+):(.*)$/.exec(pageToken || `0:${this.book.sequence}:`) ?? [];
    if (after === undefined)
      throw new ProviderError('PAGE_TOKEN_REFUSED', 'This page token is not one of ours.');
    const call: PageCall = { mode, page: Number(page) + 1, pageToken: pageToken ?? null };
    this.calls.push(call);
    const rest = ids(Number(until))
      .filter((id) => id > after)
      .sort();
    const served = rest.slice(0, this.#options.pageSize ?? 10);
    const last = served.length === rest.length;
    // One lookup for the page: a contact whose etag the engine holds is listed, not sent.
    const held =
      this.#options.useKnownEtags && knownEtags ? await knownEtags(served) : new Map<string, string>();
    const unchanged = served.filter((id) => {
      const etag = this.book.contacts.get(id)?.etag;
      return etag !== undefined && etag !== null && held.get(id) === etag;
    });
    const batch: ContactBatch = {
      // A contact gone from the book was removed: it goes out as a tombstone.
      contacts: served
        .filter((id) => !unchanged.includes(id)) // a page is small: includes is fine
        .map((id) => this.book.contacts.get(id) ?? { external_id: id, deleted: true }),
      unchanged,
      next_page_token: last ? null : `${call.page}:${until}:${served.at(-1)}`,
      next_sync_cursor: last ? this.book.cursor(Number(until)) : null,
      checkpoint: { page: call.page },
    };
    await this.#options.onPage?.(call);
    return this.#options.rewrite?.(batch, call) ?? batch;
  }
}
