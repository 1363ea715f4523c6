import {
  type BackoffPolicy,
  type Clock,
  descriptorUpstream,
  errorMessage,
  type Logger,
  type ProviderRegistry,
  silentLogger,
  syncOutcomeOf,
  systemClock,
} from '@contacts/core';
import {
  DbUpstreamGate,
  DEFAULT_SWEEP_LIMIT,
  openSyncJobs,
  requestSync,
  type SweepResult,
  type SyncAccount,
  type SyncJobData,
  type SyncJobReport,
  type SyncJobs,
  type SyncWorker,
  startSyncWorker,
  sweepDueAccounts,
  syncJobKey,
  type UpstreamCaps,
  type UpstreamGate,
  type WorkerTimers,
} from '@contacts/fleet';
import { butlerTables, type ContactsDatabase, DEFAULT_BUTLER_SCHEMA } from '@contacts/schema';
import type { CredentialStore } from '../credentials/credential-store.js';
import { readSourceCredentials } from '../credentials/source-credentials.js';
import { ContactsModuleError } from '../errors.js';
import { checkContactsConfig } from '../module/check-options.js';
import { type ConfiguredSource, configuredSources } from '../module/configured-sources.js';
import { CredentialStoreProviderSource } from '../module/credential-provider-source.js';
import { defaultProviderRegistry } from '../module/default-registry.js';
import { redactingLogger, SecretRedactor } from '../redact.js';
import { credentialsFingerprint, isMissingCredentials } from '../runtime/credential-failures.js';
import type { FleetSyncRequests } from '../tools/tool-context.js';

const DAY_MS = 86_400_000;

/**
 * Syncs at once per upstream (a Google OAuth client, a CardDAV host) across every worker of the
 * database, when the host sets no `upstreamCaps`: generous, so that it only bounds a burst.
 *
 * @example
 * ```ts
 * startContactsWorker({ ...options, upstreamCaps: { default: DEFAULT_UPSTREAM_CAP, upstreams: { 'carddav:dav.example.com:443': 2 } } });
 * ```
 */
export const DEFAULT_UPSTREAM_CAP = 16;

/**
 * What {@link startContactsWorker} needs: what the module's `onStartup` gets (the
 * `[modules.contacts]` table, the database, the credential store), and the worker's own settings.
 *
 * @example
 * ```ts
 * const options: ContactsWorkerOptions = { config: toml.modules.contacts, db, credentialStore, concurrency: 4 };
 * ```
 */
export interface ContactsWorkerOptions {
  /** The `[modules.contacts]` table of butler.toml, as parsed TOML. */
  config: unknown;
  /** The host's database (not a transaction): the jobs live there too, in their own schema. */
  db: ContactsDatabase;
  butlerSchema?: string;
  /** pg-boss's schema (default `<butlerSchema>_jobs`). */
  jobSchema?: string;
  credentialStore: CredentialStore | null;
  registry?: ProviderRegistry;
  /** Settings overriding every source's of a provider (an emulator's endpoints). */
  settingsOverrides?: Record<string, Record<string, unknown>>;
  /** Jobs run at once in this process (default 2). */
  concurrency?: number;
  /** Seconds between sweeps of due accounts (default 15); 0 sweeps never (another process does). */
  sweepIntervalSeconds?: number;
  /**
   * Caps per upstream across workers, and their pauses after a project-wide 429 (default: a
   * `DbUpstreamGate` on `db` with `upstreamCaps`).
   */
  gate?: UpstreamGate;
  /** The caps of the default gate (default {@link DEFAULT_UPSTREAM_CAP} for every upstream). */
  upstreamCaps?: UpstreamCaps;
  /** How long a stop waits for running syncs before it aborts them (default 30 s). */
  stopGraceMs?: number;
  /** pg-boss's poll interval in seconds (default 2). */
  pollingIntervalSeconds?: number;
  /** The heartbeat of sync jobs in seconds (at least 10; default 30), when this worker creates the queue. */
  heartbeatSeconds?: number;
  /** How often pg-boss's monitor fails the jobs of lost workers, in seconds (default 60). */
  monitorIntervalSeconds?: number;
  /** Sync lease TTL of each cycle (default core's 10 minutes): how long a stopped worker fences its account. */
  lockTtlMs?: number;
  backoff?: BackoffPolicy;
  logger?: Logger;
  clock?: Clock;
  timers?: WorkerTimers;
  onJob?(report: SyncJobReport): void;
}

