import { ProviderError } from '@contacts/core';
import { MemoryAddressBook, MemoryContactsProvider, type PageCall } from '@contacts/core/testing';
import { butlerTables, queryRows, quoteIdent } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import { beforeEach, expect, it, vi } from 'vitest';
import { sweepDueAccounts } from './sweeper.js';
import { createSyncJobHandler, type SyncAccount, type SyncJobReport } from './sync-job-handler.js';
import { SYNC_QUEUE, TRIGGER_PRIORITY } from './sync-jobs.js';
import { requestSync } from './sync-request.js';
import { startSyncWorker, type WorkerTimers } from './sync-worker.js';
import { useTestSyncJobs } from './test-support/test-sync-jobs.js';
import type { UpstreamGate } from './upstream-gate.js';

const now = new Date('2026-05-01T12:00:00Z');
const clock = { now: () => now };
const schedule = { intervalMs: 15 * 60_000, fullIntervalMs: 6 * 86_400_000 };
const later = (ms: number) => new Date(now.getTime() + ms);

/** A gate that records what the worker asked of it, refusing while `refuseUntil` is set. */
class RecordingGate implements UpstreamGate {
  readonly acquired: string[] = [];
  readonly released: string[] = [];
  readonly pauses: { upstream: string; until: Date }[] = [];
  refuseUntil: Date | null = null;
  async tryAcquire(upstream: string, owner: string) {
    if (this.refuseUntil) return { retryAt: this.refuseUntil, reason: 'full' as const };
    this.acquired.push(`${upstream} ${owner}`);
    return { slot: { release: async () => void this.released.push(upstream) } };
  }
  async pause(upstream: string, until: Date) {
    this.pauses.push({ upstream, until });
  }
}

