import { errorMessage } from '@contacts/core';
import { createSyncJobHandler, type SyncJobHandlerOptions, type SyncJobReport } from './sync-job-handler.js';
import { SYNC_QUEUE } from './sync-jobs.js';

/**
 * The timers a worker waits with (its stop's grace); tests pass fake ones.
 *
 * @example
 * ```ts
 * const timers: WorkerTimers = { setTimeout, clearTimeout };
 * ```
 */
export interface WorkerTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const nodeTimers: WorkerTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Options of {@link startSyncWorker}: the job handler's, and how many jobs run at once here.
 *
 * @example
 * ```ts
 * const options: SyncWorkerOptions = { jobs, db, schedule, openAccount, concurrency: 4 };
 * ```
 */
export interface SyncWorkerOptions extends SyncJobHandlerOptions {
  /** Jobs this worker runs at once (default 2). */
  concurrency?: number;
  /** How long {@link SyncWorker.stop} waits for running jobs before it aborts them (default 30 s). */
  stopGraceMs?: number;
  /** pg-boss's poll interval when no job is announced (default 2 s, at least 0.5). */
  pollingIntervalSeconds?: number;
  /** Each job's report, as it ends (logs, metrics, tests). */
  onJob?(report: SyncJobReport): void;
  timers?: WorkerTimers;
}

/**
 * A started worker: how many jobs it runs now, and its stop.
 *
 * @example
 * ```ts
 * const worker: SyncWorker = await startSyncWorker(options);
 * await worker.stop();
 * ```
 */
export interface SyncWorker {
  /** Jobs running in this worker now. */
  running(): number;
  /**
   * Fetches no more jobs, waits for the running ones up to the grace, then aborts their signals
   * (the page in flight commits, its checkpoint resumes the account) and waits for them to end.
   */
  stop(): Promise<void>;
}

/**
 * Runs sync jobs of {@link SYNC_QUEUE} in this process: `concurrency` at a time (pg-boss's
 * `localConcurrency`, one job per fetch), each through {@link createSyncJobHandler}. pg-boss
 * heartbeats each job while it runs and aborts its signal when its claim is lost (the job expired,
 * or the monitor failed it); the sync stops between pages then. A job's error never fails the
 * job: the sync policy has stored what follows, and the sweeper sends it again when due.
 *
 * @example
 * ```ts
 * const worker = await startSyncWorker({ jobs, db, schedule, openAccount, gate, concurrency: 4 });
 * process.once('SIGTERM', () => void worker.stop());
 * ```
 */
export async function startSyncWorker(options: SyncWorkerOptions): Promise<SyncWorker> {
  const handle = createSyncJobHandler(options);
  const timers = options.timers ?? nodeTimers;
  const stopping = new AbortController();
  const running = new Set<Promise<unknown>>();
  const { boss } = options.jobs;
  const workId = await boss.work<unknown>(
    SYNC_QUEUE,
    {
      localConcurrency: Math.max(1, options.concurrency ?? 2),
      batchSize: 1,
      pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2,
    },
    async ([job]) => {
      if (!job) return;
      const run = handle(job, stopping.signal);
      running.add(run);
      try {
        const report = await run;
        options.onJob?.(report);
      } catch (error) {
        // A broken job (unreadable data, the database away): pg-boss fails it, the sweeper resends.
        options.logger?.error('contacts_job_error', { job_id: job.id, error: errorMessage(error) });
        throw error;
      } finally {
        running.delete(run);
      }
    },
  );
  let stopped: Promise<void> | null = null;
  return {
    running: () => running.size,
    stop() {
      stopped ??= (async () => {
        // No new fetch from now on; the handlers in flight go on.
        const off = boss.offWork(SYNC_QUEUE, { id: workId, wait: true });
        let timer: unknown = null;
        const grace = new Promise<'grace'>((resolve) => {
          timer = timers.setTimeout(() => resolve('grace'), options.stopGraceMs ?? 30_000);
        });
        const ended = await Promise.race([
          Promise.allSettled([...running]).then(() => 'ended' as const),
          grace,
        ]);
        timers.clearTimeout(timer);
        if (ended === 'grace') stopping.abort(new Error('the sync worker is stopping'));
        await off;
      })();
      return stopped;
    },
  };
}
