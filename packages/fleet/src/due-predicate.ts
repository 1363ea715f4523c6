import { type SQL, sql } from 'drizzle-orm';

/**
 * The due predicate of the sync policy's `planWake` for a poller's periodic wake (not at startup,
 * not triggered), in SQL over `contacts_sync_state` aliased `s`: no source retry-after pending,
 * and the incremental due time unset or past, or (no failure backing off) a full sync due: the
 * earlier of `next_full_due_at` and `last_full_sync_at` plus the interval, unset when neither is
 * (never synced). A test holds the two equal on every combination of the columns. Shared with
 * the queue's status (`readSyncQueue`).
 *
 * @example
 * ```ts
 * sql`select count(*) from contacts_sync_state s where ${duePredicate(fullIntervalMs, at)}`;
 * ```
 */
export function duePredicate(fullIntervalMs: number, at: SQL): SQL {
  const full = sql`least(s.next_full_due_at, s.last_full_sync_at + ${fullIntervalMs} * interval '1 millisecond')`;
  return sql`(s.retry_after is null or s.retry_after <= ${at})
    and (s.next_incremental_due_at is null or s.next_incremental_due_at <= ${at}
      or (s.consecutive_failures = 0 and (${full} is null or ${full} <= ${at})))`;
}
