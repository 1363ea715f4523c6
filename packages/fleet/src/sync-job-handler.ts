import { hostname } from 'node:os';
import {
  type BackoffPolicy,
  type Clock,
  type ContactsProvider,
  ContactsSyncStateStore,
  DEFAULT_BACKOFF,
  errorMessage,
  type Logger,
  ProviderError,
  planWake,
  recordSyncOutcome,
  runSyncCycle,
  type SyncCycleOptions,
  type SyncCycleResult,
  type SyncOutcome,
  type SyncSchedule,
  silentLogger,
  syncOutcomeOf,
  syncPolicyState,
  systemClock,
} from '@contacts/core';
import type { ContactsDatabase } from '@contacts/schema';
import type { Job } from 'pg-boss';
import {
  parseSyncJobData,
  SYNC_QUEUE,
  type SyncJobData,
  type SyncJobs,
  syncJobKey,
  TRIGGER_PRIORITY,
} from './sync-jobs.js';
import { type UpstreamGate, unlimitedUpstreamGate } from './upstream-gate.js';

/**
 * An account's schedule settings: `interval_minutes` and `full_sync_interval_days` in ms, and the
 * backoff (default core's).
 *
 * @example
 * ```ts
 * const settings: SyncScheduleSettings = { intervalMs: 15 * 60_000, fullIntervalMs: 6 * 86_400_000 };
 * ```
 */
export interface SyncScheduleSettings {
  intervalMs: number;
  fullIntervalMs: number;
  backoff?: BackoffPolicy;
}

/**
 * One account, opened for a sync by the host: its provider (closed by the worker after the job),
 * its schedule settings and the cycle options the host sets (deletion guard, redaction, lease TTL).
 *
 * @example
 * ```ts
 * const account: SyncAccount = { provider, schedule: { intervalMs: 900_000, fullIntervalMs: 6 * 86_400_000 } };
 * ```
 */
export interface SyncAccount {
  provider: ContactsProvider;
  /** This account's schedule settings when they differ from the worker's. */
  schedule?: SyncScheduleSettings;
  /** `sync.enabled`; false parks the account `disabled` (default true). */
  enabled?: boolean;
  /** A fingerprint of the credentials the provider was opened with, kept with an auth wait. */
  credentialsFingerprint?: string | null;
  /** What the host sets of each cycle (deletion guard, redactor, lease TTL, call deadline). */
  cycle?: Pick<
    SyncCycleOptions,
    'deletionGuard' | 'redact' | 'lockTtlMs' | 'callDeadlineMs' | 'leaseIdentity' | 'listingLimits' | 'timers'
  >;
}

/**
 * Options of {@link createSyncJobHandler} (and of `startSyncWorker`).
 *
 * @example
 * ```ts
 * const options: SyncJobHandlerOptions = { jobs, db, openAccount: async (data) => hostAccount(data) };
 * ```
 */
export interface SyncJobHandlerOptions {
  jobs: SyncJobs;
  /** The host's database (the butler schema is `jobs.butlerSchema`). */
  db: ContactsDatabase;
  /** The schedule settings of every account (an account may bring its own). */
  schedule: SyncScheduleSettings;
  /** Opens an account's provider; the fleet names no provider, the host knows them. */
  openAccount(data: SyncJobData): Promise<SyncAccount>;
  /**
   * The upstream of a job's account (a Google OAuth client, a CardDAV host), whose slots the gate
   * caps; default `<provider>:*` (every account of a provider shares one upstream).
   */
  upstreamOf?(data: SyncJobData): string | Promise<string>;
  /** Caps syncs per upstream and pauses one on a project-wide 429 (default: unlimited). */
  gate?: UpstreamGate;
  /** How a failure reads to the sync policy (default core's `syncOutcomeOf`; a host adds its missing credentials). */
  outcomeOf?(error: unknown): SyncOutcome;
  /** This worker in the gate's slot owners and the logs (default: host and pid). */
  workerId?: string;
  clock?: Clock;
  logger?: Logger;
  /** The jitter of backoffs, in [0, 1) (default Math.random). */
  random?: () => number;
  /** How long an upstream stays paused after a project-wide 429 that names no retry-after (default 60 s). */
  defaultPauseMs?: number;
}