/**
 * A running worker process's parts: its jobs, a sweep on demand, the requests the module's tools
 * send in fleet mode, and the stop.
 *
 * @example
 * ```ts
 * const worker = await startContactsWorker(options);
 * process.once('SIGTERM', () => void worker.stop());
 * ```
 */
export interface ContactsWorker {
  jobs: SyncJobs;
  worker: SyncWorker;
  /** Registers the configured sources and sends jobs for the due ones now. */
  sweep(): Promise<SweepResult>;
  /** What `ContactsModule.onStartup({ fleet })` takes to queue syncs here. */
  fleet: FleetSyncRequests;
  /** Stops sweeping, lets running syncs end (bounded), stops pg-boss. The database stays open. */
  stop(): Promise<void>;
}

/**
 * Runs sync workers for a butler on pg-boss, in its own database: registers every configured
 * source in `contacts_sync_state` (so the sweeper sees it), sweeps due accounts into jobs every
 * `sweepIntervalSeconds` (one sweeper at a time across processes: the sweep's advisory lock), and
 * runs up to `concurrency` jobs here, each opening the account's provider from the credential
 * store as the single-host runtime does, with the same sync policy and lease. Start as many
 * processes, on as many machines, as the database serves.
 *
 * @example
 * ```ts
 * const worker = await startContactsWorker({ config: toml.modules.contacts, db, credentialStore, concurrency: 4 });
 * await contacts.onStartup({ config: toml.modules.contacts, db, credentialStore, fleet: worker.fleet });
 * ```
 */
