import { PROVIDER_ERROR_CODES, type ProviderErrorCode } from '../provider/provider-error.js';
import { type BackoffPolicy, backoffDelay } from './backoff.js';

/**
 * What a cycle does when a page of a listing fails with a code: `full_sync_now` drops the cursor
 * and lists everything at once (an incremental listing only), `restart_listing` asks for the
 * listing's first page again (a page that carried a page token, once per cycle), `end_cycle`
 * stops the cycle with the error.
 *
 * @example
 * ```ts
 * const action: ListingAction = SYNC_POLICY.PAGE_TOKEN_REFUSED.inListing; // 'restart_listing'
 * ```
 */
export type ListingAction = 'full_sync_now' | 'restart_listing' | 'end_cycle';

/**
 * What the schedule does when a cycle ends with a code: `back_off` retries after the exponential
 * backoff (at least a source's retry-after), `back_off_long` records the error and retries only
 * after the longest backoff (a request that can never work as made), `wait_for_credentials` parks
 * the account until its credentials change or a person asks for a sync.
 *
 * @example
 * ```ts
 * const after: AfterCycleAction = SYNC_POLICY.AUTH_FAILED.afterCycle; // 'wait_for_credentials'
 * ```
 */
export type AfterCycleAction = 'back_off' | 'back_off_long' | 'wait_for_credentials';

/**
 * One row of {@link SYNC_POLICY}: what one provider error code makes the engine do. The columns
 * of the table in docs/providers.md, in this order (a test holds the two equal).
 *
 * @example
 * ```ts
 * const row: CodePolicy = SYNC_POLICY.RATE_LIMITED;
 * row.afterCycle; // 'back_off'
 * ```
 */
export interface CodePolicy {
  /** When a provider throws it. */
  when: string;
  /** What the cycle does when a page of a listing fails with it. */
  inListing: ListingAction;
  /** What the schedule does when a cycle ends with it. */
  afterCycle: AfterCycleAction;
  /** Whether a later attempt may succeed without a person acting (`ProviderError.retryable`). */
  retryable: boolean;
  /** The status `contacts_source_list` shows while it is the account's last error. */
  sourceStatus: 'error' | 'auth_error';
  /** The exit code of `contacts sync` when the sync ends with it. */
  exitCode: 1 | 2;
  /** The sentence a person reads: what happens next. */
  does: string;
}

/**
 * The sync policy's table: what each provider error code makes the engine do. The cycle, the
 * runtime, the tools' error texts, the source status and the `contacts` command's exit codes read
 * it; docs/providers.md shows it (and a test holds that table equal to this one).
 *
 * @example
 * ```ts
 * if (SYNC_POLICY[error.code].afterCycle === 'wait_for_credentials') notify('Re-authorise');
 * ```
 */
export const SYNC_POLICY: Readonly<Record<ProviderErrorCode, CodePolicy>> = {
  CURSOR_EXPIRED: {
    when: 'the source no longer accepts the sync cursor',
    inListing: 'full_sync_now',
    afterCycle: 'back_off',
    retryable: true,
    sourceStatus: 'error',
    exitCode: 1,
    does: 'drops the cursor and runs a full sync at once, in the same cycle',
  },
  PAGE_TOKEN_REFUSED: {
    when: 'the source refused a page token mid-listing',
    inListing: 'restart_listing',
    afterCycle: 'back_off',
    retryable: true,
    sourceStatus: 'error',
    exitCode: 1,
    does: 'starts the listing over from its first page, once per cycle; refused again, it backs off and retries',
  },
  AUTH_FAILED: {
    when: 'credentials refused',
    inListing: 'end_cycle',
    afterCycle: 'wait_for_credentials',
    retryable: false,
    sourceStatus: 'auth_error',
    exitCode: 1,
    does: 'stops and waits for new credentials (or a sync a person asks for); the status says auth_error',
  },
  RATE_LIMITED: {
    when: 'quota; pass retryAfterMs',
    inListing: 'end_cycle',
    afterCycle: 'back_off',
    retryable: true,
    sourceStatus: 'error',
    exitCode: 1,
    does: 'backs off at least retryAfterMs; no sync of the account starts before then',
  },
  TEMPORARY: {
    when: '5xx, network, anything unexpected',
    inListing: 'end_cycle',
    afterCycle: 'back_off',
    retryable: true,
    sourceStatus: 'error',
    exitCode: 1,
    does: 'backs off (30 s, doubling up to 1 h) and retries',
  },
  PERMANENT: {
    when: 'the request can never work as made',
    // A provider written before PAGE_TOKEN_REFUSED existed said a refused page token with
    // PERMANENT: a page that carried a page token still restarts its listing once.
    inListing: 'restart_listing',
    afterCycle: 'back_off_long',
    retryable: false,
    sourceStatus: 'error',
    exitCode: 1,
    does: 'records the error and retries only after the longest backoff (1 h), or when a person asks for a sync',
  },
  NOT_SUPPORTED: {
    when: 'the operation does not exist here',
    inListing: 'end_cycle',
    afterCycle: 'back_off_long',
    retryable: false,
    sourceStatus: 'error',
    exitCode: 1,
    does: 'records the error and retries only after the longest backoff (1 h), or when a person asks for a sync',
  },
};

