/**
 * The one step after every sync cycle, for the single-host runtime and the fleet's workers alike:
 * what happened -> the sync policy -> the schedule stored in `contacts_sync_state`.
 */
import { CoreError } from '../errors.js';
import { ProviderError } from '../provider/provider-error.js';
import {
  decideSync,
  type ParkedReason,
  type SyncDecision,
  type SyncOutcome,
  type SyncPolicyState,
  type SyncSchedule,
} from './sync-policy.js';
import type { ContactsSyncStateStore, SyncState } from './sync-state-store.js';

/**
 * The stored schedule and the settings, as the sync policy reads them.
 *
 * @example
 * ```ts
 * const state = syncPolicyState(await store.load('google', 'ada'), schedule);
 * planWake(state, now, { startup: false, triggered: false });
 * ```
 */
export function syncPolicyState(row: SyncState, schedule: SyncSchedule): SyncPolicyState {
  return {
    consecutiveFailures: row.consecutiveFailures,
    lastFullSyncAt: row.lastFullSyncAt,
    nextIncrementalDueAt: row.nextIncrementalDueAt,
    nextFullDueAt: row.nextFullDueAt,
    retryAfter: row.retryAfter,
    parkedReason: row.parkedReason,
    schedule,
  };
}

/**
 * A failed cycle as the sync policy reads it: another process's lease (`SYNC_IN_PROGRESS`) as
 * busy, missing credentials (as the host's `isMissingCredentials` tells) as such, a provider error
 * by its code, and anything else as `TEMPORARY` (a surprise never stops syncing for good).
 *
 * @example
 * ```ts
 * syncOutcomeOf(new ProviderError('RATE_LIMITED', 'slow down', { retryAfterMs: 60_000 }));
 * // { kind: 'failed', code: 'RATE_LIMITED', retryAfterMs: 60000 }
 * ```
 */
export function syncOutcomeOf(
  error: unknown,
  isMissingCredentials: (error: unknown) => boolean = () => false,
): SyncOutcome {
  if (error instanceof CoreError && error.code === 'SYNC_IN_PROGRESS') return { kind: 'busy' };
  if (isMissingCredentials(error)) return { kind: 'no_credentials' };
  if (error instanceof ProviderError) {
    return { kind: 'failed', code: error.code, retryAfterMs: error.retryAfterMs ?? null };
  }
  return { kind: 'failed', code: 'TEMPORARY' };
}

/**
 * Options of {@link recordSyncOutcome}.
 *
 * @example
 * ```ts
 * const options: RecordSyncOutcomeOptions = { store, provider: 'google', accountId: 'ada', outcome: { kind: 'busy' }, schedule, now: new Date() };
 * ```
 */
export interface RecordSyncOutcomeOptions {
  store: ContactsSyncStateStore;
  provider: string;
  accountId: string;
  outcome: SyncOutcome;
  /** The account's schedule settings and the jitter drawn for this decision. */
  schedule: SyncSchedule;
  now: Date;
  /** The stored row, when the caller just read it (else it is loaded). */
  row?: SyncState;
  /** `sync.enabled`; false keeps the account parked `disabled` whatever the policy says (default true). */
  enabled?: boolean;
  /**
   * A fingerprint of the credentials a provider just refused (never the credentials), kept with an
   * auth wait so that only new credentials end it; null when the failure was not a refusal.
   */
  refusedCredentials?: string | null;
}

/**
 * Decides what follows a cycle (`decideSync`) and stores the schedule it decides in
 * `contacts_sync_state` (next incremental and full due times, failures, retry-after, parking),
 * unless the decision is not this process's to store (another process syncs the account, or the
 * cycle stopped between pages). Returns the decision and the row it was decided on.
 *
 * @example
 * ```ts
 * const { decision } = await recordSyncOutcome({ store, provider: 'google', accountId: 'ada', outcome: { kind: 'completed', mode: 'full' }, schedule, now });
 * decision.nextIncrementalDueAt; // now + interval
 * ```
 */
export async function recordSyncOutcome(
  options: RecordSyncOutcomeOptions,
): Promise<{ decision: SyncDecision; row: SyncState }> {
  const { store, provider, accountId, now } = options;
  const row = options.row ?? (await store.load(provider, accountId));
  const decision = decideSync(options.outcome, syncPolicyState(row, options.schedule), now);
  const parkedReason: ParkedReason | null = options.enabled === false ? 'disabled' : decision.parkedReason;
  if (decision.store) {
    await store.save(provider, accountId, {
      nextIncrementalDueAt: decision.nextIncrementalDueAt,
      nextFullDueAt: decision.nextFullDueAt,
      consecutiveFailures: decision.consecutiveFailures,
      retryAfter: decision.retryAfter,
      parkedReason,
      parkedCredentials:
        parkedReason !== 'auth'
          ? null
          : (options.refusedCredentials ??
            // Still parked for the same reason: the refused credentials stay refused.
            (decision.parkedReason === row.parkedReason ? row.parkedCredentials : null)),
    });
  }
  return { decision, row };
}