export async function startContactsWorker(options: ContactsWorkerOptions): Promise<ContactsWorker> {
  const registry = options.registry ?? defaultProviderRegistry();
  const butlerSchema = options.butlerSchema ?? DEFAULT_BUTLER_SCHEMA;
  const clock = options.clock ?? systemClock;
  const config = checkContactsConfig(options.config, registry);
  const sources = configuredSources(config, registry, options.settingsOverrides);
  const redactor = new SecretRedactor(registry.secretShapes());
  const logger = redactingLogger(options.logger ?? silentLogger, redactor);
  const byKey = new Map(sources.map((source) => [syncJobKey(source.provider, source.accountId), source]));
  const schedule = {
    intervalMs: config.sync.interval_minutes * 60_000,
    fullIntervalMs: config.sync.full_sync_interval_days * DAY_MS,
    backoff: options.backoff,
  };
  const find = (data: SyncJobData): ConfiguredSource => {
    const source = byKey.get(syncJobKey(data.provider, data.accountId));
    if (!source) {
      throw new ContactsModuleError(
        'INVALID_CONFIG',
        `No configured source is ${data.provider} (${data.accountId}): this worker's [modules.contacts] does not name it.`,
      );
    }
    return source;
  };
  const store = (): CredentialStore => {
    if (!options.credentialStore) {
      throw new ContactsModuleError('CREDENTIAL_STORE_MISSING', 'The sync worker has no credential store.');
    }
    return options.credentialStore;
  };

  // Every configured source gets its schedule row: the sweeper sends jobs for rows only.
  await options.db
    .insert(butlerTables(butlerSchema).contactsSyncState)
    .values(sources.map((source) => ({ provider: source.provider, accountId: source.accountId })))
    .onConflictDoNothing();
  const jobs = await openSyncJobs({
    db: options.db,
    butlerSchema,
    jobSchema: options.jobSchema,
    heartbeatSeconds: options.heartbeatSeconds,
    monitorIntervalSeconds: options.monitorIntervalSeconds,
    onError: (error) => logger.error('contacts_jobs_error', { error: redactor.redact(error.message) }),
  });

  const openAccount = async (data: SyncJobData): Promise<SyncAccount> => {
    const source = find(data);
    const opened = await new CredentialStoreProviderSource({
      store: store(),
      source,
      redactor,
      logger,
      clock,
    }).open();
    return {
      provider: opened.provider,
      enabled: config.sync.enabled,
      credentialsFingerprint: credentialsFingerprint(opened.revision),
      cycle: {
        redact: (text) => redactor.redact(text),
        lockTtlMs: options.lockTtlMs,
        deletionGuard: {
          maxPercent: config.sync.deletion_guard_percent,
          minContacts: config.sync.deletion_guard_min_contacts,
        },
      },
    };
  };
  const upstreamOf = async (data: SyncJobData): Promise<string> => {
    const source = find(data);
    // No upstream of its own: the provider is one upstream, and no credential is read for it.
    // Credentials are read only for a descriptor whose upstream depends on them (an OAuth client).
    let credentials: Record<string, string> = {};
    if (source.descriptor.upstream) {
      credentials = (await readSourceCredentials(store(), source.descriptor, source.accountId)).values;
      redactor.add(Object.values(credentials));
    }
    return descriptorUpstream(source.descriptor, {
      accountId: source.accountId,
      settings: source.settings,
      credentials,
    });
  };

  const worker = await startSyncWorker({
    jobs,
    db: options.db,
    schedule,
    openAccount,
    upstreamOf,
    // In the database every worker shares: a cap holds across processes, and a pause one worker
    // records after a project-wide 429 holds every other worker's jobs of that upstream too.
    gate:
      options.gate ??
      new DbUpstreamGate({
        db: options.db,
        clock,
        caps: options.upstreamCaps ?? { default: DEFAULT_UPSTREAM_CAP },
        logger,
      }),
    outcomeOf: (error) => syncOutcomeOf(error, isMissingCredentials),
    clock,
    logger,
    concurrency: options.concurrency,
    stopGraceMs: options.stopGraceMs,
    pollingIntervalSeconds: options.pollingIntervalSeconds,
    timers: options.timers,
    onJob: options.onJob,
  });

  const sweep = async (): Promise<SweepResult> => {
    let total: SweepResult = { skipped: false, due: 0, enqueued: 0 };
    // A full page means more are due: sweep again, a bounded number of times per wake.
    for (let round = 0; round < 10; round++) {
      const result = await sweepDueAccounts(jobs, {
        db: options.db,
        fullIntervalMs: schedule.fullIntervalMs,
        now: clock.now(),
      });
      total = {
        skipped: result.skipped,
        due: total.due + result.due,
        enqueued: total.enqueued + result.enqueued,
      };
      if (result.skipped || result.due < DEFAULT_SWEEP_LIMIT) break;
    }
    if (total.enqueued > 0) logger.info('contacts_sweep', { due: total.due, enqueued: total.enqueued });
    return total;
  };

  const timers = options.timers ?? {
    setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
    clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
  const intervalMs = (options.sweepIntervalSeconds ?? 15) * 1000;
  let timer: unknown = null;
  let sweeping: Promise<unknown> | null = null;
  let stopping = false;
  const tick = () => {
    timer = null;
    if (stopping) return;
    sweeping = sweep()
      .catch((error: unknown) => {
        logger.error('contacts_sweep_failed', {
          error: redactor.redact(errorMessage(error)),
        });
      })
      .finally(() => {
        sweeping = null;
        if (!stopping) timer = timers.setTimeout(tick, intervalMs);
      });
  };
  if (intervalMs > 0) tick();

  let stopped: Promise<void> | null = null;
  return {
    jobs,
    worker,
    sweep,
    fleet: {
      jobSchema: jobs.jobSchema,
      request: async (request) => void (await requestSync(jobs, request)),
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        if (timer !== null) timers.clearTimeout(timer);
        await sweeping;
        await worker.stop();
        await jobs.stop();
      })();
      return stopped;
    },
  };
}
