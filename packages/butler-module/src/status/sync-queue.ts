import type { Clock } from '@contacts/core';
import { readSyncQueue, type SyncQueueEntry } from '@contacts/fleet/queue-status';
import type { ContactsDatabase } from '@contacts/schema';

/**
 * One source's place in the fleet's sync queue, as `contacts status` and `contacts_sync_status`
 * show it: `state` (running, waiting, due, failed, parked, idle) and the flags behind it.
 *
 * @example
 * ```ts
 * const queue: SourceQueueReport = { state: 'waiting', running: false, waiting: true, due: false, last_job_failed: false };
 * ```
 */
export interface SourceQueueReport {
  state: SyncQueueEntry['state'];
  running: boolean;
  waiting: boolean;
  due: boolean;
  last_job_failed: boolean;
}

/**
 * The job engine's schema of a butler when the host names none (`<butler schema>_jobs`, as
 * `@contacts/fleet` opens it).
 *
 * @example
 * ```ts
 * fleetJobSchema('relationship'); // 'relationship_jobs'
 * ```
 */
export const fleetJobSchema = (butlerSchema: string): string => `${butlerSchema}_jobs`;

/**
 * The source's queue entry when sync jobs exist in `jobSchema` (workers ran here), else null: a
 * single-host butler's status stays as it was.
 *
 * @example
 * ```ts
 * const queue = await readSourceQueue({ db, butlerSchema, jobSchema: 'relationship_jobs', provider: 'google', accountId: 'ada', clock });
 * ```
 */
export async function readSourceQueue(options: {
  db: ContactsDatabase;
  butlerSchema: string;
  jobSchema: string;
  provider: string;
  accountId: string;
  fullIntervalMs?: number;
  clock: Clock;
}): Promise<SourceQueueReport | null> {
  const queue = await readSyncQueue(options.db, {
    butlerSchema: options.butlerSchema,
    jobSchema: options.jobSchema,
    now: options.clock.now(),
    fullIntervalMs: options.fullIntervalMs,
    source: { provider: options.provider, accountId: options.accountId },
  });
  if (!queue.jobs) return null;
  const entry = queue.sources[0];
  // No schedule row yet: the sweeper knows nothing of it until the host registers the source.
  if (!entry) return { state: 'idle', running: false, waiting: false, due: false, last_job_failed: false };
  return {
    state: entry.state,
    running: entry.running,
    waiting: entry.waiting,
    due: entry.due,
    last_job_failed: entry.lastJobFailed,
  };
}
