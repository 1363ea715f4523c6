/**
 * Where a cycle's contacts listing stands, and the four ways it moves: a cycle starts a listing
 * (fresh, or resuming a stored checkpoint), may fall back to a full listing (the cursor expired),
 * may restart its listing once (a page token refused), and advances page by page. Each move is a
 * pure function of the state, so what a listing does after each event is read here, not traced
 * through a loop.
 */
import type { Clock } from '../util/clock.js';
import { type Checkpoint, readCheckpoint } from './checkpoint.js';
import type { SyncMode } from './sync-types.js';

/**
 * A full sync resumed later than this after its last committed page does not tombstone what it
 * never saw: a listing whose page tokens are positions skips the contacts that moved across the
 * resume point meanwhile (a deletion before it shifts the rest), and deleting wrongly is worse
 * than deleting late. The next full sync from its first page does it.
 *
 * @example
 * ```ts
 * const resumedSoon = now - Date.parse(checkpoint.savedAt) <= RESUMED_SWEEP_WINDOW_MS;
 * ```
 */
export const RESUMED_SWEEP_WINDOW_MS = 10 * 60_000;

/**
 * One cycle's contacts listing between two pages.
 *
 * @example
 * ```ts
 * const listing: ListingState = startListing({ requested: 'auto', syncCursor: null, checkpoint: null, clock });
 * listing.kind; // 'full': no cursor yet
 * ```
 */
export interface ListingState {
  /** A listing of every contact, or of the changes since `cursor`. */
  kind: 'full' | 'incremental';
  /** The cursor an incremental listing lists changes since (the stored one, kept by a full one). */
  cursor: string | null;
  /** The page to fetch next; null for a listing's first page. */
  pageToken: string | null;
  /** The stored checkpoint this listing resumes, until a page of it commits here. */
  resumedFrom: Checkpoint | null;
  /**
   * A full listing that can prove what it saw when it completes, so it tombstones the links it did
   * not see: it began at its first page, or resumes, within {@link RESUMED_SWEEP_WINDOW_MS} of its
   * last page, one whose committed pages recorded what they saw.
   */
  knowsWhatItSaw: boolean;
  /**
   * The next page is the first of a listing: what an abandoned one recorded is forgotten in its
   * transaction. (A listing that ended or never recorded anything left no rows: a fresh
   * incremental listing only clears when a checkpoint, discarded now, says one may have.)
   */
  startsOver: boolean;
  /** An incremental listing recorded deletions on an earlier page (see `planIncrementalPage`). */
  deletionsRecorded: boolean;
  /** This cycle fell back to a full listing because the cursor expired. */
  cursorExpired: boolean;
  /** This cycle already restarted its listing once: a second refusal is reported, not looped on. */
  restarted: boolean;
}

/**
 * What {@link startListing} starts from: the request and the account's stored sync state.
 *
 * @example
 * ```ts
 * const start: ListingStart = { requested: options.mode ?? 'auto', syncCursor: state.syncCursor, checkpoint: state.checkpoint, clock };
 * ```
 */
export interface ListingStart {
  requested: SyncMode;
  syncCursor: string | null;
  /** The stored checkpoint, as stored (any shape: one this code did not write is ignored). */
  checkpoint: Record<string, unknown> | null;
  /** Read only to judge how old a resumed full listing's last page is. */
  clock: Clock;
}

/**
 * The listing a cycle starts with: the one a stored checkpoint resumes (unless a full sync is
 * requested), else full when requested or when there is no cursor, else incremental.
 *
 * @example
 * ```ts
 * const state = await store.load('google', 'default');
 * const listing = startListing({ requested: 'auto', syncCursor: state.syncCursor, checkpoint: state.checkpoint, clock });
 * ```
 */
export function startListing(start: ListingStart): ListingState {
  const checkpoint = start.requested === 'full' ? null : readCheckpoint(start.checkpoint);
  const kind = checkpoint?.mode ?? (start.requested === 'full' || !start.syncCursor ? 'full' : 'incremental');
  const resumed = checkpoint !== null;
  const resumedSoon =
    checkpoint?.savedAt !== undefined &&
    start.clock.now().getTime() - Date.parse(checkpoint.savedAt) <= RESUMED_SWEEP_WINDOW_MS;
  return {
    kind,
    cursor: checkpoint?.cursor ?? start.syncCursor,
    pageToken: checkpoint?.pageToken ?? null,
    resumedFrom: checkpoint,
    knowsWhatItSaw: kind === 'full' && (!resumed || (checkpoint?.seenRecorded === true && resumedSoon)),
    startsOver: !resumed && (kind === 'full' || start.checkpoint !== null),
    deletionsRecorded: checkpoint?.deletionsRecorded === true,
    cursorExpired: false,
    restarted: false,
  };
}

/**
 * The cursor expired: a full listing from its first page, in the same cycle. It sees every
 * contact, so it may tombstone what it does not see.
 *
 * @example
 * ```ts
 * const full = fallBackToFull(listing); // { kind: 'full', cursor: null, pageToken: null, cursorExpired: true, ... }
 * ```
 */
export function fallBackToFull(listing: ListingState): ListingState {
  return {
    ...listing,
    kind: 'full',
    cursor: null,
    pageToken: null,
    resumedFrom: null,
    knowsWhatItSaw: true,
    startsOver: true,
    deletionsRecorded: false,
    cursorExpired: true,
  };
}

/**
 * A page token was refused (the one a crashed cycle left, or one that died mid-listing): the
 * same listing from its first page. Pages already applied come again unchanged and cost no
 * writes.
 *
 * @example
 * ```ts
 * const again = restartListing(listing); // { pageToken: null, restarted: true, ... }
 * ```
 */
export function restartListing(listing: ListingState): ListingState {
  return {
    ...listing,
    pageToken: null,
    resumedFrom: null,
    knowsWhatItSaw: listing.kind === 'full',
    startsOver: true,
    deletionsRecorded: false,
    restarted: true,
  };
}

/**
 * A page committed: the listing goes on at `nextPageToken` (null after its last page), with what
 * the page recorded.
 *
 * @example
 * ```ts
 * listing = advanceListing(listing, { nextPageToken: batch.next_page_token ?? null, deletionsRecorded: page.recorded });
 * ```
 */
export function advanceListing(
  listing: ListingState,
  page: { nextPageToken: string | null; deletionsRecorded: boolean },
): ListingState {
  return {
    ...listing,
    pageToken: page.nextPageToken,
    resumedFrom: null,
    startsOver: false,
    deletionsRecorded: page.deletionsRecorded,
  };
}
