/**
 * One page of a listing, committed: its contacts and what the listing records, its sweep or
 * held deletions at the end of a listing, and the checkpoint (or the finished sync state), all in
 * one transaction with the renewal of the lease. A crash resumes after the last committed page.
 */
import type { ContactsDatabase } from '@contacts/schema';
import { storableText } from '../backfill/desired-contact.js';
import type { BackfillSummary } from '../backfill/summary.js';
import { CoreError } from '../errors.js';
import type { ParsedContactBatch } from '../model/contact-batch.js';
import type { Checkpoint } from './checkpoint.js';
import type { CycleContext } from './cycle-context.js';
import type { DeletionHold } from './deletion-guard.js';
import { clearListingIds, recordListingIds, sweepUnseen } from './full-sync-seen.js';
import { clearDeletionHold, planIncrementalPage, saveDeletionHold } from './held-deletions.js';
import type { ListingState } from './listing-state.js';
import type { RetrySkips } from './retry-skips.js';

/**
 * One fetched page, where its listing stands.
 *
 * @example
 * ```ts
 * const page: PageToCommit = { listing, batch, pages: guard.pages, items: guard.items, hold };
 * ```
 */
export interface PageToCommit {
  listing: ListingState;
  batch: ParsedContactBatch;
  /** Pages and contacts the listing took with this one (its checkpoint carries them on). */
  pages: number;
  items: number;
  /** The deletions held for the account before this page (a completed full listing clears them). */
  hold: DeletionHold | null;
}

/**
 * What a committed page did: its summary, the hold it made or cleared (`undefined`: none
 * judged), whether its incremental listing has recorded deletions, and the links a completed full
 * listing tombstoned for not seeing them.
 *
 * @example
 * ```ts
 * const page: CommittedPage = await commitPage(cycle, toCommit, retrySkips);
 * if (page.held) console.warn(`${page.held.count} deletions held`);
 * ```
 */
export interface CommittedPage {
  result: BackfillSummary;
  held: DeletionHold | null | undefined;
  recorded: boolean;
  tombstonedUnseen: number;
}

/**
 * Applies and commits one page. `skips` learns which of the failures it saw (and those the source
 * said were deleted) the retry of earlier failures at the cycle's end must leave alone.
 *
 * @throws CoreError `SYNC_IN_PROGRESS` when the lease expired and another cycle took it: nothing
 *   of the page commits.
 * @example
 * ```ts
 * const page = await commitPage(cycle, { listing, batch, pages: 1, items: batch.contacts.length, hold: null }, skips);
 * ```
 */
