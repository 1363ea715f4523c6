/**
 * What a cycle does when its provider fails a page in a way the listing can recover from: the
 * cursor expired (a full listing, at once, in the same cycle) or a page token was refused (the
 * listing from its first page, once). The decision is the sync policy's ({@link recoverListing});
 * {@link recover} carries it out.
 */
import type { ProviderError } from '../provider/provider-error.js';
import type { CycleContext } from './cycle-context.js';
import { fallBackToFull, type ListingState, restartListing } from './listing-state.js';
import { type ListingAction, listingAction } from './sync-policy.js';

/**
 * How a listing recovers from a failed page: `full_sync_now` (it falls back to a full listing),
 * `restart_listing`, or `end_cycle` (the error is the cycle's). The names are the sync policy's.
 *
 * @example
 * ```ts
 * const next: ListingRecovery = recoverListing(error, listing); // 'full_sync_now'
 * ```
 */
export type ListingRecovery = ListingAction;

/**
 * The decision, and only it, as the sync policy takes it ({@link listingAction}): an expired cursor
 * of an incremental listing falls back to a full one; a refused page token (`PAGE_TOKEN_REFUSED`,
 * or the deprecated `PERMANENT` while paging) restarts the listing, once per cycle; anything else
 * fails the cycle.
 *
 * @example
 * ```ts
 * recoverListing(new ProviderError('CURSOR_EXPIRED', 'The sync token expired.'), listing); // 'full_sync_now' (incremental)
 * ```
 */
export function recoverListing(error: ProviderError, listing: ListingState): ListingRecovery {
  return listingAction(error.code, {
    mode: listing.kind,
    pageToken: listing.pageToken !== null,
    restarted: listing.restarted,
  });
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
