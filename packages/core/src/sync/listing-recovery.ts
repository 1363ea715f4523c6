/**
 * What a cycle does when its provider fails a page in a way the listing can recover from: the
 * cursor expired (a full listing, at once, in the same cycle) or a page token was refused (the
 * listing from its first page, once). The decision is {@link recoverListing}, one small function
 * kept apart from its effects so a sync policy can take it over; {@link recover} carries it out.
 */
import type { ProviderError } from '../provider/provider-error.js';
import type { CycleContext } from './cycle-context.js';
import { fallBackToFull, type ListingState, restartListing } from './listing-state.js';

/**
 * How a listing recovers from a failed page: `full_sync_now` (it falls back to a full listing),
 * `restart_listing`, or `end_cycle` (the error is the cycle's). The names are the sync policy's.
 *
 * @example
 * ```ts
 * const next: ListingRecovery = recoverListing(error, listing); // 'full_sync_now'
 * ```
 */
export type ListingRecovery = 'full_sync_now' | 'restart_listing' | 'end_cycle';

/**
 * The decision, and only it: an expired cursor of an incremental listing falls back to a full
 * one; a page token refused (`PERMANENT` while paging: the one a crashed cycle left, or one that
 * died mid-listing) restarts the listing, once per cycle; anything else fails the cycle.
 *
 * @example
 * ```ts
 * recoverListing(new ProviderError('CURSOR_EXPIRED', 'The sync token expired.'), listing); // 'full_sync_now' (incremental)
 * ```
 */
export function recoverListing(error: ProviderError, listing: ListingState): ListingRecovery {
  if (error.code === 'CURSOR_EXPIRED' && listing.kind === 'incremental') return 'full_sync_now';
  if (listing.pageToken !== null && error.code === 'PERMANENT' && !listing.restarted)
    return 'restart_listing';
  return 'end_cycle';
}

/**
 * Carries out {@link recoverListing}: the listing to go on with (the expired cursor and any
 * checkpoint forgotten in the sync state first), or the error thrown.
 *
 * @throws ProviderError `error`, when the listing cannot recover from it.
 * @example
 * ```ts
 * listing = await recover(cycle, toProviderError(fetched.error, cycle.providerName), listing);
 * ```
 */
export async function recover(
  cycle: CycleContext,
  error: ProviderError,
  listing: ListingState,
): Promise<ListingState> {
  const { providerName, accountId, logger } = cycle;
  switch (recoverListing(error, listing)) {
    case 'full_sync_now':
      logger.warn('contacts_sync_cursor_expired', { provider: providerName, account_id: accountId });
      await cycle.store.save(providerName, accountId, {
        syncCursor: null,
        cursorIssuedAt: null,
        checkpoint: null,
      });
      return fallBackToFull(listing);
    case 'restart_listing':
      // Pages already applied come again unchanged and cost no writes.
      logger.warn(
        listing.resumedFrom ? 'contacts_sync_checkpoint_discarded' : 'contacts_sync_listing_restarted',
        {
          provider: providerName,
          error: error.message,
        },
      );
      return restartListing(listing);
    case 'end_cycle':
      throw error;
  }
}