export async function commitPage(
  cycle: CycleContext,
  page: PageToCommit,
  skips: RetrySkips,
): Promise<CommittedPage> {
  const { db, engine, scope, logger, providerName, accountId } = cycle;
  const { listing, batch } = page;
  const { kind } = listing;
  const last = !batch.next_page_token;
  if (batch.groups.length > 0) {
    cycle.groups.add(batch.groups);
    engine.setGroups(batch.groups);
  }
  const now = cycle.clock.now();
  const committed = await db.transaction(async (tx) => {
    if (listing.startsOver) await clearListingIds(tx, scope);
    // What the page saw keeps this cycle's own failures out of the retry at its end (and those of
    // contacts deleted at the source); a full sync also records it per page, for the unseen-link
    // check when it completes. Only the page's set: nothing per contact outlives the page.
    const pageSeen = new Set<string>();
    const pageFailed = new Set<string>();
    let held: DeletionHold | null | undefined;
    let contacts: readonly unknown[] = batch.contacts;
    let recorded = listing.deletionsRecorded;
    let tombstonedUnseen = 0;
    if (kind === 'incremental') {
      const plan = await planIncrementalPage(tx, scope, {
        contacts,
        last,
        recorded,
        now,
        guard: cycle.deletionGuard,
      });
      skips.page(plan.deleted);
      ({ contacts, held, recorded } = plan);
    }
    const result = await engine.applyBatchIn(tx, contacts, { seen: pageSeen, failed: pageFailed });
    // Deletions recorded on earlier pages were fetched there; held ones were fetched here.
    result.fetched = batch.contacts.length;
    // Unchanged at the source (the version the links hold): seen, so the sweep spares them, and
    // not written. Ids as the links store them, as the engine records the ones it applies.
    for (const id of batch.unchanged) pageSeen.add(storableText(id));
    result.unchanged = batch.unchanged.length;
    skips.page(pageSeen, pageFailed);
    if (kind === 'full') {
      await recordListingIds(tx, scope, pageSeen);
      if (last && listing.knowsWhatItSaw) {
        // The whole account was judged: its verdict replaces any earlier hold.
        const swept = await sweepUnseen(tx, scope, now, cycle.deletionGuard);
        tombstonedUnseen = swept.tombstoned;
        result.deleted += swept.tombstoned;
        if (swept.held) {
          const { ids, of } = swept.held;
          const count = await saveDeletionHold(tx, scope, { mode: kind, ids, of, listedAt: now }, false);
          held = { mode: kind, count, of, listedAt: now };
        } else {
          if (page.hold) await clearDeletionHold(tx, scope);
          held = null;
        }
      } else if (last) {
        logger.info('contacts_sync_unseen_check_skipped', {
          provider: providerName,
          reason: 'resumed a full sync too late, or one that did not record what it saw',
        });
        await clearListingIds(tx, scope);
      }
    }
    await saveListing(cycle, tx, { ...page, last, recorded, now });
    // Renewed with every page; lost (expired, and taken by another process) means this cycle
    // must stop before its page commits, or two cycles would write one account. Only renewed,
    // never re-taken: once free again, the lease was released by a cycle that ran after this one
    // lost it, and this one's pages and seen ids are stale.
    if (
      !(await cycle.store
        .withDb(tx)
        .renewLease(providerName, accountId, cycle.lease.owner, cycle.lease.ttlMs))
    ) {
      throw new CoreError(
        'SYNC_IN_PROGRESS',
        `The sync lease of ${providerName} (${accountId}) expired and another sync took it; this one stopped without committing its page.`,
      );
    }
    return { result, held, recorded, tombstonedUnseen };
  });
  cycle.groups.saved();
  return committed;
}

/**
 * Saves, in the page's transaction, where the listing stands: the finished sync state after its
 * last page (cursor, times, no error, no checkpoint), else the checkpoint to resume after this one.
 */
async function saveListing(
  cycle: CycleContext,
  tx: ContactsDatabase,
  page: PageToCommit & { last: boolean; recorded: boolean; now: Date },
): Promise<void> {
  const { listing, batch, now } = page;
  const { kind, cursor } = listing;
  const txStore = cycle.store.withDb(tx);
  // Groups listed (or sent with a page) since the last commit go with this one's save.
  const groups = cycle.groups.toSave();
  if (page.last) {
    await txStore.save(cycle.providerName, cycle.accountId, {
      groups,
      syncCursor: batch.next_sync_cursor ?? (kind === 'incremental' ? cursor : null),
      ...(kind === 'full' ? { cursorIssuedAt: now, lastFullSyncAt: now } : { lastIncrementalSyncAt: now }),
      lastSuccessAt: now,
      lastError: null,
      lastErrorCode: null,
      checkpoint: null,
    });
    return;
  }
  const next: Checkpoint = {
    mode: kind,
    pageToken: batch.next_page_token!,
    cursor,
    provider: batch.checkpoint ?? null,
    pages: page.pages,
    items: page.items,
    ...(page.recorded ? { deletionsRecorded: true } : {}),
    ...(kind === 'full' ? { seenRecorded: listing.knowsWhatItSaw, savedAt: now.toISOString() } : {}),
  };
  await txStore.save(cycle.providerName, cycle.accountId, { checkpoint: { ...next }, groups });
}
