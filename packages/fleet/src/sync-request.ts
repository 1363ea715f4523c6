import { SYNC_QUEUE, type SyncJobData, type SyncJobs, syncJobKey, TRIGGER_PRIORITY } from './sync-jobs.js';

/**
 * What {@link requestSync} did: `inserted` a new waiting job, or `raised` the one already waiting
 * (a due job becomes a person's request, at the higher priority: never a second job).
 *
 * @example
 * ```ts
 * const r: SyncRequestResult = { jobId: 'f3…', action: 'raised' };
 * ```
 */
export interface SyncRequestResult {
  jobId: string | null;
  action: 'inserted' | 'raised';
}

/**
 * Asks for a sync of one account now (`contacts_sync_now`, a reconcile): a high-priority job keyed
 * like the sweeper's. The queue's `stately` policy keeps one job waiting per account, so during a
 * running sync exactly one follow-up waits whatever the number of requests, and a job already
 * waiting (the sweeper's due job, an earlier request) is raised to this priority and reason
 * instead of being duplicated (pg-boss's `upsert` by singleton key, one transaction).
 *
 * @example
 * ```ts
 * await requestSync(jobs, { provider: 'google', accountId: 'ada@example.com', reason: 'trigger' });
 * ```
 */
export async function requestSync(
  jobs: SyncJobs,
  request: { provider: string; accountId: string; reason: 'trigger' | 'reconcile' },
): Promise<SyncRequestResult> {
  const data: SyncJobData = {
    provider: request.provider,
    accountId: request.accountId,
    reason: request.reason,
  };
  const result = await jobs.boss.upsert(SYNC_QUEUE, data, {
    singletonKey: syncJobKey(request.provider, request.accountId),
    priority: TRIGGER_PRIORITY,
  });
  return { jobId: result.jobs[0] ?? null, action: result.inserted > 0 ? 'inserted' : 'raised' };
}
