import { performance } from 'node:perf_hooks';
import { createSyncQueue, openSyncJobs, SYNC_QUEUE, sweepDueAccounts } from '@contacts/fleet';
import { DEFAULT_BUTLER_SCHEMA, quoteIdent } from '@contacts/schema';
import { sql } from 'drizzle-orm';
import { createFleetDatabase, fleetConnection } from './fleet-database.js';

/**
 * The queue's own cost at one size: sweeping every due account into a job (batches of 1,000),
 * then fetching and completing a sample of jobs one by one (what each worker job costs the queue,
 * whatever the sync does), in statements and milliseconds.
 *
 * @example
 * ```ts
 * const cost: QueueCost = { accounts: 1000, sweep: { batches: 1, ms: 40, statements: 4, firstBatchMs: 40, lastBatchMs: 40 }, job: { sampled: 1000, ms: 1.1, statements: 2 } };
 * ```
 */
export interface QueueCost {
  accounts: number;
  sweep: { batches: number; ms: number; statements: number; firstBatchMs: number; lastBatchMs: number };
  /** Per job: fetch + complete, averaged over `sampled` jobs. */
  job: { sampled: number; ms: number; statements: number };
}

const FULL_INTERVAL_MS = 6 * 86_400_000;

/**
 * Measures {@link QueueCost} for `accounts` tiny accounts in a throwaway PostgreSQL database
 * next to `adminUrl`: the accounts are inserted due (one statement), analysed as autovacuum would,
 * swept, then `sample` jobs fetched and completed.
 *
 * @example
 * ```ts
 * const cost = await measureQueueCost(adminUrl, 10_000, 1000);
 * ```
 */
export async function measureQueueCost(
  adminUrl: string,
  accounts: number,
  sample: number,
): Promise<QueueCost> {
  const database = await createFleetDatabase(adminUrl, `contacts_bench_fleet_queue_${accounts}`);
  const conn = fleetConnection(database.url, 2);
  const jobs = await openSyncJobs({ db: conn.db, butlerSchema: DEFAULT_BUTLER_SCHEMA, maintenance: false });
  try {
    await createSyncQueue(jobs.boss);
    const state = sql.raw(`${quoteIdent(DEFAULT_BUTLER_SCHEMA)}.contacts_sync_state`);
    const now = new Date();
    await conn.db.execute(
      sql`insert into ${state} (provider, account_id, next_incremental_due_at)
        select 'google', 'account-' || n, ${now.toISOString()}::timestamptz - n * interval '1 second'
        from generate_series(1, ${accounts}::int) as n`,
    );
    await conn.db.execute(sql`analyze ${state}`);

    const batchMs: number[] = [];
    let statements = conn.statements();
    for (;;) {
      const started = performance.now();
      const swept = await sweepDueAccounts(jobs, { db: conn.db, fullIntervalMs: FULL_INTERVAL_MS, now });
      batchMs.push(performance.now() - started);
      if (swept.due === 0) break;
    }
    const sweep = {
      batches: batchMs.length - 1,
      ms: batchMs.reduce((a, b) => a + b, 0),
      statements: conn.statements() - statements,
      firstBatchMs: batchMs[0] ?? 0,
      lastBatchMs: batchMs.at(-2) ?? 0,
    };

    const taken = Math.min(sample, accounts);
    statements = conn.statements();
    const started = performance.now();
    for (let i = 0; i < taken; i++) {
      const [job] = await jobs.boss.fetch(SYNC_QUEUE);
      if (!job) throw new Error(`the queue ran dry after ${i} of ${taken} jobs`);
      await jobs.boss.complete(SYNC_QUEUE, job.id);
    }
    const job = {
      sampled: taken,
      ms: (performance.now() - started) / taken,
      statements: (conn.statements() - statements) / taken,
    };
    return { accounts, sweep, job };
  } finally {
    await jobs.stop();
    await conn.end();
    await database.drop();
  }
}