/**
 * Why an account is parked (not polled): `auth` until its credentials change or a person asks
 * for a sync, `disabled` while `sync.enabled = false`.
 *
 * @example
 * ```ts
 * const reason: ParkedReason = 'auth';
 * ```
 */
export type ParkedReason = 'auth' | 'disabled';

/**
 * The parked reasons, as `contacts_sync_state.parked_reason` accepts them.
 *
 * @example
 * ```ts
 * PARKED_REASONS.includes('auth'); // true
 * ```
 */
export const PARKED_REASONS: readonly ParkedReason[] = ['auth', 'disabled'];

/**
 * Where in a listing a page failed: the cycle asks the policy whether to go on.
 *
 * @example
 * ```ts
 * const at: ListingPosition = { mode: 'full', pageToken: true, restarted: false };
 * ```
 */
export interface ListingPosition {
  mode: 'full' | 'incremental';
  /** The failed call carried a page token (it was not the listing's first page). */
  pageToken: boolean;
  /** The listing already started over once in this cycle. */
  restarted: boolean;
}

/**
 * What happened: a cycle completed, stopped between pages, was refused because another process
 * syncs the account, could not start for want of credentials, is disabled, or failed with a
 * provider error code (`during` set: a page of a listing failed and the cycle asks what to do).
 *
 * @example
 * ```ts
 * const outcome: SyncOutcome = { kind: 'failed', code: 'RATE_LIMITED', retryAfterMs: 60_000 };
 * ```
 */
export type SyncOutcome =
  | { kind: 'completed'; mode: 'full' | 'incremental' }
  | { kind: 'stopped' }
  | { kind: 'busy' }
  | { kind: 'no_credentials' }
  | { kind: 'disabled' }
  | { kind: 'failed'; code: ProviderErrorCode; retryAfterMs?: number | null; during?: ListingPosition };

/**
 * The schedule settings: `[modules.contacts.sync]` and the backoff, plus the jitter drawn for
 * this decision (a number in [0, 1), so the decision stays a pure function).
 *
 * @example
 * ```ts
 * const schedule: SyncSchedule = { intervalMs: 15 * 60_000, fullIntervalMs: 6 * 86_400_000, backoff: DEFAULT_BACKOFF, jitter: 0 };
 * ```
 */
export interface SyncSchedule {
  intervalMs: number;
  fullIntervalMs: number;
  backoff: BackoffPolicy;
  jitter: number;
}

/**
 * The account's schedule as `contacts_sync_state` holds it, and the settings to decide with.
 *
 * @example
 * ```ts
 * const state: SyncPolicyState = { consecutiveFailures: 0, lastFullSyncAt: null, nextFullDueAt: null, nextIncrementalDueAt: null, retryAfter: null, parkedReason: null, schedule };
 * ```
 */
export interface SyncPolicyState {
  consecutiveFailures: number;
  lastFullSyncAt: Date | null;
  nextIncrementalDueAt: Date | null;
  nextFullDueAt: Date | null;
  retryAfter: Date | null;
  parkedReason: ParkedReason | null;
  schedule: SyncSchedule;
}

/**
 * What the engine does next.
 *
 * @example
 * ```ts
 * const action: SyncAction = decideSync(outcome, state, now).action; // 'back_off'
 * ```
 */
export type SyncAction =
  | 'done'
  | 'full_sync_now'
  | 'restart_listing'
  | 'back_off'
  | 'wait_for_credentials'
  | 'busy_elsewhere'
  | 'parked_disabled'
  | 'stopped';

/**
 * The policy's answer: the action, and the account's schedule after it (what the runtime stores
 * in `contacts_sync_state` when `store` is true).
 *
 * @example
 * ```ts
 * const d: SyncDecision = decideSync({ kind: 'failed', code: 'TEMPORARY' }, state, now);
 * d.until; // now + 30 s: the next attempt
 * ```
 */
export interface SyncDecision {
  action: SyncAction;
  /** When this process tries again (null: when credentials change, or never while disabled). */
  until: Date | null;
  nextIncrementalDueAt: Date | null;
  nextFullDueAt: Date | null;
  consecutiveFailures: number;
  retryAfter: Date | null;
  parkedReason: ParkedReason | null;
  /**
   * Whether the schedule is this process's to store: false while another process syncs the
   * account (its outcome stands), when a cycle stopped between pages, and mid-listing.
   */
  store: boolean;
}

