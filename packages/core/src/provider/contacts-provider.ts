import type { CanonicalGroup } from '../model/canonical-contact.js';
import type { ContactBatch } from '../model/contact-batch.js';
import type { KnownEtags } from './known-etags.js';
import { DEFAULT_LISTING_LIMITS, type ListingLimits } from './listing-guard.js';

/**
 * Asks a provider for one page of a full sync.
 *
 * @example
 * ```ts
 * const first = await provider.fullSync({});
 * const request: FullSyncRequest = { pageToken: first.next_page_token, signal: AbortSignal.timeout(30_000) };
 * const second = await provider.fullSync(request);
 * ```
 */
export interface FullSyncRequest {
  /** The page to fetch; absent for the first page. */
  pageToken?: string | null;
  signal?: AbortSignal;
  /**
   * The versions the engine holds (given by the sync cycle; absent when a provider is driven by
   * hand). A source that lists versions before bodies asks it once per page and returns the ids
   * whose version matches in `unchanged` instead of downloading them.
   */
  knownEtags?: KnownEtags;
}

/**
 * Asks a provider for one page of the changes since `cursor`.
 *
 * @example
 * ```ts
 * const request: IncrementalSyncRequest = { cursor: state.syncCursor! };
 * const changes = await provider.incrementalSync(request); // deletions come with deleted: true
 * ```
 */
export interface IncrementalSyncRequest {
  /** The cursor the last completed sync returned (`next_sync_cursor`). Provider-owned format. */
  cursor: string;
  pageToken?: string | null;
  signal?: AbortSignal;
  /** As in {@link FullSyncRequest.knownEtags}. */
  knownEtags?: KnownEtags;
}

/**
 * The contract every address-book source implements. The engine drives it one page at a time:
 * `fullSync({})`, then `fullSync({ pageToken })` while `next_page_token` is set; the last page
 * carries `next_sync_cursor`. `incrementalSync` does the same from a cursor and returns only
 * changes, deletions as contacts with `deleted: true`. Failures are {@link ProviderError}s.
 *
 * @example
 * ```ts
 * class MemoryProvider extends ContactsProvider {
 *   name() { return 'memory'; }
 *   async validateCredentials() {}
 *   async fullSync() { return { contacts: people, next_page_token: null, next_sync_cursor: 'v1' }; }
 *   async incrementalSync() { return { contacts: [], next_page_token: null, next_sync_cursor: 'v1' }; }
 *   async listGroups() { return []; }
 *   listingLimits() { return { maxItems: 5_000, maxPages: 100 }; } // optional: the source's caps
 * }
 * ```
 */
export abstract class ContactsProvider {
  /** Lower-case provider name, the `provider` of source links and sync state (`google`). */
  abstract name(): string;
  /** Checks that the credentials work (a token refresh, a cheap request). */
  abstract validateCredentials(): Promise<void>;
  /** One page of every contact. */
  abstract fullSync(request: FullSyncRequest): Promise<ContactBatch>;
  /** One page of the changes since a cursor. */
  abstract incrementalSync(request: IncrementalSyncRequest): Promise<ContactBatch>;
  /**
   * Every group, so labels get names rather than ids. The cycle aborts `signal` at its deadline
   * for the call (and stops waiting even if it is ignored). A provider that pages here bounds its
   * pages with a {@link ListingGuard}.
   */
  abstract listGroups(signal?: AbortSignal): Promise<CanonicalGroup[]>;
  /**
   * The most one full contacts listing of an account can take at this source: `maxItems`
   * contacts (the most an account holds there) in at most `maxPages` pages. The cycle stops a
   * listing past them (an incremental listing may take twice as many: each contact once deleted,
   * once live). Default {@link DEFAULT_LISTING_LIMITS}; override with the source's own caps.
   */
  listingLimits(): ListingLimits {
    return DEFAULT_LISTING_LIMITS;
  }
  /** Releases connections; safe to call twice. */
  async close(): Promise<void> {}
}