/**
 * What one job came to: `synced` (a cycle ran, `result` or `error` as it ended), `skipped` (parked,
 * or not due after all), `busy` (another live process holds the account's lease), `deferred` (the
 * upstream refused a slot or is paused: the job was sent again for `retryAt`, no failure counted),
 * `stopped` (the worker stopped or lost the job's claim; the checkpoint resumes it).
 *
 * @example
 * ```ts
 * const report: SyncJobReport = { key: 'google:ada', outcome: 'deferred', retryAt: new Date() };
 * ```
 */
export interface SyncJobReport {
  key: string;
  outcome: 'synced' | 'failed' | 'skipped' | 'busy' | 'deferred' | 'stopped';
  result?: SyncCycleResult;
  error?: unknown;
  retryAt?: Date;
}

/**
 * The work of one sync job, as `startSyncWorker` runs it (exported for hosts that fetch jobs
 * themselves, and for tests): reads the account's stored schedule (a parked account, or one a
 * sync elsewhere made not due, ends without syncing; a person's request skips a backoff and an
 * auth wait, never a source's retry-after), takes a slot of the account's upstream from the gate
 * (refused: the job is sent again for the gate's `retryAt`, no failure counted), opens the
 * account, runs `runSyncCycle` with the job's abort signal (and `stop`'s), and stores what
 * follows through core's `recordSyncOutcome`. A `RATE_LIMITED` error of `project` scope pauses
 * the upstream and defers the job instead of counting against the account. The account's sync
 * lease fences a second attempt of a stalled job: a live holder elsewhere makes it end `busy`.
 *
 * @example
 * ```ts
 * const handle = createSyncJobHandler({ jobs, db, openAccount });
 * const [job] = await jobs.boss.fetch(SYNC_QUEUE);
 * if (job) await handle(job, new AbortController().signal);
 * ```
 */
