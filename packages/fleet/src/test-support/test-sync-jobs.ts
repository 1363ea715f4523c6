import type { ContactsDatabase } from '@contacts/schema';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { createSyncQueue, openSyncJobs, type SyncJobs } from '../sync-jobs.js';

/**
 * pg-boss on a test database for the tests of one `describeDatabase` block: started once without
 * maintenance (the tests drive everything), the sync queue made again before each test (each
 * starts from emptied tables, pg-boss's own included), stopped at the end, and no background
 * error allowed (pg-boss's own statements ran on the adapter without one).
 *
 * @example
 * ```ts
 * describeDatabase('the sweeper', (t) => {
 *   const boss = useTestSyncJobs(t);
 *   it('sweeps', async () => { await sweepDueAccounts(boss.jobs, options); });
 * });
 * ```
 */
export function useTestSyncJobs(t: { db: ContactsDatabase; butlerSchema: string }): {
  readonly jobs: SyncJobs;
} {
  let jobs: SyncJobs | undefined;
  const errors: Error[] = [];
  beforeAll(async () => {
    jobs = await openSyncJobs({
      db: t.db,
      butlerSchema: t.butlerSchema,
      maintenance: false,
      onError: (e) => errors.push(e),
    });
  });
  beforeEach(async () => {
    await createSyncQueue(jobs!.boss);
  });
  afterAll(async () => {
    await jobs?.stop();
    expect(errors).toEqual([]);
  });
  return {
    get jobs() {
      if (!jobs) throw new Error('pg-boss is not started yet: read .jobs inside a test');
      return jobs;
    },
  };
}