const later = (now: Date, ms: number): Date => new Date(now.getTime() + ms);

/**
 * When the next full sync is due: the earlier of the stored due time and `full_sync_interval_days`
 * after the last one (a shortened interval applies at once); null when none ever completed.
 *
 * @example
 * ```ts
 * fullSyncDueAt(state); // lastFullSyncAt + 6 days
 * ```
 */
export function fullSyncDueAt(state: SyncPolicyState): Date | null {
  const derived = state.lastFullSyncAt ? later(state.lastFullSyncAt, state.schedule.fullIntervalMs) : null;
  if (!derived || !state.nextFullDueAt) return derived ?? state.nextFullDueAt;
  // Dates, not numbers: Math.min would turn them into milliseconds.
  // biome-ignore lint/complexity/useMathMinMax: compares two Date objects
  return derived < state.nextFullDueAt ? derived : state.nextFullDueAt;
}

/**
 * The sync policy: from what happened and the account's schedule, what the engine does next and
 * the schedule after it. Pure: the time and the jitter come in.
 *
 * - a completed cycle is `done`: failures reset, next incremental one interval on, next full
 *   `full_sync_interval_days` after a full one (else unchanged);
 * - a failed page mid-listing: `full_sync_now` or `restart_listing` as {@link SYNC_POLICY} says,
 *   when the position allows (an incremental listing; a page token, once per cycle), else the
 *   cycle ends with the error;
 * - a failed cycle: `back_off` (exponential, at least the source's retry-after; the longest
 *   backoff for a request that can never work) or `wait_for_credentials` (parked `auth`);
 * - no credentials: `wait_for_credentials`; disabled: `parked_disabled`;
 * - another process's cycle: `busy_elsewhere`, try again one interval on (or after the current
 *   backoff), storing nothing; a cycle stopped between pages: `stopped`, storing nothing.
 *
 * @example
 * ```ts
 * const d = decideSync({ kind: 'failed', code: 'RATE_LIMITED', retryAfterMs: 600_000 }, state, now);
 * // { action: 'back_off', until: now + 10 min, retryAfter: now + 10 min, consecutiveFailures: 1, ... }
 * ```
 */
export function decideSync(outcome: SyncOutcome, state: SyncPolicyState, now: Date): SyncDecision {
  const { schedule } = state;
  const keep: SyncDecision = {
    action: 'stopped',
    until: state.nextIncrementalDueAt,
    nextIncrementalDueAt: state.nextIncrementalDueAt,
    nextFullDueAt: state.nextFullDueAt,
    consecutiveFailures: state.consecutiveFailures,
    retryAfter: state.retryAfter,
    parkedReason: state.parkedReason,
    store: false,
  };
  switch (outcome.kind) {
    case 'completed': {
      const nextIncrementalDueAt = later(now, schedule.intervalMs);
      return {
        action: 'done',
        until: nextIncrementalDueAt,
        nextIncrementalDueAt,
        nextFullDueAt: outcome.mode === 'full' ? later(now, schedule.fullIntervalMs) : fullSyncDueAt(state),
        consecutiveFailures: 0,
        retryAfter: null,
        parkedReason: null,
        store: true,
      };
    }
    case 'stopped':
      return keep;
    case 'busy': {
      // The plain interval, never "when the full sync is due": an overdue full sync of a busy
      // account would otherwise be polled in a tight loop.
      const wait =
        state.consecutiveFailures > 0
          ? backoffDelay(state.consecutiveFailures, schedule.backoff, () => schedule.jitter)
          : schedule.intervalMs;
      return { ...keep, action: 'busy_elsewhere', until: later(now, wait) };
    }
    case 'no_credentials':
      return parked(state, 'auth');
    case 'disabled':
      return { ...parked(state, 'disabled'), action: 'parked_disabled' };
    case 'failed': {
      const row = SYNC_POLICY[outcome.code];
      const inListing = outcome.during ? listingAction(outcome.code, outcome.during) : 'end_cycle';
      if (inListing !== 'end_cycle') return { ...keep, action: inListing, until: now };
      if (row.afterCycle === 'wait_for_credentials') return parked(state, 'auth');
      const failures = state.consecutiveFailures + 1;
      let delay =
        row.afterCycle === 'back_off_long'
          ? schedule.backoff.maxMs
          : backoffDelay(failures, schedule.backoff, () => schedule.jitter);
      const asked = outcome.retryAfterMs && outcome.retryAfterMs > 0 ? outcome.retryAfterMs : null;
      if (asked) delay = Math.max(delay, asked);
      const until = later(now, delay);
      return {
        action: 'back_off',
        until,
        nextIncrementalDueAt: until,
        nextFullDueAt: fullSyncDueAt(state),
        consecutiveFailures: failures,
        retryAfter: asked ? later(now, asked) : null,
        parkedReason: null,
        store: true,
      };
    }
  }
}

