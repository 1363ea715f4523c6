import { butlerTables } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { sweepDueAccounts } from './sweeper.js';
import { createSyncQueue, openSyncJobs, SYNC_QUEUE, type SyncJobs } from './sync-jobs.js';
import { readSyncQueue } from './sync-queue-status.js';

const now = new Date('2026-05-01T12:00:00Z');
const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);

describeDatabase('readSyncQueue', (t) => {
  let jobs: SyncJobs;
  beforeAll(async () => {
    jobs = await openSyncJobs({
      db: t.db,
      butlerSchema: t.butlerSchema,
      maintenance: false,
      onError: () => {},
    });
  });
  beforeEach(async () => {
    await createSyncQueue(jobs.boss);
  });
  afterAll(async () => {
    await jobs?.stop();
  });
  const read = () => readSyncQueue(t.db, { butlerSchema: t.butlerSchema, jobSchema: jobs.jobSchema, now });

  it('says there is no queue while no sync job ever existed', async () => {
    await t.db
      .insert(butlerTables(t.butlerSchema).contactsSyncState)
      .values({ provider: 'google', accountId: 'ada' });
    expect(await read()).toMatchObject({ jobs: false, sources: [] });
    expect(
      await readSyncQueue(t.db, { butlerSchema: t.butlerSchema, jobSchema: 'no_such_jobs', now }),
    ).toMatchObject({ jobs: false });
  });

  it('shows each source running, waiting, due, failed, parked or idle', async () => {
    const fresh = { nextIncrementalDueAt: at(10), nextFullDueAt: at(1440), lastFullSyncAt: at(-60) };
    await t.db.insert(butlerTables(t.butlerSchema).contactsSyncState).values([
      { provider: 'google', accountId: 'running' },
      { provider: 'google', accountId: 'waiting' },
      { provider: 'google', accountId: 'failed' },
      { provider: 'google', accountId: 'parked', parkedReason: 'auth' },
      { provider: 'google', accountId: 'idle', ...fresh },
    ]);
    await sweepDueAccounts(jobs, { db: t.db, fullIntervalMs: 6 * 86_400_000, now });
    // Jobs come out in key order: failed, running, waiting.
    const [failed] = await jobs.boss.fetch(SYNC_QUEUE);
    await jobs.boss.fail(SYNC_QUEUE, failed!.id, { message: 'worker lost' });
    await jobs.boss.fetch(SYNC_QUEUE);
    await t.db
      .insert(butlerTables(t.butlerSchema).contactsSyncState)
      .values({ provider: 'google', accountId: 'due' });
    const queue = await read();
    expect(queue.jobs).toBe(true);
    expect(queue.sources.map((s) => `${s.accountId} ${s.state}`)).toEqual([
      'due due',
      'failed failed',
      'idle idle',
      'parked parked',
      'running running',
      'waiting waiting',
    ]);
    expect(queue.totals).toEqual({ running: 1, waiting: 1, due: 1, failed: 1, parked: 1, idle: 1 });
    const one = await readSyncQueue(t.db, {
      butlerSchema: t.butlerSchema,
      jobSchema: jobs.jobSchema,
      now,
      source: { provider: 'google', accountId: 'waiting' },
    });
    expect(one.sources).toEqual([
      expect.objectContaining({ accountId: 'waiting', state: 'waiting', waiting: true }),
    ]);
  });
});
