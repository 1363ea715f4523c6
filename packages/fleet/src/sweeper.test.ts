import { DEFAULT_BACKOFF, planWake, type SyncPolicyState } from '@contacts/core';
import { butlerTables, queryRows, quoteIdent } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { expect, it } from 'vitest';
import { sweepDueAccounts } from './sweeper.js';
import { SYNC_QUEUE } from './sync-jobs.js';
import { useTestSyncJobs } from './test-support/test-sync-jobs.js';

const now = new Date('2026-05-01T12:00:00Z');
const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
const fullIntervalMs = 6 * 86_400_000;

type StateRow = {
  provider: string;
  accountId: string;
  nextIncrementalDueAt?: Date | null;
  nextFullDueAt?: Date | null;
  lastFullSyncAt?: Date | null;
  consecutiveFailures?: number;
  retryAfter?: Date | null;
  parkedReason?: 'auth' | 'disabled' | null;
  lockOwner?: string | null;
  lockExpiresAt?: Date | null;
};

describeDatabase('sweepDueAccounts', (t) => {
  const harness = useTestSyncJobs(t);

  const addStates = (rows: StateRow[]) =>
    t.db.insert(butlerTables(t.butlerSchema).contactsSyncState).values(rows);
  const sweep = (limit?: number) => sweepDueAccounts(harness.jobs, { db: t.db, fullIntervalMs, now, limit });
  const queued = async () =>
    (
      await queryRows<{ key: string; state: string }>(
        t.db,
        sql`select singleton_key as key, state::text as state from ${sql.raw(quoteIdent(harness.jobs.jobSchema))}.job
          where name = ${SYNC_QUEUE} order by singleton_key, state`,
      )
    ).map((row) => `${row.key} ${row.state}`);
  // Synced a minute ago, next incremental in 14 minutes, next full in 5 days: not due.
  const fresh = { nextIncrementalDueAt: at(14), nextFullDueAt: at(5 * 1440), lastFullSyncAt: at(-1440) };

  it('enqueues exactly the due accounts, one job each keyed by provider and account', async () => {
    await addStates([
      { provider: 'google', accountId: 'never-synced' },
      { provider: 'google', accountId: 'overdue', ...fresh, nextIncrementalDueAt: at(-3) },
      { provider: 'google', accountId: 'fresh', ...fresh },
      { provider: 'carddav', accountId: 'https://dav.example/ada/', ...fresh, nextFullDueAt: at(-1) },
      {
        provider: 'carddav',
        accountId: 'backing-off',
        ...fresh,
        consecutiveFailures: 2,
        nextFullDueAt: at(-1),
      },
      { provider: 'google', accountId: 'rate-limited', nextIncrementalDueAt: at(-1), retryAfter: at(2) },
      {
        provider: 'google',
        accountId: 'leased',
        nextIncrementalDueAt: at(-1),
        lockOwner: 'w1',
        lockExpiresAt: at(1),
      },
      {
        provider: 'google',
        accountId: 'lease-expired',
        nextIncrementalDueAt: at(-1),
        lockOwner: 'w1',
        lockExpiresAt: at(-1),
      },
    ]);
    expect(await sweep()).toEqual({ skipped: false, due: 4, enqueued: 4 });
    expect(await queued()).toEqual([
      'carddav:https://dav.example/ada/ created',
      'google:lease-expired created',
      'google:never-synced created',
      'google:overdue created',
    ]);
    const [job] = await harness.jobs.boss.fetch(SYNC_QUEUE);
    expect(job?.data).toMatchObject({
      provider: expect.any(String),
      accountId: expect.any(String),
      reason: 'due',
    });
  });

  it('skips parked accounts (auth error, disabled) however overdue', async () => {
    await addStates([
      { provider: 'google', accountId: 'auth', parkedReason: 'auth', nextIncrementalDueAt: at(-60) },
      { provider: 'google', accountId: 'off', parkedReason: 'disabled' },
      { provider: 'google', accountId: 'due' },
    ]);
    expect(await sweep()).toEqual({ skipped: false, due: 1, enqueued: 1 });
    expect(await queued()).toEqual(['google:due created']);
  });

  it('never makes two harness.jobs for one account: sweeping again adds nothing, waiting or running', async () => {
    await addStates([
      { provider: 'google', accountId: 'a' },
      { provider: 'google', accountId: 'b' },
    ]);
    expect(await sweep()).toMatchObject({ due: 2, enqueued: 2 });
    expect(await sweep()).toEqual({ skipped: false, due: 0, enqueued: 0 });
    // One of them starts (a worker fetched it) and is still due: the sweep queues no follow-up.
    const [running] = await harness.jobs.boss.fetch(SYNC_QUEUE);
    expect(running).toBeDefined();
    expect(await sweep()).toEqual({ skipped: false, due: 0, enqueued: 0 });
    expect(await queued()).toEqual(['google:a active', 'google:b created']);
  });

  it('the queue itself refuses a second waiting job for an account (stately), sweeper or not', async () => {
    await harness.jobs.boss.insert(SYNC_QUEUE, [{ singletonKey: 'google:a' }, { singletonKey: 'google:a' }]);
    await harness.jobs.boss.insert(SYNC_QUEUE, [{ singletonKey: 'google:a' }]);
    expect(await queued()).toEqual(['google:a created']);
  });

  it('takes the longest-due first, at most `limit` a sweep, and the next sweep goes on from there', async () => {
    await addStates([
      { provider: 'google', accountId: 'late', ...fresh, nextIncrementalDueAt: at(-1) },
      { provider: 'google', accountId: 'later', ...fresh, nextIncrementalDueAt: at(-10) },
      { provider: 'google', accountId: 'latest', ...fresh, nextIncrementalDueAt: at(-100) },
    ]);
    expect(await sweep(2)).toMatchObject({ due: 2, enqueued: 2 });
    expect(await queued()).toEqual(['google:later created', 'google:latest created']);
    expect(await sweep(2)).toMatchObject({ due: 1, enqueued: 1 });
    expect(await sweep(2)).toMatchObject({ due: 0, enqueued: 0 });
  });

  it('sweeps an account again once its job completed and it is still due', async () => {
    await addStates([{ provider: 'google', accountId: 'a' }]);
    await sweep();
    const [job] = await harness.jobs.boss.fetch(SYNC_QUEUE);
    if (!job) throw new Error('no job');
    await harness.jobs.boss.complete(SYNC_QUEUE, job.id);
    expect(await sweep()).toMatchObject({ due: 1, enqueued: 1 });
    expect(await queued()).toEqual(['google:a completed', 'google:a created']);
  });

  // PGlite is one connection: there is no second sweeper to race.
  // Registered on PostgreSQL only (not a skip on PGlite: CI counts skips as parts not run).
  if (t.driver === 'postgres')
    it('one sweeper at a time: a second one, while the first holds the sweep, returns skipped', async () => {
      await addStates([{ provider: 'google', accountId: 'a' }]);
      const other = postgres(t.database.url ?? '', { max: 1, onnotice: () => {} });
      try {
        await other.begin(async (holder) => {
          await holder`select pg_advisory_xact_lock(hashtext(${`contacts-sweep:${t.butlerSchema}`}))`;
          expect(await sweep()).toEqual({ skipped: true, due: 0, enqueued: 0 });
        });
      } finally {
        await other.end({ timeout: 5 });
      }
      expect(await sweep()).toMatchObject({ skipped: false, enqueued: 1 });
    });

  it('agrees with the sync policy (planWake of a periodic wake) on every combination of the schedule', async () => {
    const times = [null, at(-5), at(5)];
    const lastFulls = [null, at(-7 * 1440), at(-1440)];
    const rows: StateRow[] = [];
    let n = 0;
    for (const nextIncrementalDueAt of times)
      for (const nextFullDueAt of times)
        for (const lastFullSyncAt of lastFulls)
          for (const consecutiveFailures of [0, 2])
            for (const retryAfter of times) {
              n += 1;
              rows.push({
                provider: 'google',
                accountId: `a${String(n).padStart(3, '0')}`,
                nextIncrementalDueAt,
                nextFullDueAt,
                lastFullSyncAt,
                consecutiveFailures,
                retryAfter,
              });
            }
    await addStates(rows);
    const expected = rows
      .filter((row) => {
        const state: SyncPolicyState = {
          consecutiveFailures: row.consecutiveFailures ?? 0,
          lastFullSyncAt: row.lastFullSyncAt ?? null,
          nextIncrementalDueAt: row.nextIncrementalDueAt ?? null,
          nextFullDueAt: row.nextFullDueAt ?? null,
          retryAfter: row.retryAfter ?? null,
          parkedReason: null,
          schedule: { intervalMs: 15 * 60_000, fullIntervalMs, backoff: DEFAULT_BACKOFF, jitter: 0 },
        };
        return planWake(state, now, { startup: false, triggered: false }).kind === 'sync';
      })
      .map((row) => `google:${row.accountId} created`);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(rows.length);
    await sweep(rows.length);
    expect(await queued()).toEqual(expected);
  });
});
