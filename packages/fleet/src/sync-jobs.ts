import { assertButlerSchemaName, type ContactsDatabase } from '@contacts/schema';
import { PgBoss } from 'pg-boss';
import { bossDatabase } from './boss-database.js';

/**
 * The queue that holds one sync job per due account.
 *
 * @example
 * ```ts
 * await boss.work(SYNC_QUEUE, async ([job]) => runSync(job.data));
 * ```
 */
export const SYNC_QUEUE = 'contacts-sync';

/**
 * Why a sync job exists: `due` (the sweeper found the account due), `trigger` (a person asked for
 * a sync now), `reconcile` (a person asked to reconcile the source); both skip a backoff and an auth wait.
 *
 * @example
 * ```ts
 * const reason: SyncJobReason = 'trigger';
 * ```
 */
export type SyncJobReason = 'due' | 'trigger' | 'reconcile';

/**
 * What a sync job carries: the account to sync, and why.
 *
 * @example
 * ```ts
 * const data: SyncJobData = { provider: 'google', accountId: 'ada@example.com', reason: 'due' };
 * ```
 */
export interface SyncJobData {
  provider: string;
  accountId: string;
  reason: SyncJobReason;
}

const REASONS: readonly string[] = ['due', 'trigger', 'reconcile'];

/**
 * Reads a job's data (written by another process, maybe another version): the account and the
 * reason, or a `TypeError` saying what is wrong.
 *
 * @example
 * ```ts
 * parseSyncJobData({ provider: 'google', accountId: 'ada', reason: 'due' }); // the same, typed
 * ```
 */
export function parseSyncJobData(value: unknown): SyncJobData {
  const data = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const { provider, accountId, reason } = data;
  if (typeof provider !== 'string' || provider === '' || typeof accountId !== 'string' || accountId === '') {
    throw new TypeError('A sync job needs a provider and an accountId (non-empty strings).');
  }
  if (typeof reason !== 'string' || !REASONS.includes(reason)) {
    throw new TypeError(`A sync job's reason is one of ${REASONS.join(', ')}.`);
  }
  return { provider, accountId, reason: reason as SyncJobReason };
}

/**
 * The priority of a job a person asked for (`trigger`, `reconcile`): fetched before the sweeper's
 * due jobs (priority 0; pg-boss fetches the highest first).
 *
 * @example
 * ```ts
 * await boss.send(SYNC_QUEUE, data, { singletonKey, priority: TRIGGER_PRIORITY });
 * ```
 */
export const TRIGGER_PRIORITY = 10;

/**
 * How a sync job's claim is kept: a worker heartbeats every half of `SYNC_HEARTBEAT_SECONDS`, and
 * pg-boss's monitor fails the job of a worker it has not heard from that long (a stopped or
 * partitioned process), so the account falls due again once its sync lease lapses too.
 *
 * @example
 * ```ts
 * await boss.createQueue(SYNC_QUEUE, { heartbeatSeconds: SYNC_HEARTBEAT_SECONDS });
 * ```
 */
export const SYNC_HEARTBEAT_SECONDS = 30;

/**
 * The longest a sync job may run, heartbeat or not (a full listing of a large book included).
 *
 * @example
 * ```ts
 * await boss.createQueue(SYNC_QUEUE, { expireInSeconds: SYNC_EXPIRE_SECONDS });
 * ```
 */
export const SYNC_EXPIRE_SECONDS = 3600;

/**
 * The singleton key of an account's jobs: the queue's `stately` policy lets one job per key wait
 * and one run. The provider comes first and never holds a `:` (provider names are identifiers),
 * so the key is unambiguous whatever the account id holds.
 *
 * @example
 * ```ts
 * syncJobKey('carddav', 'https://dav.example.com/ada/'); // 'carddav:https://dav.example.com/ada/'
 * ```
 */
export function syncJobKey(provider: string, accountId: string): string {
  return `${provider}:${accountId}`;
}

/**
 * The pg-boss schema for a butler's jobs when the host names none: `<butler schema>_jobs`, so two
 * butlers in one database never share a queue.
 *
 * @example
 * ```ts
 * defaultJobSchema('relationship'); // 'relationship_jobs'
 * ```
 */
export function defaultJobSchema(butlerSchema: string): string {
  return `${assertButlerSchemaName(butlerSchema)}_jobs`;
}

