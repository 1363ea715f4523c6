import type { Clock, ContactsConfig, Logger, SyncCycleResult, SyncProgress } from '@contacts/core';
import type { ContactsDatabase } from '@contacts/schema';
import type { BackoffPolicy } from './backoff.js';
import type { ProviderSource } from './provider-source.js';
import type { Timers } from './timers.js';

/**
 * What the runtime is doing: `idle` waits for the next interval, `backoff` waits after a failure,
 * `auth_error` waits for new credentials (or a reconcile), `stopped` before `start()` and after `stop()`.
 *
 * @example
 * ```ts
 * if (runtime.status().state === 'auth_error') notify('Reconnect Google in the dashboard');
 * ```
 */
export type RuntimeState = 'stopped' | 'idle' | 'syncing' | 'backoff' | 'auth_error';

/**
 * The last failure the runtime saw: `code` from the error (`AUTH_FAILED`, `TEMPORARY`, ...).
 *
 * @example
 * ```ts
 * const info: RuntimeErrorInfo | null = runtime.status().lastError; // { code: 'RATE_LIMITED', message, at }
 * ```
 */
export interface RuntimeErrorInfo {
  code: string;
  message: string;
  at: Date;
}

/**
 * The runtime's last error while it is newer than the last success in the database: a success
 * of another process (the `contacts sync` command, another host) since makes it history.
 *
 * @example
 * ```ts
 * const error = currentRuntimeError(runtime.status().lastError, state.lastSuccessAt);
 * ```
 */
export function currentRuntimeError(
  error: RuntimeErrorInfo | null | undefined,
  lastSuccessAt: Date | null,
): RuntimeErrorInfo | null {
  if (!error) return null;
  return !lastSuccessAt || error.at > lastSuccessAt ? error : null;
}

/**
 * A snapshot of the runtime, for status tools and logs.
 *
 * @example
 * ```ts
 * const { state, running, nextRunAt } = runtime.status();
 * ```
 */
export interface SyncRuntimeStatus {
  provider: string;
  accountId: string;
  state: RuntimeState;
  /** A sync cycle is in flight in this process. */
  running: boolean;
  /** Failures since the last completed sync. */
  consecutiveFailures: number;
  /** When the poller wakes next; null while syncing or stopped. */
  nextRunAt: Date | null;
  /** The source asked not to be called before this instant (rate limit). */
  retryAfterUntil: Date | null;
  lastError: RuntimeErrorInfo | null;
  lastResult: SyncCycleResult | null;
}

/**
 * Options of {@link ContactsSyncRuntime.syncNow}.
 *
 * @example
 * ```ts
 * await runtime.syncNow({ mode: 'full', onProgress: (p) => console.error(`page ${p.page}`) });
 * await runtime.syncNow({ confirmDeletions: true }); // apply the deletions the status shows held
 * ```
 */
export interface SyncNowOptions {
  /** `auto` (default) and `incremental` sync changes, or everything when there is no cursor yet. */
  mode?: 'auto' | 'incremental' | 'full';
  /** Called after each committed page of the cycle that serves this request. */
  onProgress?: (progress: SyncProgress) => void;
  /**
   * A person confirmed the deletions the deletion guard holds (the status shows them): the cycle
   * that serves this request applies them first. Only those: later listings are guarded again.
   */
  confirmDeletions?: boolean;
}

/**
 * Options of {@link ContactsSyncRuntime}.
 *
 * @example
 * ```ts
 * const options: ContactsSyncRuntimeOptions = {
 *   db, butlerSchema: 'relationship', config: parseContactsConfig({ provider: 'google' }),
 *   providers: fixedProviderSource(provider), logger,
 * };
 * ```
 */
export interface ContactsSyncRuntimeOptions {
  db: ContactsDatabase;
  butlerSchema: string;
  /** The parsed `[modules.contacts]`: provider, account and the `sync` schedule. */
  config: ContactsConfig;
  providers: ProviderSource;
  logger?: Logger;
  clock?: Clock;
  timers?: Timers;
  backoff?: Partial<BackoffPolicy>;
  /** Jitter source in [0, 1) (default `Math.random`). */
  random?: () => number;
  /** How often to look for new credentials while in `auth_error` (default 60 000 ms). */
  credentialCheckMs?: number;
  /** The cross-process sync lease's lifetime without renewal (default: the core's 10 minutes). */
  lockTtlMs?: number;
  /** The deadline of one provider call, shorter than `lockTtlMs` (default: the core's, half of it). */
  callDeadlineMs?: number;
  /** Applied to error messages before they are stored as `last_error` (the module's secret redactor). */
  redact?: (text: string) => string;
}