describeDatabase('the sync worker', (t) => {
  const harness = useTestSyncJobs(t);

  type StateInsert = ReturnType<typeof butlerTables>['contactsSyncState']['$inferInsert'];
  const addState = (accountId: string, values: Partial<StateInsert> = {}) =>
    t.db
      .insert(butlerTables(t.butlerSchema).contactsSyncState)
      .values({ provider: 'memory', accountId, ...values });
  const state = async (accountId: string) =>
    (
      await queryRows<{
        next_incremental_due_at: string | null;
        consecutive_failures: number;
        retry_after: string | null;
      }>(
        t.db,
        sql`select next_incremental_due_at::text, consecutive_failures, retry_after::text
          from ${sql.raw(quoteIdent(t.butlerSchema))}.contacts_sync_state where account_id = ${accountId}`,
      )
    )[0];
  const queued = async () =>
    (
      await queryRows<{ key: string; state: string; priority: number; reason: string }>(
        t.db,
        sql`select singleton_key as key, state::text as state, priority, data->>'reason' as reason
          from ${sql.raw(quoteIdent(harness.jobs.jobSchema))}.job where name = ${SYNC_QUEUE}`,
      )
    )
      .map((row) => `${row.key} ${row.state} p${row.priority} ${row.reason}`)
      .sort();
  const contactCount = async () =>
    Number(
      (
        await queryRows<{ n: string }>(
          t.db,
          sql`select count(*)::text as n from ${sql.raw(quoteIdent(t.butlerSchema))}.contacts_source_links`,
        )
      )[0]?.n,
    );

  /** Accounts of one memory provider; `onPage` injects faults or holds a page. */
  const books = new Map<string, MemoryAddressBook>();
  const opened: string[] = [];
  const handlerOptions = (
    extra: { gate?: UpstreamGate; onPage?: (call: PageCall) => void | Promise<void> } = {},
  ) => ({
    jobs: harness.jobs,
    db: t.db,
    schedule,
    clock,
    random: () => 0,
    workerId: 'w1',
    gate: extra.gate,
    upstreamOf: () => 'memory:project-1',
    openAccount: async (data: { accountId: string }): Promise<SyncAccount> => {
      opened.push(data.accountId);
      const book = books.get(data.accountId) ?? new MemoryAddressBook(3);
      books.set(data.accountId, book);
      return { provider: new MemoryContactsProvider(book, { pageSize: 2, onPage: extra.onPage }) };
    },
  });
  beforeEach(() => {
    books.clear();
    opened.length = 0;
  });
  const fetchOne = async () => {
    const [job] = await harness.jobs.boss.fetch(SYNC_QUEUE);
    if (!job) throw new Error('no job to fetch');
    return job;
  };
  const noStop = new AbortController().signal;
  /** Fetches the next job, runs it through `handle` and completes it, as `work` would. */
  const runOne = async (handle: ReturnType<typeof createSyncJobHandler>) => {
    const job = await fetchOne();
    const report = await handle(job, noStop);
    await harness.jobs.boss.complete(SYNC_QUEUE, job.id);
    return report;
  };

  it('syncs a swept due account in a worker and stores the next due time by the policy', async () => {
    await addState('ada');
    expect(
      await sweepDueAccounts(harness.jobs, { db: t.db, fullIntervalMs: schedule.fullIntervalMs, now }),
    ).toMatchObject({
      enqueued: 1,
    });
    const reports: SyncJobReport[] = [];
    const worker = await startSyncWorker({
      ...handlerOptions(),
      concurrency: 2,
      pollingIntervalSeconds: 0.5,
      onJob: (report) => reports.push(report),
    });
    try {
      await vi.waitFor(() => expect(reports).toHaveLength(1), { timeout: 20_000, interval: 50 });
    } finally {
      await worker.stop();
    }
    expect(reports[0]).toMatchObject({
      key: 'memory:ada',
      outcome: 'synced',
      result: { mode: 'full', completed: true },
    });
    expect(await contactCount()).toBe(3);
    const row = await state('ada');
    expect(new Date(row?.next_incremental_due_at ?? 0)).toEqual(later(schedule.intervalMs));
    expect(row?.consecutive_failures).toBe(0);
    expect(await queued()).toEqual(['memory:ada completed p0 due']);
  });

  it('queues exactly one follow-up for triggers during a running sync, and raises a waiting due job', async () => {
    await addState('ada');
    await sweepDueAccounts(harness.jobs, { db: t.db, fullIntervalMs: schedule.fullIntervalMs, now });
    await fetchOne(); // the due job is running
    for (let i = 0; i < 3; i++)
      await requestSync(harness.jobs, { provider: 'memory', accountId: 'ada', reason: 'trigger' });
    expect(await queued()).toEqual([
      'memory:ada active p0 due',
      `memory:ada created p${TRIGGER_PRIORITY} trigger`,
    ]);

    await addState('bob');
    await sweepDueAccounts(harness.jobs, { db: t.db, fullIntervalMs: schedule.fullIntervalMs, now });
    expect(
      await requestSync(harness.jobs, { provider: 'memory', accountId: 'bob', reason: 'reconcile' }),
    ).toMatchObject({
      action: 'raised',
    });
    expect((await queued()).filter((job) => job.startsWith('memory:bob'))).toEqual([
      `memory:bob created p${TRIGGER_PRIORITY} reconcile`,
    ]);
  });

  it('skips a parked account without opening it, unless a person asked', async () => {
    await addState('ada', { parkedReason: 'auth' });
    const handle = createSyncJobHandler(handlerOptions());
    await harness.jobs.boss.send(
      SYNC_QUEUE,
      { provider: 'memory', accountId: 'ada', reason: 'due' },
      { singletonKey: 'memory:ada' },
    );
    expect(await runOne(handle)).toMatchObject({ outcome: 'skipped' });
    expect(opened).toEqual([]);
    await requestSync(harness.jobs, { provider: 'memory', accountId: 'ada', reason: 'trigger' });
    expect(await runOne(handle)).toMatchObject({ outcome: 'synced' });
    expect(opened).toEqual(['ada']);
  });

  it('skips a due job whose account was synced elsewhere since the sweep', async () => {
    await addState('ada');
    await sweepDueAccounts(harness.jobs, { db: t.db, fullIntervalMs: schedule.fullIntervalMs, now });
    await t.db
      .update(butlerTables(t.butlerSchema).contactsSyncState)
      .set({ nextIncrementalDueAt: later(600_000), nextFullDueAt: later(86_400_000), lastFullSyncAt: now });
    const handle = createSyncJobHandler(handlerOptions());
    expect(await runOne(handle)).toMatchObject({ outcome: 'skipped' });
    expect(opened).toEqual([]);
  });

  it('ends a job without syncing while another live owner holds the account lease', async () => {
    const calls: PageCall[] = [];
    await addState('ada', { lockOwner: 'other-box#42#c0ffee', lockExpiresAt: later(60_000) });
    const handle = createSyncJobHandler(handlerOptions({ onPage: (call) => void calls.push(call) }));
    await sweepDueAccounts(harness.jobs, {
      db: t.db,
      fullIntervalMs: schedule.fullIntervalMs,
      now: later(120_000),
    });
    await requestSync(harness.jobs, { provider: 'memory', accountId: 'ada', reason: 'trigger' });
    expect(await runOne(handle)).toMatchObject({ outcome: 'busy' });
    expect(calls).toEqual([]);
    expect(await state('ada')).toMatchObject({ consecutive_failures: 0, next_incremental_due_at: null });
  });

  it('pauses the upstream on a project-wide 429 and defers the job without counting a failure', async () => {
    const gate = new RecordingGate();
    await addState('ada');
    const handle = createSyncJobHandler(
      handlerOptions({
        gate,
        onPage: () => {
          throw new ProviderError('RATE_LIMITED', 'Quota exceeded for quota metric', {
            retryAfterMs: 30_000,
            rateLimitScope: 'project',
          });
        },
      }),
    );
    await sweepDueAccounts(harness.jobs, { db: t.db, fullIntervalMs: schedule.fullIntervalMs, now });
    const report = await handle(await fetchOne(), noStop);
    expect(report).toMatchObject({ outcome: 'deferred', retryAt: later(30_000) });
    expect(gate.pauses).toEqual([{ upstream: 'memory:project-1', until: later(30_000) }]);
    expect(gate.released).toEqual(['memory:project-1']);
    expect(await state('ada')).toMatchObject({ consecutive_failures: 0, retry_after: null });
    expect(await queued()).toEqual(['memory:ada active p0 due', 'memory:ada created p0 due']);
  });

  it('counts a user-scope 429 against the account, as the policy says', async () => {
    await addState('ada');
    const handle = createSyncJobHandler(
      handlerOptions({
        onPage: () => {
          throw new ProviderError('RATE_LIMITED', 'Per-user quota', {
            retryAfterMs: 30_000,
            rateLimitScope: 'user',
          });
        },
      }),
    );
    await sweepDueAccounts(harness.jobs, { db: t.db, fullIntervalMs: schedule.fullIntervalMs, now });
    expect(await runOne(handle)).toMatchObject({ outcome: 'failed' });
    expect(await state('ada')).toMatchObject({ consecutive_failures: 1 });
  });

  it('sends the job again for the gate retry time when the upstream is full', async () => {
    const gate = new RecordingGate();
    gate.refuseUntil = later(5_000);
    await addState('ada');
    const handle = createSyncJobHandler(handlerOptions({ gate }));
    await sweepDueAccounts(harness.jobs, { db: t.db, fullIntervalMs: schedule.fullIntervalMs, now });
    expect(await runOne(handle)).toMatchObject({
      outcome: 'deferred',
      retryAt: later(5_000),
    });
    expect(opened).toEqual([]);
    expect(await state('ada')).toMatchObject({ consecutive_failures: 0 });
    expect(await queued()).toEqual(['memory:ada completed p0 due', 'memory:ada created p0 due']);
  });

  it('stops gracefully: waits for the running job, then aborts it after the grace', async () => {
    await addState('ada');
    await sweepDueAccounts(harness.jobs, { db: t.db, fullIntervalMs: schedule.fullIntervalMs, now });
    let release = () => {};
    let entered = () => {};
    const inPage = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const graces: (() => void)[] = [];
    const timers: WorkerTimers = { setTimeout: (callback) => graces.push(callback), clearTimeout: () => {} };
    const reports: SyncJobReport[] = [];
    const worker = await startSyncWorker({
      ...handlerOptions({
        onPage: async (call) => {
          if (call.page !== 1) return;
          entered();
          await held;
        },
      }),
      pollingIntervalSeconds: 0.5,
      timers,
      onJob: (report) => reports.push(report),
    });
    await inPage;
    const stopped = worker.stop();
    await vi.waitFor(() => expect(graces).toHaveLength(1));
    expect(worker.running()).toBe(1);
    graces[0]?.(); // the grace is over: the job's signal aborts
    release(); // the page in flight ends and commits
    await stopped;
    expect(reports).toEqual([expect.objectContaining({ outcome: 'stopped' })]);
    expect(await contactCount()).toBe(2); // the first page of 2 committed, the checkpoint resumes
  });
});