/**
 * Options of {@link openSyncJobs}.
 *
 * @example
 * ```ts
 * const options: OpenSyncJobsOptions = { db, butlerSchema: 'relationship' };
 * ```
 */
export interface OpenSyncJobsOptions {
  /** The host's database (not a transaction): pg-boss runs on its connection. */
  db: ContactsDatabase;
  butlerSchema: string;
  /** pg-boss's schema; default `<butlerSchema>_jobs`. */
  jobSchema?: string;
  /**
   * pg-boss's maintenance (expiring stalled jobs, retention) and cron timekeeping in this process;
   * default true. Tests that drive everything by hand turn them off.
   */
  maintenance?: boolean;
  /**
   * The heartbeat of the queue's jobs, in seconds (at least 10; default
   * {@link SYNC_HEARTBEAT_SECONDS}); set when this process creates the queue.
   */
  heartbeatSeconds?: number;
  /**
   * How often pg-boss's monitor fails jobs whose heartbeat stopped and expires stalled ones, in
   * seconds (default pg-boss's 60). A lost worker's job fails within heartbeat plus this.
   */
  monitorIntervalSeconds?: number;
  /** pg-boss's background errors (a failed poll, a failed maintenance pass); default: the message on stderr. */
  onError?: (error: Error) => void;
}

/**
 * A started pg-boss with the sync queue in place.
 *
 * @example
 * ```ts
 * const jobs: SyncJobs = await openSyncJobs({ db, butlerSchema: 'relationship' });
 * await jobs.stop();
 * ```
 */
export interface SyncJobs {
  boss: PgBoss;
  /** pg-boss's schema (its `job` table is read by the sweeper). */
  jobSchema: string;
  butlerSchema: string;
  /** Stops pg-boss; the host's database stays open (it is the host's). */
  stop(): Promise<void>;
}

/**
 * Starts pg-boss on the host's database, in a schema of its own (created, or migrated to this
 * pg-boss version, on the first start), and creates the sync queue: policy `stately` (per account
 * at most one job waiting and one running) and no retries of its own, since a failed or lost job
 * leaves the account due and the next sweep sends it again, when the sync policy says. A job's
 * worker heartbeats (`SYNC_HEARTBEAT_SECONDS`): the job of a worker that stops answering (killed,
 * SIGSTOPped) fails, and the account's sync lease fences a second attempt until it lapses.
 *
 * @example
 * ```ts
 * const jobs = await openSyncJobs({ db, butlerSchema: 'relationship' });
 * await sweepDueAccounts(jobs, { db, fullIntervalMs, now: new Date() });
 * ```
 */
export async function openSyncJobs(options: OpenSyncJobsOptions): Promise<SyncJobs> {
  const butlerSchema = assertButlerSchemaName(options.butlerSchema);
  const jobSchema = options.jobSchema ?? defaultJobSchema(butlerSchema);
  assertButlerSchemaName(jobSchema);
  const maintenance = options.maintenance ?? true;
  const boss = new PgBoss({
    ...bossDatabase(options.db),
    schema: jobSchema,
    supervise: maintenance,
    schedule: maintenance,
    ...(options.monitorIntervalSeconds
      ? {
          monitorIntervalSeconds: options.monitorIntervalSeconds,
          superviseIntervalSeconds: options.monitorIntervalSeconds,
        }
      : {}),
  });
  // pg-boss reports background failures as events: without a listener an `error` event throws.
  const onError = options.onError ?? ((error: Error) => console.error(`contacts jobs: ${error.message}`));
  boss.on('error', onError);
  await boss.start();
  await createSyncQueue(boss, { heartbeatSeconds: options.heartbeatSeconds });
  return { boss, jobSchema, butlerSchema, stop: () => boss.stop({ timeout: 30_000 }) };
}

/**
 * Creates the sync queue when it is missing (and loads it into pg-boss's queue cache, which the
 * sweeper's insert inside a transaction must find without a query of its own).
 *
 * @example
 * ```ts
 * await createSyncQueue(boss);
 * ```
 */
export async function createSyncQueue(
  boss: PgBoss,
  options: { heartbeatSeconds?: number } = {},
): Promise<void> {
  await boss.createQueue(SYNC_QUEUE, {
    policy: 'stately',
    retryLimit: 0,
    heartbeatSeconds: options.heartbeatSeconds ?? SYNC_HEARTBEAT_SECONDS,
    expireInSeconds: SYNC_EXPIRE_SECONDS,
  });
}
