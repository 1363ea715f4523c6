export { type BossDatabase, bossDatabase, bossTransaction } from './boss-database.js';
export {
  DbUpstreamGate,
  type DbUpstreamGateOptions,
  type GateTimers,
  type UpstreamCaps,
} from './db-upstream-gate.js';
export { DEFAULT_SWEEP_LIMIT, type SweepOptions, type SweepResult, sweepDueAccounts } from './sweeper.js';
export {
  createSyncJobHandler,
  type SyncAccount,
  type SyncJobHandlerOptions,
  type SyncJobReport,
  type SyncScheduleSettings,
} from './sync-job-handler.js';
export {
  createSyncQueue,
  defaultJobSchema,
  type OpenSyncJobsOptions,
  openSyncJobs,
  parseSyncJobData,
  SYNC_EXPIRE_SECONDS,
  SYNC_HEARTBEAT_SECONDS,
  SYNC_QUEUE,
  type SyncJobData,
  type SyncJobReason,
  type SyncJobs,
  syncJobKey,
  TRIGGER_PRIORITY,
} from './sync-jobs.js';
export { readSyncQueue, type SyncQueueEntry, type SyncQueueReport } from './sync-queue-status.js';
export { requestSync, type SyncRequestResult } from './sync-request.js';
export {
  type SyncWorker,
  type SyncWorkerOptions,
  startSyncWorker,
  type WorkerTimers,
} from './sync-worker.js';
export {
  type UpstreamAcquire,
  type UpstreamGate,
  type UpstreamSlot,
  unlimitedUpstreamGate,
} from './upstream-gate.js';
