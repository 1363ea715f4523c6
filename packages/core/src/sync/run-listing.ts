/**
 * The page loop of one cycle: fetches the pages of its listing (the next one while the current
 * one is written), commits them one by one, recovers from an expired cursor or a refused page
 * token, and stops a listing that loops or never ends.
 */
import { addSummaries, type BackfillSummary } from '../backfill/summary.js';
import { ListingGuard } from '../provider/listing-guard.js';
import { toProviderError } from '../provider/provider-error.js';
import { commitPage } from './commit-page.js';
import type { CycleContext } from './cycle-context.js';
import type { DeletionHold } from './deletion-guard.js';
import { listGroupsIfNeeded } from './group-listing.js';
import { recover } from './listing-recovery.js';
import { advanceListing, type ListingState } from './listing-state.js';
import { type Fetched, fetchSettled } from './page-fetch.js';
import { RetrySkips } from './retry-skips.js';

/**
 * Where a listing ended: `completed` after its last page, not when the caller's signal stopped it
 * between pages (the checkpoint resumes it). The counts are this cycle's.
 *
 * @example
 * ```ts
 * const outcome: ListingOutcome = await runListing(cycle, { listing, summary, hold });
 * if (!outcome.completed) console.log(`stopped after ${outcome.pages} pages; the next cycle resumes`);
 * ```
 */
export interface ListingOutcome {
  listing: ListingState;
  completed: boolean;
  pages: number;
  summary: BackfillSummary;
  /** The deletions held for the account now (see `SyncCycleResult.deletionHold`). */
  hold: DeletionHold | null;
  tombstonedUnseen: number;
  /** What the retry of earlier failures at the cycle's end skips. */
  skips: RetrySkips;
}

/**
 * Runs `listing` to its end, or until the caller's signal stops it between pages.
 *
 * @throws ProviderError from the provider, or when the listing loops or passes its bounds (at
 *   its last committed checkpoint); CoreError `SYNC_IN_PROGRESS` when the lease was lost.
 * @example
 * ```ts
 * const outcome = await runListing(cycle, { listing: startListing(start), summary: emptySummary(), hold: null, skips: new RetrySkips([]) });
 * ```
 */
export async function runListing(
  cycle: CycleContext,
  start: { listing: ListingState; summary: BackfillSummary; hold: DeletionHold | null; skips?: RetrySkips },
): Promise<ListingOutcome> {
  const { providerName, accountId, logger, signal } = cycle;
  let { listing, summary, hold } = start;
  let guard = watchListing(cycle, listing);
  const skips = start.skips ?? new RetrySkips([]);
  let pages = 0;
  let tombstonedUnseen = 0;
  let completed = false;
  // The source's latest word on the listing's size, when it gives one (for progress only).
  let total: number | undefined;
  const fetch = (token: string | null, page: number) =>
    fetchSettled(cycle.call, cycle.provider, listing, token, page, cycle.knownEtags);
  let prefetched: Promise<Fetched> | null = null;
  while (!signal?.aborted) {
    const fetched: Fetched = await (prefetched ?? fetch(listing.pageToken, guard.pages + 1));
    prefetched = null;
    if ('error' in fetched) {
      // Stopped while a page was in flight: not a failure; the checkpoint resumes it.
      if (signal?.aborted) break;
      listing = await recover(cycle, toProviderError(fetched.error, providerName), listing);
      guard = watchListing(cycle, listing);
      continue;
    }
    const batch = fetched.batch;
    // Before the page is used: a listing that loops or never ends stops here, at its last
    // committed checkpoint, without fetching on or writing what it was sent beyond its bounds.
    // Unchanged ids were listed too: they count toward the listing's size.
    guard.accept(batch.contacts.length + batch.unchanged.length, batch.next_page_token);
    const last = !batch.next_page_token;
    // The next page travels while this one is written: fetching and writing overlap.
    if (!last) prefetched = fetch(batch.next_page_token!, guard.pages + 1);
    // A full listing that began as an incremental one (its cursor expired) lists them here.
    await listGroupsIfNeeded(cycle, listing.kind, batch.contacts);
    const page = await commitPage(
      cycle,
      { listing, batch, pages: guard.pages, items: guard.items, hold },
      skips,
    );
    pages += 1;
    listing = advanceListing(listing, {
      nextPageToken: batch.next_page_token ?? null,
      deletionsRecorded: page.recorded,
    });
    summary = addSummaries(summary, page.result);
    tombstonedUnseen += page.tombstonedUnseen;
    if (page.held !== undefined) hold = page.held;
    if (page.held) {
      logger.warn('contacts_sync_deletions_held', {
        provider: providerName,
        account_id: accountId,
        mode: listing.kind,
        count: page.held.count,
        of: page.held.of,
      });
    }
    if (typeof batch.total === 'number') total = batch.total;
    cycle.onProgress?.({
      mode: listing.kind,
      page: pages,
      summary,
      listed: guard.items,
      ...(total !== undefined ? { total } : {}),
    });
    logger.debug('contacts_sync_page', { provider: providerName, page: pages, ...page.result });
    if (last) {
      completed = true;
      break;
    }
  }
  return { listing, completed, pages, summary, hold, tombstonedUnseen, skips };
}

/** Stops a listing that loops or never ends; a resumed one keeps the pages it already took. */
function watchListing(cycle: CycleContext, listing: ListingState): ListingGuard {
  const limits = cycle.listingLimits;
  const from = listing.resumedFrom;
  return new ListingGuard({
    provider: cycle.providerName,
    listing: `${listing.kind} contacts listing`,
    itemName: 'contacts',
    // An incremental listing may carry each contact twice: once deleted, once new.
    limits:
      listing.kind === 'full' ? limits : { maxPages: limits.maxPages * 2, maxItems: limits.maxItems * 2 },
    resumeToken: from?.pageToken ?? null,
    pagesBefore: from?.pages ?? 0,
    itemsBefore: from?.items ?? 0,
  });
}
