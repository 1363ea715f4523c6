import {
  type BackoffPolicy,
  backoffDelay,
  type Clock,
  type ContactsProvider,
  ContactsSyncStateStore,
  CoreError,
  DEFAULT_BACKOFF,
  errorMessage,
  fullSyncDueAt,
  type Logger,
  ProviderError,
  planWake,
  recordSyncOutcome,
  runSyncCycle,
  type SyncCycleResult,
  type SyncDecision,
  type SyncMode,
  type SyncOutcome,
  type SyncPolicyState,
  type SyncProgress,
  type SyncSchedule,
  type SyncState,
  silentLogger,
  syncOutcomeOf,
  syncPolicyState,
  systemClock,
} from '@contacts/core';
import { ContactsModuleError } from '../errors.js';
import { redactError, SecretRedactor } from '../redact.js';
import { credentialsFingerprint, isMissingCredentials } from './credential-failures.js';
import type {
  ContactsSyncRuntimeOptions,
  RuntimeErrorInfo,
  RuntimeState,
  SyncNowOptions,
  SyncRuntimeStatus,
} from './runtime-types.js';
import { systemTimers, type Timers } from './timers.js';

/** `scheduled` lets the cycle decide: a forced full sync when one is due, else `auto`. */
type CycleMode = SyncMode | 'scheduled';
type Outcome = { ok: true; result: SyncCycleResult } | { ok: false; error: unknown };
type Listener = (progress: SyncProgress) => void;
interface Cycle {
  mode: CycleMode;
  /** A request it serves confirmed the held deletions. */
  confirmDeletions: boolean;
  listeners: Set<Listener>;
  done: Promise<Outcome>;
}

const MODE_STRENGTH: Record<CycleMode, number> = { auto: 0, incremental: 0, scheduled: 1, full: 2 };
const DAY_MS = 86_400_000;

function errorInfo(error: unknown, at: Date): RuntimeErrorInfo {
  const code =
    error instanceof ProviderError || error instanceof CoreError || error instanceof ContactsModuleError
      ? error.code
      : 'UNEXPECTED';
  return { code, message: errorMessage(error), at };
}

const isNotRunning = (error: unknown): boolean =>
  error instanceof ContactsModuleError && error.code === 'RUNTIME_NOT_RUNNING';
/**
 * A failed cycle as the sync policy reads it (core's {@link syncOutcomeOf}, with this module's
 * missing credentials).
 */
const outcomeOf = (error: unknown): SyncOutcome => syncOutcomeOf(error, isMissingCredentials);

/** What the stored schedule says the runtime is doing between cycles. */
function stateOf(row: SyncState): RuntimeState {
  if (row.parkedReason === 'auth') return 'auth_error';
  return row.consecutiveFailures > 0 ? 'backoff' : 'idle';
}

/**
 * The background sync of one (provider, account): a sync at start when `run_on_startup` (full
 * when there is no cursor yet), an incremental sync every `interval_minutes`, a forced full sync
 * once `full_sync_interval_days` have passed since the last one, and an immediate sync on
 * {@link trigger}.
 *
 * One cycle at a time: in this process every request goes through a single flight (a poll that
 * comes due while a cycle runs joins it; a {@link syncNow} or {@link trigger} that arrives while a
 * cycle runs waits for it and then runs one follow-up cycle, shared by every request that arrived
 * meanwhile, so changes made before the request are always included). Across processes the core's
 * sync lease decides: a cycle refused with `SYNC_IN_PROGRESS` means "busy", not a failure.
 *
 * Core's sync policy (`decideSync`, `planWake`) decides what follows a cycle, and its schedule
 * lives in `contacts_sync_state` (next incremental and full due times, consecutive failures, the
 * source's retry-after, why the account is parked): every wake reads it, every outcome writes it,
 * so a restarted host (or another process) neither forgets a backoff or an auth wait nor repeats
 * a full sync that is not due. Failures back off exponentially (capped, with jitter) and honour a
 * source's `retryAfterMs`; `AUTH_FAILED` or missing credentials park the account in `auth_error`
 * until the credentials change or a person reconciles. {@link stop} lets the page in flight
 * commit, then resolves.
 *
 * @example
 * ```ts
 * const runtime = new ContactsSyncRuntime({ db, butlerSchema: 'relationship', config, providers, logger });
 * runtime.start();
 * const result = await runtime.syncNow({ mode: 'full' });
 * runtime.trigger(); // wake the poller now
 * await runtime.stop();
 * ```
 */
