import {
  type Clock,
  ContactsSyncStateStore,
  holderIsDeadHere,
  type LeaseIdentity,
  localLeaseIdentity,
  type ParkedReason,
} from '@contacts/core';
import type { ContactsDatabase } from '@contacts/schema';
import { currentRuntimeError } from '../runtime/runtime-types.js';
import type { ContactsSyncRuntime } from '../runtime/sync-runtime.js';
import { type HeldDeletionsReport, heldDeletionsReport } from './held-deletions.js';

/**
 * The sync status of one account: what `contacts_sync_status` returns and `contacts status` prints.
 * Timestamps are ISO 8601 strings; `running` covers this process and any other holding the account's lease.
 *
 * @example
 * ```ts
 * const report: SyncStatusReport = await readSyncStatus(options);
 * if (!report.cursor_present) console.log('the next sync is a full one');
 * ```
 */
export interface SyncStatusReport {
  provider: string;
  account_id: string;
  sync_enabled: boolean;
  running: boolean;
  cursor_present: boolean;
  cursor_age_seconds: number | null;
  cursor_issued_at: string | null;
  last_full_sync_at: string | null;
  last_incremental_sync_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
  contact_count: number;
  failed_contacts: number;
  /** Deletions held for a person's confirmation (the deletion guard), or null. */
  held_deletions: HeldDeletionsReport | null;
  /**
   * When the account is next due to sync, from the stored schedule (a retry while backing off);
   * null while parked (waiting for credentials) or before the first scheduled sync.
   */
  next_sync_at: string | null;
  /** When the next forced full sync is due, from the stored schedule; null before the first. */
  next_full_sync_at: string | null;
  /** The source asked for no request before this instant (a rate limit), or null. */
  retry_after: string | null;
  /** Failed syncs since the last one that completed. */
  consecutive_failures: number;
  /** Why nothing is scheduled: `auth` (waiting for new credentials), `disabled`, or null. */
  parked_reason: ParkedReason | null;
}

/**
 * What {@link readSyncStatus} reads from.
 *
 * @example
 * ```ts
 * const options: ReadSyncStatusOptions = { db, butlerSchema, provider: 'google', accountId: 'default', syncEnabled: true, clock: systemClock };
 * ```
 */
export interface ReadSyncStatusOptions {
  db: ContactsDatabase;
  butlerSchema: string;
  /** The account this butler syncs. */
  provider: string;
  accountId: string;
  syncEnabled: boolean;
  /** This process's runtime, when one runs: adds in-flight and not-yet-stored failures. */
  runtime?: ContactsSyncRuntime | null;
  clock: Clock;
  /** This process, for telling that a lease holder died (default: the real one). */
  leaseIdentity?: LeaseIdentity;
}

/** An ISO 8601 string, or null. */
export const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

/**
 * Reads the account's stored state, lease and counts, and merges in what this process's runtime knows.
 *
 * @example
 * ```ts
 * const report = await readSyncStatus({ db, butlerSchema, provider: 'google', accountId: 'default', syncEnabled: true, clock });
 * report.cursor_age_seconds; // 5400
 * ```
 */
export async function readSyncStatus(options: ReadSyncStatusOptions): Promise<SyncStatusReport> {
  const { provider, accountId, clock } = options;
  const store = new ContactsSyncStateStore({ db: options.db, butlerSchema: options.butlerSchema, clock });
  const [state, holder] = await Promise.all([
    store.load(provider, accountId),
    store.leaseHolder(provider, accountId),
  ]);
  const live = options.runtime?.status();
  const now = clock.now().getTime();
  return {
    provider,
    account_id: accountId,
    sync_enabled: options.syncEnabled,
    // A lease left by a process of this machine that was killed is no sync running: the next
    // cycle takes it over at once.
    running:
      Boolean(live?.running) ||
      (holder !== null && !holderIsDeadHere(holder, options.leaseIdentity ?? localLeaseIdentity())),
    cursor_present: state.syncCursor !== null,
    cursor_age_seconds:
      state.syncCursor && state.cursorIssuedAt
        ? Math.max(0, Math.floor((now - state.cursorIssuedAt.getTime()) / 1000))
        : null,
    cursor_issued_at: iso(state.cursorIssuedAt),
    last_full_sync_at: iso(state.lastFullSyncAt),
    last_incremental_sync_at: iso(state.lastIncrementalSyncAt),
    last_success_at: iso(state.lastSuccessAt),
    // The runtime's error is the newer one (credential failures never reach the state table).
    last_error: currentRuntimeError(live?.lastError, state.lastSuccessAt)?.message ?? state.lastError,
    contact_count: state.contactCount,
    failed_contacts: state.failedContacts,
    held_deletions: heldDeletionsReport(state.deletionHold, provider, accountId),
    // The schedule every process reads (core's sync policy decides it).
    // Before its first cycle stored one, this process's runtime knows when it wakes.
    next_sync_at: state.parkedReason
      ? null
      : iso(laterOf(state.nextIncrementalDueAt, state.retryAfter) ?? live?.nextRunAt ?? null),
    next_full_sync_at: iso(state.nextFullDueAt),
    retry_after: iso(state.retryAfter),
    consecutive_failures: state.consecutiveFailures,
    parked_reason: state.parkedReason,
  };
}

function laterOf(a: Date | null, b: Date | null): Date | null {
  if (!a || !b) return a ?? b;
  return a > b ? a : b;
}
