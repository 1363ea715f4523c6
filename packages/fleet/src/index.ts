export { type BossDatabase, bossDatabase, bossTransaction } from './boss-database.js';
export {
  DbUpstreamGate,
  type DbUpstreamGateOptions,
  type GateTimers,
  type UpstreamCaps,
} from './db-upstream-gate.js';
export { type SweepOptions, type SweepResult, sweepDueAccounts } from './sweeper.js';
export {
  createSyncQueue,
  defaultJobSchema,
  type OpenSyncJobsOptions,
  openSyncJobs,
  SYNC_QUEUE,
  type SyncJobData,
  type SyncJobs,
  syncJobKey,
} from './sync-jobs.js';
export {
  type UpstreamAcquire,
  type UpstreamGate,
  type UpstreamSlot,
  unlimitedUpstreamGate,
} from './upstream-gate.js';