export class ContactsSyncRuntime {
  readonly provider: string;
  readonly accountId: string;
  readonly #options: ContactsSyncRuntimeOptions;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #backoff: BackoffPolicy;
  readonly #random: () => number;
  readonly #store: ContactsSyncStateStore;
  readonly #abort = new AbortController();
  /** Applied to every failure before it is kept, logged or thrown to a caller. */
  readonly #redact: (text: string) => string;

  #started = false;
  #stopping: Promise<void> | null = null;
  #state: RuntimeState = 'stopped';
  #timer: unknown = null;
  #nextRunAt: Date | null = null;
  #tick: Promise<void> | null = null;
  #current: Cycle | null = null;
  #queued: Cycle | null = null;
  #triggered = false;
  /** The next wake is the one at start: `run_on_startup` syncs at once unless a backoff holds. */
  #startupWake = false;

  // What this process last read or wrote of the stored schedule, for status() and for the
  // checks that cannot wait for the database (a queued request's retry-after).
  #failures = 0;
  #retryAfterUntil: Date | null = null;
  #lastError: RuntimeErrorInfo | null = null;
  #lastResult: SyncCycleResult | null = null;

  #provider: ContactsProvider | null = null;
  #providerRevision: string | null = null;

  constructor(options: ContactsSyncRuntimeOptions) {
    this.#options = options;
    this.provider = options.config.provider;
    this.accountId = options.config.account_id;
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    this.#timers = options.timers ?? systemTimers;
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.#random = options.random ?? Math.random;
    // Without the host's redactor, token-shaped values (`ya29.…`, `Bearer …`) are still blanked.
    const shapesOnly = new SecretRedactor();
    this.#redact = options.redact ?? ((text) => shapesOnly.redact(text));
    this.#store = new ContactsSyncStateStore({
      db: options.db,
      butlerSchema: options.butlerSchema,
      clock: this.#clock,
    });
  }

  /**
   * Starts polling: the first cycle runs at once when `run_on_startup`, else after one interval.
   * Returns without waiting for any sync.
   *
   * @throws ContactsModuleError `RUNTIME_NOT_RUNNING` after {@link stop} (a runtime is not restarted).
   */
  start(): void {
    this.#assertNotStopped();
    if (this.#started) return;
    this.#started = true;
    this.#state = 'idle';
    const { sync } = this.#options.config;
    this.#logger.info('contacts_runtime_started', {
      ...this.#ids(),
      interval_minutes: sync.interval_minutes,
      full_sync_interval_days: sync.full_sync_interval_days,
      run_on_startup: sync.run_on_startup,
    });
    this.#startupWake = sync.run_on_startup;
    this.#schedule(sync.run_on_startup ? 0 : sync.interval_minutes * 60_000);
  }

  /**
   * Runs a sync now and resolves with what it did. Joins the single flight (see the class doc).
   * Works on a runtime that was never started (a one-shot sync); then nothing is scheduled.
   *
   * @throws whatever the cycle failed with (`ProviderError`, `CoreError` `SYNC_IN_PROGRESS` when
   *   another process syncs this account), `ContactsModuleError` `RATE_LIMITED` while the source's
   *   retry-after lasts, `RUNTIME_NOT_RUNNING` after {@link stop}, or when a stop ended the sync
   *   (a sync stopped between pages resolves instead, with `completed: false`).
   */
  async syncNow(options: SyncNowOptions = {}): Promise<SyncCycleResult> {
    this.#assertNotStopped();
    // The stored retry-after binds every process: one met by the server's runtime holds here too.
    const until = await this.#storedRetryAfter();
    if (until && until.getTime() > this.#clock.now().getTime()) {
      throw new ContactsModuleError(
        'RATE_LIMITED',
        `${this.provider} asked for no requests before ${until.toISOString()} (rate limit); the runtime syncs again then, or try after that.`,
      );
    }
    const outcome = await this.#request(
      options.mode ?? 'auto',
      false,
      options.onProgress,
      options.confirmDeletions === true,
    );
    if (outcome.ok) return outcome.result;
    // A cycle that fails while the runtime stops failed of the stop (its request was aborted, or
    // it never began), as #record judges it: the caller hears that, not the aborted request.
    if (this.#stopping && !isNotRunning(outcome.error)) {
      throw new ContactsModuleError(
        'RUNTIME_NOT_RUNNING',
        'The contacts sync runtime stopped before this sync finished (the butler is shutting down); the next start resumes from the last committed page.',
        { cause: outcome.error },
      );
    }
    throw outcome.error;
  }

  /**
   * Wakes the poller for a sync at once (after the cycle in flight, if any; not before a source's
   * retry-after). Also retries after `auth_error` without waiting for new credentials.
   * Returns when the sync is due to start.
   *
   * @throws ContactsModuleError `RUNTIME_NOT_RUNNING` when not started or stopped.
   */
  trigger(): Date {
    this.#assertNotStopped();
    if (!this.#started) {
      throw new ContactsModuleError('RUNTIME_NOT_RUNNING', 'The contacts sync runtime has not been started.');
    }
    const now = this.#clock.now();
    this.#triggered = true;
    this.#logger.info('contacts_sync_triggered', this.#ids());
    if (this.#current) {
      void this.#request('scheduled', false);
      return now;
    }
    const at = this.#retryAfterUntil && this.#retryAfterUntil > now ? this.#retryAfterUntil : now;
    this.#schedule(at.getTime() - now.getTime());
    return at;
  }

  /**
   * Stops polling: aborts the signal of the cycle in flight, whose page in flight still commits
   * (its checkpoint lets the next start resume there), waits for it, and closes the provider.
   * Safe to call twice.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#clearTimer();
      this.#abort.abort();
      await this.whenIdle();
      await this.#closeProvider();
      this.#state = 'stopped';
      this.#logger.info('contacts_runtime_stopped', this.#ids());
    })();
    return this.#stopping;
  }

  /** Resolves once no tick and no cycle is in flight (a waiting timer does not count). */
  async whenIdle(): Promise<void> {
    for (;;) {
      const pending = this.#tick ?? this.#queued?.done ?? this.#current?.done;
      if (!pending) return;
      await pending;
    }
  }

  /** A snapshot of what the runtime is doing. */
  status(): SyncRuntimeStatus {
    return {
      provider: this.provider,
      accountId: this.accountId,
      state: this.#state,
      running: this.#current !== null,
      consecutiveFailures: this.#failures,
      nextRunAt: this.#nextRunAt,
      retryAfterUntil: this.#retryAfterUntil,
      lastError: this.#lastError,
      lastResult: this.#lastResult,
    };
  }

  #ids() {
    return { provider: this.provider, account_id: this.accountId };
  }

  #assertNotStopped(): void {
    if (this.#stopping) {
      throw new ContactsModuleError(
        'RUNTIME_NOT_RUNNING',
        'The contacts sync runtime has been stopped (the butler is shutting down).',
      );
    }
  }

  #clearTimer(): void {
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
    this.#nextRunAt = null;
  }

  #schedule(delayMs: number): void {
    if (!this.#started || this.#stopping) return;
    this.#clearTimer();
    const delay = Math.max(0, Math.round(delayMs));
    this.#nextRunAt = new Date(this.#clock.now().getTime() + delay);
    this.#logger.debug('contacts_sync_scheduled', { ...this.#ids(), delay_ms: delay, state: this.#state });
    this.#timer = this.#timers.setTimeout(() => this.#onTimer(), delay);
  }

  /** Returns the tick's promise: real timers ignore it, test timers may await it. */
  #onTimer(): Promise<void> {
    this.#timer = null;
    this.#nextRunAt = null;
    const tick: Promise<void> = this.#runTick()
      .catch((error: unknown) => {
        // Cycles never reject; only a broken credential store or state query lands here.
        this.#logger.error('contacts_runtime_tick_failed', {
          ...this.#ids(),
          error: this.#redact(errorInfo(error, this.#clock.now()).message),
        });
        this.#schedule(this.#backoffFor(++this.#failures));
      })
      .finally(() => {
        if (this.#tick === tick) this.#tick = null;
      });
    this.#tick = tick;
    return tick;
  }

  async #runTick(): Promise<void> {
    if (this.#stopping) return;
    const startup = this.#startupWake;
    this.#startupWake = false;
    const row = await this.#loadSchedule();
    if (!this.#options.config.sync.enabled) {
      // Started by a host with sync disabled: parked, and said so in the stored schedule.
      await this.#decide({ kind: 'disabled' }, row);
      return;
    }
    const wake = planWake(this.#policyState(row), this.#clock.now(), { startup, triggered: this.#triggered });
    if (wake.kind === 'sleep') {
      // A backoff or a retry-after (this process's, before a restart, or another's), or a sync
      // another process ran meanwhile: the stored schedule says when.
      this.#schedule(wake.until.getTime() - this.#clock.now().getTime());
      return;
    }
    if (wake.kind === 'check_credentials') {
      const revision = await this.#currentRevision();
      if (
        revision === null ||
        (row.parkedCredentials !== null && credentialsFingerprint(revision) === row.parkedCredentials)
      ) {
        // Refused credentials are not retried: only new ones (or a reconcile) end the wait.
        if (!this.#triggered) this.#schedule(this.#credentialCheckMs());
        this.#logger.debug('contacts_sync_waiting_for_credentials', this.#ids());
        return;
      }
      this.#logger.info('contacts_credentials_changed', this.#ids());
    }
    await this.#request('scheduled', true);
  }

  #request(mode: CycleMode, joinRunning: boolean, listener?: Listener, confirm = false): Promise<Outcome> {
    const current = this.#current;
    if (!current) return this.#begin(mode, listener ? [listener] : [], confirm);
    if (joinRunning) {
      if (listener) current.listeners.add(listener);
      return current.done;
    }
    const queued = this.#queued;
    if (queued) {
      if (MODE_STRENGTH[mode] > MODE_STRENGTH[queued.mode]) queued.mode = mode;
      if (listener) queued.listeners.add(listener);
      queued.confirmDeletions ||= confirm;
      return queued.done;
    }
    const next: Cycle = {
      mode,
      confirmDeletions: confirm,
      listeners: new Set(listener ? [listener] : []),
      done: Promise.resolve(null!),
    };
    next.done = current.done.then(() => {
      this.#queued = null;
      // A cycle that began after this request was made serves it as well as our own would.
      if (this.#current) {
        for (const l of next.listeners) this.#current.listeners.add(l);
        return this.#current.done;
      }
      // The cycle it waited for may have been told to wait by the source: honour that here too.
      const until = this.#retryAfterUntil;
      if (until && until.getTime() > this.#clock.now().getTime()) {
        const error = new ContactsModuleError(
          'RATE_LIMITED',
          `${this.provider} asked for no requests before ${until.toISOString()} (rate limit); the runtime syncs again then.`,
        );
        return { ok: false as const, error };
      }
      return this.#begin(next.mode, [...next.listeners], next.confirmDeletions);
    });
    this.#queued = next;
    return next.done;
  }

  #begin(mode: CycleMode, listeners: Iterable<Listener>, confirmDeletions = false): Promise<Outcome> {
    const cycle: Cycle = {
      mode,
      confirmDeletions,
      listeners: new Set(listeners),
      done: Promise.resolve(null!),
    };
    this.#current = cycle;
    cycle.done = this.#runCycle(cycle).finally(() => {
      if (this.#current === cycle) this.#current = null;
    });
    return cycle.done;
  }

  async #runCycle(cycle: Cycle): Promise<Outcome> {
    if (this.#stopping) {
      return { ok: false, error: new ContactsModuleError('RUNTIME_NOT_RUNNING', 'The runtime is stopping.') };
    }
    const before = this.#state;
    this.#state = 'syncing';
    this.#triggered = false;
    let outcome: Outcome;
    try {
      const provider = await this.#ensureProvider();
      const mode = cycle.mode === 'scheduled' ? await this.#scheduledMode() : cycle.mode;
      const result = await runSyncCycle({
        db: this.#options.db,
        butlerSchema: this.#options.butlerSchema,
        provider,
        accountId: this.accountId,
        mode,
        clock: this.#clock,
        logger: this.#logger,
        signal: this.#abort.signal,
        lockTtlMs: this.#options.lockTtlMs,
        callDeadlineMs: this.#options.callDeadlineMs,
        deletionGuard: {
          maxPercent: this.#options.config.sync.deletion_guard_percent,
          minContacts: this.#options.config.sync.deletion_guard_min_contacts,
        },
        confirmDeletions: cycle.confirmDeletions,
        redact: this.#redact,
        onProgress: (progress) => {
          for (const listener of cycle.listeners) {
            try {
              listener(progress);
            } catch {
              // A progress listener (an MCP notification, a progress bar) never breaks a sync.
            }
          }
        },
      });
      outcome = { ok: true, result };
    } catch (error) {
      // A provider or library error may quote its request (a bearer token, a form body with the
      // client secret): scrubbed here, it reaches neither the status, the logs nor the caller.
      outcome = { ok: false, error: redactError(error, this.#redact) };
    }
    await this.#record(outcome, before);
    return outcome;
  }

  /** Full when a full sync is due; otherwise `auto`, which also resumes an interrupted cycle. */
  async #scheduledMode(): Promise<SyncMode> {
    const row = await this.#loadSchedule();
    if (row.checkpoint) return 'auto';
    const due = fullSyncDueAt(this.#policyState(row));
    return !due || due <= this.#clock.now() ? 'full' : 'auto';
  }

  /** The stored state, mirrored into what status() reports. */
  async #loadSchedule(): Promise<SyncState> {
    const row = await this.#store.load(this.provider, this.accountId);
    this.#failures = row.consecutiveFailures;
    this.#retryAfterUntil = row.retryAfter;
    if (this.#state !== 'syncing' && this.#state !== 'stopped') this.#state = stateOf(row);
    return row;
  }

  async #storedRetryAfter(): Promise<Date | null> {
    try {
      return (await this.#loadSchedule()).retryAfter;
    } catch {
      // The database answers nothing: the cycle will say so; this process's own view stands.
      return this.#retryAfterUntil;
    }
  }

  /** The stored schedule and this runtime's settings, as the sync policy reads them. */
  #policyState(row: SyncState): SyncPolicyState {
    return syncPolicyState(row, this.#settings());
  }

  #settings(): SyncSchedule {
    const { sync } = this.#options.config;
    return {
      intervalMs: sync.interval_minutes * 60_000,
      fullIntervalMs: sync.full_sync_interval_days * DAY_MS,
      backoff: this.#backoff,
      jitter: this.#random(),
    };
  }

  #backoffFor(attempt: number): number {
    return backoffDelay(attempt, this.#backoff, this.#random);
  }

  #credentialCheckMs(): number {
    return this.#options.credentialCheckMs ?? 60_000;
  }

  /** Asks the sync policy what follows a cycle, stores the schedule it decides, and sleeps on it. */
  async #record(outcome: Outcome, before: RuntimeState): Promise<void> {
    const now = this.#clock.now();
    const resume = before === 'syncing' ? 'idle' : before;
    if (outcome.ok) {
      this.#lastResult = outcome.result;
      if (!outcome.result.completed) {
        // Stopped between pages: the checkpoint resumes it; nothing else to decide.
        this.#state = resume;
        return;
      }
      this.#lastError = null;
    } else if (this.#stopping) {
      this.#state = resume;
      this.#logger.info('contacts_sync_interrupted', { ...this.#ids(), reason: 'runtime stopping' });
      return;
    }
    const happened: SyncOutcome = outcome.ok
      ? { kind: 'completed', mode: outcome.result.mode }
      : outcomeOf(outcome.error);
    // Another process syncing the account is the sync we wanted, not a failure.
    if (!outcome.ok && happened.kind !== 'busy') this.#lastError = errorInfo(outcome.error, now);
    try {
      const row = await this.#store.load(this.provider, this.accountId);
      const refused = !outcome.ok && outcome.error instanceof ProviderError ? this.#providerRevision : null;
      await this.#decide(happened, row, resume, refused);
    } catch (error) {
      // The schedule could not be read or stored (the database is away): back off in memory.
      this.#logger.error('contacts_runtime_schedule_failed', {
        ...this.#ids(),
        error: this.#redact(errorInfo(error, this.#clock.now()).message),
      });
      this.#state = 'backoff';
      this.#schedule(this.#backoffFor(++this.#failures));
    }
  }

  /**
   * Applies the policy's decision: stores the schedule (unless it is another process's), mirrors
   * it for status(), logs it and sets the next wake. `refusedRevision`: the credentials revision
   * a provider refused, whose fingerprint the stored auth wait keeps.
   */
  async #decide(
    happened: SyncOutcome,
    row: SyncState,
    resume: RuntimeState = 'idle',
    refusedRevision: string | null = null,
  ): Promise<SyncDecision> {
    const now = this.#clock.now();
    const { decision } = await recordSyncOutcome({
      store: this.#store,
      provider: this.provider,
      accountId: this.accountId,
      outcome: happened,
      schedule: this.#settings(),
      now,
      row,
      // A host that started a runtime with sync disabled (a one-shot sync) keeps the account parked.
      enabled: this.#options.config.sync.enabled,
      refusedCredentials: refusedRevision !== null ? credentialsFingerprint(refusedRevision) : null,
    });
    this.#failures = decision.consecutiveFailures;
    this.#retryAfterUntil = decision.retryAfter;
    const delay = (until: Date | null) => (until ? until.getTime() - now.getTime() : 0);
    switch (decision.action) {
      case 'done': {
        this.#state = 'idle';
        const full = decision.nextFullDueAt;
        // Wake in time for the forced full sync rather than up to one interval late.
        const until = full && decision.until && full < decision.until ? full : decision.until;
        this.#schedule(delay(until));
        break;
      }
      case 'busy_elsewhere':
        this.#state = resume;
        this.#logger.info('contacts_sync_busy', { ...this.#ids(), next: 'retry at the next interval' });
        this.#schedule(resume === 'auth_error' ? this.#credentialCheckMs() : delay(decision.until));
        break;
      case 'wait_for_credentials':
        this.#state = 'auth_error';
        this.#logger.warn('contacts_sync_auth_error', {
          ...this.#ids(),
          code: this.#lastError?.code ?? 'MISSING_CREDENTIALS',
          error: this.#lastError?.message ?? '',
          next: 'waiting for new credentials or a reconcile',
        });
        this.#schedule(this.#credentialCheckMs());
        break;
      case 'parked_disabled':
        this.#state = 'idle';
        this.#logger.info('contacts_sync_parked', { ...this.#ids(), reason: 'sync.enabled = false' });
        break;
      default:
        // back_off (full_sync_now, restart_listing and stopped are decided inside a cycle).
        this.#state = 'backoff';
        this.#logger.warn('contacts_sync_backoff', {
          ...this.#ids(),
          attempt: decision.consecutiveFailures,
          delay_ms: delay(decision.until),
          code: this.#lastError?.code,
          error: this.#lastError?.message,
        });
        this.#schedule(delay(decision.until));
    }
    return decision;
  }

  /** The current credentials revision, or null while they are missing. */
  async #currentRevision(): Promise<string | null> {
    try {
      return await this.#options.providers.revision();
    } catch (error) {
      if (isMissingCredentials(error)) return null;
      throw error;
    }
  }

  async #ensureProvider(): Promise<ContactsProvider> {
    if (this.#provider) {
      if ((await this.#options.providers.revision()) === this.#providerRevision) return this.#provider;
      this.#logger.info('contacts_provider_reopened', { ...this.#ids(), reason: 'credentials changed' });
      await this.#closeProvider();
    }
    const { provider, revision } = await this.#options.providers.open();
    if (provider.name() !== this.provider) {
      await provider.close();
      throw new ContactsModuleError(
        'PROVIDER_MISMATCH',
        `The provider factory built a "${provider.name()}" provider for the configured "${this.provider}".`,
      );
    }
    this.#provider = provider;
    this.#providerRevision = revision;
    return provider;
  }

  async #closeProvider(): Promise<void> {
    const provider = this.#provider;
    this.#provider = null;
    this.#providerRevision = null;
    try {
      await provider?.close();
    } catch (error) {
      this.#logger.warn('contacts_provider_close_failed', {
        ...this.#ids(),
        error: errorInfo(error, this.#clock.now()).message,
      });
    }
  }
}
