import { type ContactsDatabase, queryRows, quoteIdent } from '@contacts/schema';
import { sql } from 'drizzle-orm';
import type { JobInsert } from 'pg-boss';
import { bossTransaction } from './boss-database.js';
import { duePredicate } from './due-predicate.js';
import { SYNC_QUEUE, type SyncJobData, type SyncJobs, syncJobKey } from './sync-jobs.js';

/**
 * Accounts one sweep sends at most, unless its options say otherwise: a sweep that found this
 * many may have left more due.
 *
 * @example
 * ```ts
 * if (result.due === DEFAULT_SWEEP_LIMIT) await sweepDueAccounts(jobs, options); // more due
 * ```
 */
export const DEFAULT_SWEEP_LIMIT = 1000;

/**
 * Options of {@link sweepDueAccounts}.
 *
 * @example
 * ```ts
 * const options: SweepOptions = { db, fullIntervalMs: 6 * 86_400_000, now: new Date(), limit: 1000 };
 * ```
 */
export interface SweepOptions {
  /** The host's database (the one {@link SyncJobs} runs on). */
  db: ContactsDatabase;
  /** `full_sync_interval_days` in ms: a full sync falls due this long after the last one. */
  fullIntervalMs: number;
  now: Date;
  /** At most this many accounts per sweep, the longest-due first (default 1,000). */
  limit?: number;
  /**
   * How long the sweep's transaction may sit idle between its statements before the server ends
   * its session, in ms (default 10 s): a sweeper process that is stopped (SIGSTOP, a frozen VM)
   * mid-sweep would otherwise hold the sweep's lock, and every other sweeper would skip, for ever.
   */
  idleTimeoutMs?: number;
}

/**
 * What one sweep did: `skipped` when another sweeper held the sweep (nothing was read), else the
 * due accounts it found (without a job yet) and the jobs it sent (fewer when a job appeared
 * meanwhile: pg-boss's unique index skips it).
 *
 * @example
 * ```ts
 * const result: SweepResult = { skipped: false, due: 3, enqueued: 3 };
 * ```
 */
export interface SweepResult {
  skipped: boolean;
  due: number;
  enqueued: number;
}

interface DueRow {
  provider: string;
  account_id: string;
}

/**
 * Turns due accounts into sync jobs, in one transaction: takes the sweep (a transaction-scoped
 * advisory lock, so one sweeper runs at a time and a second returns `skipped` at once), selects
 * up to `limit` accounts that are due (the sync policy's predicate), not parked (`auth`,
 * `disabled`), not held by a live sync lease and without a job already waiting or running, the
 * longest-due first, and inserts one job per account keyed by provider and account. Rows another
 * transaction is writing are skipped (`FOR UPDATE SKIP LOCKED`): the next sweep sees them.
 *
 * Idempotent: the queue's `stately` policy and the `not exists` on pg-boss's job table make a
 * second sweep add nothing for an account that has a job waiting or running. The accounts are the
 * rows of `contacts_sync_state`: an account the host never registered there is not swept.
 *
 * @example
 * ```ts
 * const r = await sweepDueAccounts(jobs, { db, fullIntervalMs: 6 * 86_400_000, now: new Date() });
 * if (r.due === 1000) await sweepDueAccounts(jobs, { db, fullIntervalMs, now: new Date() }); // more
 * ```
 */
export async function sweepDueAccounts(jobs: SyncJobs, options: SweepOptions): Promise<SweepResult> {
  const { now, fullIntervalMs } = options;
  const limit = options.limit ?? DEFAULT_SWEEP_LIMIT;
  // An ISO string with a cast: postgres.js under drizzle's raw `sql` cannot bind a Date.
  const at = sql`${now.toISOString()}::timestamptz`;
  const syncState = sql.raw(`${quoteIdent(jobs.butlerSchema)}.contacts_sync_state`);
  const jobTable = sql.raw(`${quoteIdent(jobs.jobSchema)}.job`);
  // The sweep's advisory lock, per butler schema (two butlers sweep their own accounts at once).
  const sweepLock = `contacts-sweep:${jobs.butlerSchema}`;
  const idleTimeoutMs = Math.max(1, Math.round(options.idleTimeoutMs ?? 10_000));
  return options.db.transaction(async (tx) => {
    // A whole number of ms, checked above: SET takes no parameter.
    await tx.execute(sql.raw(`set local idle_in_transaction_session_timeout = ${idleTimeoutMs}`));
    const [lock] = await queryRows<{ taken: boolean }>(
      tx,
      sql`select pg_try_advisory_xact_lock(hashtext(${sweepLock})) as taken`,
    );
    if (!lock?.taken) return { skipped: true, due: 0, enqueued: 0 };
    // pg-boss's job table is read here, by name: its `job_i3` unique index (name, state, key)
    // where state <= 'active' of a stately queue answers the `not exists`. The version is pinned.
    const due = await queryRows<DueRow>(
      tx,
      sql`select s.provider, s.account_id from ${syncState} s
        where s.parked_reason is null
          and (s.lock_expires_at is null or s.lock_expires_at <= ${at})
          and ${duePredicate(fullIntervalMs, at)}
          and not exists (
            select 1 from ${jobTable} j
            where j.name = ${SYNC_QUEUE} and j.policy = 'stately' and j.state <= 'active'
              and coalesce(j.singleton_key, '') = s.provider || ':' || s.account_id)
        order by s.next_incremental_due_at asc nulls first, s.provider, s.account_id
        limit ${limit}
        for update of s skip locked`,
    );
    if (due.length === 0) return { skipped: false, due: 0, enqueued: 0 };
    const batch: JobInsert<SyncJobData>[] = due.map((row) => ({
      singletonKey: syncJobKey(row.provider, row.account_id),
      data: { provider: row.provider, accountId: row.account_id, reason: 'due' },
    }));
    const ids = await jobs.boss.insert(SYNC_QUEUE, batch, { db: bossTransaction(tx), returnId: true });
    return { skipped: false, due: due.length, enqueued: ids?.length ?? 0 };
  });
}
