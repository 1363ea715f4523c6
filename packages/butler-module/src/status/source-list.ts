import { ContactsSyncStateStore, PROVIDER_ERROR_CODES, SYNC_POLICY, type SyncState } from '@contacts/core';
import { currentRuntimeError } from '../runtime/runtime-types.js';
import type { ContactsSyncRuntime } from '../runtime/sync-runtime.js';
import { type HeldDeletionsReport, heldDeletionsReport } from './held-deletions.js';
import { iso, type ReadSyncStatusOptions } from './sync-status.js';

/**
 * The health of one source account, as `contacts_source_list` reports it.
 *
 * @example
 * ```ts
 * const needsPerson = (s: SourceStatus) => s === 'auth_error';
 * ```
 */
export type SourceStatus =
  | 'active'
  | 'error'
  | 'auth_error'
  | 'deletions_held'
  | 'never_synced'
  | 'sync_disabled';

/**
 * One connected source account.
 *
 * @example
 * ```ts
 * const [source]: SourceReport[] = await listSources(options); // { provider: 'google', status: 'active', ... }
 * ```
 */
export interface SourceReport {
  provider: string;
  account_id: string;
  sync_enabled: boolean;
  status: SourceStatus;
  last_success_at: string | null;
  last_error: string | null;
  /** Deletions held for a person's confirmation (the deletion guard), or null. */
  held_deletions: HeldDeletionsReport | null;
}

/**
 * What {@link listSources} reads from: the account this butler syncs, as for `readSyncStatus`,
 * and an optional filter.
 *
 * @example
 * ```ts
 * const options: ListSourcesOptions = { db, butlerSchema, provider: 'google', accountId: 'default', syncEnabled: true, clock: systemClock };
 * ```
 */
export interface ListSourcesOptions extends ReadSyncStatusOptions {
  /** Only sources of this provider. */
  filter?: string;
  /** Only sources of this account id. */
  accountFilter?: string;
  /** Every source this butler syncs, first to last (default: the one account of the options). */
  configured?: readonly ConfiguredSourceStatus[];
}

/**
 * One source this butler syncs, for {@link listSources}.
 *
 * @example
 * ```ts
 * const source: ConfiguredSourceStatus = { provider: 'google', accountId: 'work', syncEnabled: true, runtime };
 * ```
 */
export interface ConfiguredSourceStatus {
  provider: string;
  accountId: string;
  syncEnabled: boolean;
  runtime?: ContactsSyncRuntime | null;
}

function statusOf(state: SyncState, syncEnabled: boolean, runtime: ContactsSyncRuntime | null | undefined) {
  if (!syncEnabled) return 'sync_disabled' as const;
  const live = runtime?.status();
  if (live?.state === 'auth_error') return 'auth_error' as const;
  if (currentRuntimeError(live?.lastError, state.lastSuccessAt)) return 'error' as const;
  // Stored by whichever process met it: after a restart, or in another process, an auth error
  // still reads as one (the sync policy says which codes are), and so does a parked auth wait.
  if (state.parkedReason === 'auth') return 'auth_error' as const;
  if (state.lastError) return storedErrorStatus(state.lastErrorCode);
  // Syncing, but a person must confirm (or disprove) deletions the guard held.
  if (state.deletionHold) return 'deletions_held' as const;
  return state.lastSuccessAt ? ('active' as const) : ('never_synced' as const);
}

/** The status a stored error code shows, as the sync policy's table says; `error` for any other. */
function storedErrorStatus(code: string | null): 'error' | 'auth_error' {
  const known = PROVIDER_ERROR_CODES.find((c) => c === code);
  return known ? SYNC_POLICY[known].sourceStatus : 'error';
}

/**
 * The configured accounts first, in order (even before their first sync), then every other account with
 * stored state in this butler schema; those are not synced by this butler, so `sync_disabled`.
 *
 * @example
 * ```ts
 * const sources = await listSources({ db, butlerSchema, provider: 'google', accountId: 'default', syncEnabled: true, runtime, clock });
 * sources[0]?.status; // 'active'
 * ```
 */
export async function listSources(options: ListSourcesOptions): Promise<SourceReport[]> {
  const store = new ContactsSyncStateStore({
    db: options.db,
    butlerSchema: options.butlerSchema,
    clock: options.clock,
  });
  const states = (await store.list(options.filter ? { provider: options.filter } : {})).filter(
    (s) => options.accountFilter === undefined || s.accountId === options.accountFilter,
  );
  const configured = (
    options.configured ?? [
      {
        provider: options.provider,
        accountId: options.accountId,
        syncEnabled: options.syncEnabled,
        runtime: options.runtime,
      },
    ]
  ).filter(
    (c) =>
      (!options.filter || c.provider === options.filter) &&
      (options.accountFilter === undefined || c.accountId === options.accountFilter),
  );
  const isOurs = (s: { provider: string; accountId: string }) =>
    configured.some((c) => s.provider === c.provider && s.accountId === c.accountId);
  const reports: SourceReport[] = [];
  for (const source of configured) {
    const ours =
      states.find((s) => s.provider === source.provider && s.accountId === source.accountId) ??
      (await store.load(source.provider, source.accountId));
    const live = source.runtime?.status();
    reports.push({
      provider: source.provider,
      account_id: source.accountId,
      sync_enabled: source.syncEnabled,
      status: statusOf(ours, source.syncEnabled, source.runtime),
      last_success_at: iso(ours.lastSuccessAt),
      last_error: currentRuntimeError(live?.lastError, ours.lastSuccessAt)?.message ?? ours.lastError,
      held_deletions: heldDeletionsReport(ours.deletionHold, ours.provider, ours.accountId),
    });
  }
  for (const state of states) {
    if (isOurs(state)) continue;
    reports.push({
      provider: state.provider,
      account_id: state.accountId,
      sync_enabled: false,
      status: 'sync_disabled',
      last_success_at: iso(state.lastSuccessAt),
      last_error: state.lastError,
      held_deletions: heldDeletionsReport(state.deletionHold, state.provider, state.accountId),
    });
  }
  return reports;
}