/**
 * What a cycle does when a page of its listing fails with `code` at `at`: the table's
 * `inListing`, when the position allows it (a full sync replaces an incremental listing only; a
 * listing starts over when the failed page carried a page token, once per cycle), else `end_cycle`.
 *
 * @example
 * ```ts
 * listingAction('PAGE_TOKEN_REFUSED', { mode: 'full', pageToken: true, restarted: false }); // 'restart_listing'
 * listingAction('PAGE_TOKEN_REFUSED', { mode: 'full', pageToken: true, restarted: true }); // 'end_cycle'
 * ```
 */
export function listingAction(code: ProviderErrorCode, at: ListingPosition): ListingAction {
  const action = SYNC_POLICY[code].inListing;
  if (action === 'full_sync_now' && at.mode === 'incremental') return action;
  if (action === 'restart_listing' && at.pageToken && !at.restarted) return action;
  return 'end_cycle';
}

function parked(state: SyncPolicyState, reason: ParkedReason): SyncDecision {
  return {
    action: 'wait_for_credentials',
    until: null,
    nextIncrementalDueAt: null,
    nextFullDueAt: fullSyncDueAt(state),
    consecutiveFailures: state.consecutiveFailures,
    retryAfter: state.retryAfter,
    parkedReason: reason,
    store: true,
  };
}

/**
 * What a poller does when it wakes: sync (`full` when a full sync is due, else `auto`), sleep
 * until the stored schedule says (a backoff, a source's retry-after, or another process synced
 * meanwhile), or check for new credentials (parked `auth`). `startup` syncs at once unless a
 * backoff or retry-after holds (`run_on_startup`); `triggered` (a person asked) skips the backoff
 * and the credential wait, never a source's retry-after.
 *
 * @example
 * ```ts
 * const wake = planWake(state, now, { startup: true, triggered: false });
 * if (wake.kind === 'sleep') setTimeout(poll, wake.until.getTime() - now.getTime());
 * ```
 */
export function planWake(
  state: SyncPolicyState,
  now: Date,
  reason: { startup: boolean; triggered: boolean },
): { kind: 'sync'; mode: 'full' | 'auto' } | { kind: 'sleep'; until: Date } | { kind: 'check_credentials' } {
  if (state.retryAfter && state.retryAfter > now) return { kind: 'sleep', until: state.retryAfter };
  const full = fullSyncDueAt(state);
  const fullDue = !full || full <= now;
  if (!reason.triggered) {
    if (state.parkedReason === 'auth') return { kind: 'check_credentials' };
    const due = state.nextIncrementalDueAt;
    // A backoff holds even at startup; otherwise a sync that another process ran meanwhile
    // moved the next one on (a due full sync never waits for it).
    if (due && due > now && state.consecutiveFailures > 0) return { kind: 'sleep', until: due };
    if (due && due > now && !reason.startup && !fullDue) {
      return { kind: 'sleep', until: full && full < due ? full : due };
    }
  }
  return { kind: 'sync', mode: fullDue ? 'full' : 'auto' };
}

/**
 * The table of docs/providers.md, "what each code makes the engine do", rendered from
 * {@link SYNC_POLICY}.
 *
 * @example
 * ```ts
 * console.log(syncPolicyMarkdown()); // | code | when | in a listing | after the cycle | ...
 * ```
 */
export function syncPolicyMarkdown(): string {
  const header = SYNC_POLICY_COLUMNS;
  const rows = PROVIDER_ERROR_CODES.map((code) => syncPolicyRow(code));
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/**
 * The headers of the docs table, in order.
 *
 * @example
 * ```ts
 * SYNC_POLICY_COLUMNS[0]; // 'code'
 * ```
 */
export const SYNC_POLICY_COLUMNS = [
  'code',
  'when',
  'in a listing',
  'after the cycle',
  'retryable',
  'source status',
  'exit code',
  'what the engine does',
] as const;

/**
 * One code's row of the docs table, as its cells' text.
 *
 * @example
 * ```ts
 * syncPolicyRow('TEMPORARY'); // ['`TEMPORARY`', '5xx, network, anything unexpected', '`end_cycle`', ...]
 * ```
 */
export function syncPolicyRow(code: ProviderErrorCode): string[] {
  const row = SYNC_POLICY[code];
  return [
    `\`${code}\``,
    row.when,
    `\`${row.inListing}\``,
    `\`${row.afterCycle}\``,
    row.retryable ? 'yes' : 'no',
    `\`${row.sourceStatus}\``,
    String(row.exitCode),
    row.does,
  ];
}
