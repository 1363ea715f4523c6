import type { ContactsDatabase } from '@contacts/schema';
import type { BackfillSummary } from '../backfill/summary.js';
import type { ContactsProvider } from '../provider/contacts-provider.js';
import type { ListingLimits } from '../provider/listing-guard.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { CycleTimers } from './call-deadline.js';
import type { DeletionGuard, DeletionHold } from './deletion-guard.js';
import type { LeaseIdentity } from './lease-owner.js';

/** `auto` runs incremental when a cursor exists and full otherwise. */
export type SyncMode = 'auto' | 'incremental' | 'full';

/**
 * Progress after each committed page, for progress bars and logs.
 *
 * @example
 * ```ts
 * const onProgress = (p: SyncProgress) =>
 *   console.log(p.total ? `${p.listed} of ${p.total}` : `page ${p.page}, ${p.summary.fetched} fetched`);
 * ```
 */
export interface SyncProgress {
  mode: 'full' | 'incremental';
  /** Pages this cycle committed. */
  page: number;
  /** This cycle's counts. */
  summary: BackfillSummary;
  /**
   * Contacts the listing handed over so far, with the pages a resumed listing took before this
   * cycle: the "n" of "n of N".
   */
  listed?: number;
  /** Contacts the whole listing holds, when the source says (the "N"); absent otherwise. */
  total?: number;
}

/** Options of {@link runSyncCycle}. */
export interface SyncCycleOptions {
  db: ContactsDatabase;
  butlerSchema: string;
  provider: ContactsProvider;
  accountId: string;
  mode?: SyncMode;
  clock?: Clock;
  logger?: Logger;
  /** Stops after the page in flight has committed; the checkpoint lets the next cycle resume. */
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
  /**
   * Who holds the account's sync lease (default: this machine and pid plus a random id per
   * cycle, which lets a later cycle on this machine take over the lease of a process that died).
   */
  lockOwner?: string;
  /** This process, for judging a lease holder dead (default {@link localLeaseIdentity}). */
  leaseIdentity?: LeaseIdentity;
  /** How long the lease lasts without renewal (default 10 minutes); renewed with every page. */
  lockTtlMs?: number;
  /**
   * Applied to every error message before it is stored as `last_error` (a host passes its secret
   * redactor, so a provider that quotes a token in an error never puts it in the database).
   */
  redact?: (text: string) => string;
  /**
   * How long one provider call (`listGroups`, one page) may take before the cycle aborts its
   * signal and fails with `TEMPORARY`, whether or not the provider stops. Must be shorter than
   * `lockTtlMs`, so the lease never lapses while the cycle waits (default: half of it, 5 minutes).
   */
  callDeadlineMs?: number;
  /** The watchdog's timers (default Node's); tests pass fake ones. */
  timers?: CycleTimers;
  /**
   * Bounds of one contacts listing instead of the provider's own (`provider.listingLimits()`),
   * e.g. tighter ones in a test.
   */
  listingLimits?: Partial<ListingLimits>;
  /** When a listing's deletions are held for a person's confirmation (default `DEFAULT_DELETION_GUARD`: all of them, or over 20% of 25 or more). */
  deletionGuard?: Partial<DeletionGuard>;
  /**
   * A person confirmed the deletions the guard holds (the status shows them): they are applied
   * first, once. Later listings are guarded as before: this is no standing override.
   */
  confirmDeletions?: boolean;
  /**
   * Distinct identity keys above which a page locks the whole identity space instead of its
   * keys (default `DEFAULT_IDENTITY_LOCK_CAP`, 512). Every key is a lock-table entry held to the
   * page's commit: a fleet with many workers lowers it, or raises PostgreSQL's
   * `max_locks_per_transaction` (docs/reliability.md has the arithmetic).
   */
  identityLockCap?: number;
}

/** What one cycle did. `completed` is false when it stopped early (signal) and will resume. */
export interface SyncCycleResult {
  provider: string;
  accountId: string;
  mode: 'full' | 'incremental';
  summary: BackfillSummary;
  pages: number;
  /** The cursor had expired and the cycle fell back to a full sync. */
  cursorExpired: boolean;
  /** Resumed from a checkpoint a crashed or stopped cycle left. */
  resumed: boolean;
  completed: boolean;
  /** Links of this account a completed full sync did not see, now tombstoned. */
  tombstonedUnseen: number;
  /** Held deletions this cycle applied, as confirmed (`confirmDeletions`). */
  confirmedDeletions: number;
  /**
   * Deletions held for a person's confirmation after this cycle (held by it or earlier, and not
   * confirmed), or null: the account's status shows the same.
   */
  deletionHold: DeletionHold | null;
  durationMs: number;
}
