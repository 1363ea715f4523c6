import type { ContactsDatabase } from '@contacts/schema';
import type { BackfillSummary } from '../backfill/summary.js';
import type { ContactsProvider } from '../provider/contacts-provider.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { LeaseIdentity } from './lease-owner.js';

/** `auto` runs incremental when a cursor exists and full otherwise. */
export type SyncMode = 'auto' | 'incremental' | 'full';

/** Progress after each committed page, for progress bars and logs. */
export interface SyncProgress {
  mode: 'full' | 'incremental';
  page: number;
  summary: BackfillSummary;
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
  durationMs: number;
}