export function createSyncJobHandler(
  options: SyncJobHandlerOptions,
): (
  job: Pick<Job<unknown>, 'id' | 'data'> & { signal?: AbortSignal },
  stop: AbortSignal,
) => Promise<SyncJobReport> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const gate = options.gate ?? unlimitedUpstreamGate;
  const random = options.random ?? Math.random;
  const outcomeOf = options.outcomeOf ?? ((error: unknown) => syncOutcomeOf(error));
  const workerId = options.workerId ?? `${hostname()}#${process.pid}`;
  const { jobs, db } = options;
  const store = new ContactsSyncStateStore({ db, butlerSchema: jobs.butlerSchema, clock });

  /** Sends the job again for `at`: the waiting slot of its key takes it (one waits at most). */
  const defer = async (data: SyncJobData, key: string, at: Date, priority: number): Promise<void> => {
    await jobs.boss.send(SYNC_QUEUE, data, { singletonKey: key, startAfter: at, priority });
  };

  return async (job, stop) => {
    const data = parseSyncJobData(job.data);
    const { provider: providerName, accountId } = data;
    const key = syncJobKey(providerName, accountId);
    const ids = { provider: providerName, account_id: accountId, job_id: job.id, reason: data.reason };
    const priority = data.reason === 'due' ? 0 : TRIGGER_PRIORITY;
    const triggered = data.reason !== 'due';

    const row = await store.load(providerName, accountId);
    const settings = (account: SyncAccount | null): SyncSchedule => {
      const own = account?.schedule ?? options.schedule;
      return { ...own, backoff: own.backoff ?? DEFAULT_BACKOFF, jitter: random() };
    };
    if (row.parkedReason === 'disabled') {
      logger.debug('contacts_job_skipped', { ...ids, reason: 'parked disabled' });
      return { key, outcome: 'skipped' };
    }
    const now = clock.now();
    // The sweeper's own test, again: the schedule may have moved since the sweep (a sync elsewhere,
    // a backoff). A person's request skips a backoff and an auth wait, never a source's retry-after.
    const wake = planWake(syncPolicyState(row, settings(null)), now, { startup: false, triggered });
    if (wake.kind === 'check_credentials') {
      logger.debug('contacts_job_skipped', { ...ids, reason: 'parked auth' });
      return { key, outcome: 'skipped' };
    }
    if (wake.kind === 'sleep') {
      if (!triggered) return { key, outcome: 'skipped' };
      await defer(data, key, wake.until, priority);
      return { key, outcome: 'deferred', retryAt: wake.until };
    }

    const upstream = await (options.upstreamOf?.(data) ?? `${providerName}:*`);
    const taken = await gate.tryAcquire(upstream, `${workerId}:${job.id}`);
    if (!('slot' in taken)) {
      await defer(data, key, taken.retryAt, priority);
      logger.info('contacts_job_deferred', {
        ...ids,
        upstream,
        why: taken.reason,
        retry_at: taken.retryAt.toISOString(),
      });
      return { key, outcome: 'deferred', retryAt: taken.retryAt };
    }
    let account: SyncAccount | null = null;
    try {
      // pg-boss's `work` gives each job a signal (its claim); a job from `fetch` has none.
      const signal = job.signal ? AbortSignal.any([job.signal, stop]) : stop;
      let outcome: SyncOutcome;
      let result: SyncCycleResult | undefined;
      let failure: unknown;
      try {
        account = await options.openAccount(data);
        if (account.enabled === false) {
          outcome = { kind: 'disabled' };
        } else {
          // As the runtime's scheduled cycle: full when a full sync is due, `auto` when a checkpoint
          // resumes (a reconcile wakes the account as the runtime's trigger does).
          const plan = planWake(syncPolicyState(row, settings(account)), now, {
            startup: false,
            triggered: true,
          });
          const mode = row.checkpoint || plan.kind !== 'sync' ? 'auto' : plan.mode;
          result = await runSyncCycle({
            db,
            butlerSchema: jobs.butlerSchema,
            provider: account.provider,
            accountId,
            mode,
            clock,
            logger,
            signal,
            ...account.cycle,
          });
          outcome = result.completed ? { kind: 'completed', mode: result.mode } : { kind: 'stopped' };
        }
      } catch (error) {
        failure = error;
        outcome = outcomeOf(error);
      }
      if (outcome.kind === 'stopped' || (failure !== undefined && signal.aborted)) {
        // Stopped between pages (the checkpoint resumes it) or failed of the stop: nothing to decide.
        logger.info('contacts_job_stopped', ids);
        return { key, outcome: 'stopped', result, error: failure };
      }
      if (outcome.kind === 'busy') {
        logger.info('contacts_job_busy', { ...ids, next: 'the holder of the lease syncs it' });
        return { key, outcome: 'busy' };
      }
      if (
        failure instanceof ProviderError &&
        failure.code === 'RATE_LIMITED' &&
        failure.rateLimitScope === 'project'
      ) {
        // The whole upstream is over its quota, not this account: pause it, come back after.
        const until = new Date(
          clock.now().getTime() + (failure.retryAfterMs ?? options.defaultPauseMs ?? 60_000),
        );
        await gate.pause(upstream, until);
        await defer(data, key, until, priority);
        logger.warn('contacts_upstream_paused', { ...ids, upstream, until: until.toISOString() });
        return { key, outcome: 'deferred', retryAt: until, error: failure };
      }
      const { decision } = await recordSyncOutcome({
        store,
        provider: providerName,
        accountId,
        outcome,
        schedule: settings(account),
        now: clock.now(),
        enabled: account?.enabled ?? true,
        refusedCredentials:
          failure instanceof ProviderError ? (account?.credentialsFingerprint ?? null) : null,
      });
      if (failure !== undefined) {
        logger.warn('contacts_job_failed', {
          ...ids,
          error: errorMessage(failure),
          action: decision.action,
          next: decision.nextIncrementalDueAt?.toISOString() ?? null,
        });
        return { key, outcome: 'failed', error: failure };
      }
      return { key, outcome: 'synced', result };
    } finally {
      await taken.slot.release().catch((error: unknown) => {
        logger.warn('contacts_upstream_release_failed', { ...ids, error: errorMessage(error) });
      });
      await account?.provider.close().catch((error: unknown) => {
        logger.warn('contacts_provider_close_failed', { ...ids, error: errorMessage(error) });
      });
    }
  };
}
