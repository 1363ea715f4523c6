import { assertButlerSchemaName, type ContactsDatabase, queryRows, quoteIdent } from '@contacts/schema';
import { sql } from 'drizzle-orm';
import { duePredicate } from './due-predicate.js';

// The queue's name and the job key, spelled here rather than imported from sync-jobs.ts: this
// file reads tables only and must not load pg-boss (`contacts status` imports it).
const QUEUE = 'contacts-sync';

/**
 * Where one source (provider, account) stands in the sync queue: `running` (a job is active),
 * `waiting` (a job waits, maybe deferred), `due` (no job yet, but due: the next sweep sends one),
 * `failed` (its last job failed: a lost worker or a broken job; the sweeper sends it again when
 * due), `parked` (auth or disabled: nothing is sent), or `idle`.
 *
 * @example
 * ```ts
 * const entry: SyncQueueEntry = { provider: 'google', accountId: 'ada', state: 'running', running: true, waiting: false, due: false, lastJobFailed: false, parkedReason: null };
 * ```
 */
export interface SyncQueueEntry {
  provider: string;
  accountId: string;
  state: 'running' | 'waiting' | 'due' | 'failed' | 'parked' | 'idle';
  running: boolean;
  waiting: boolean;
  due: boolean;
  lastJobFailed: boolean;
  parkedReason: 'auth' | 'disabled' | null;
}

/**
 * The queue per source, and how many sources are in each state; `jobs` is false when the job
 * schema holds no sync job at all (no fleet ran here: the status shows nothing of the queue).
 *
 * @example
 * ```ts
 * const report: SyncQueueReport = { jobs: true, sources: [], totals: { running: 0, waiting: 0, due: 0, failed: 0, parked: 0, idle: 0 } };
 * ```
 */
export interface SyncQueueReport {
  jobs: boolean;
  sources: SyncQueueEntry[];
  totals: Record<SyncQueueEntry['state'], number>;
}

interface QueueRow {
  provider: string;
  account_id: string;
  parked_reason: 'auth' | 'disabled' | null;
  due: boolean;
  running: boolean;
  waiting: boolean;
  failed: boolean;
}

/**
 * Reads the sync queue of a butler per source, in two statements whatever the number of sources:
 * whether pg-boss's job table exists and holds sync jobs, then every row of
 * `contacts_sync_state` with its jobs (running, waiting, the last one ended failed) and whether it
 * is due by the sweeper's own predicate. Reads only: no pg-boss is started.
 *
 * @example
 * ```ts
 * const queue = await readSyncQueue(db, { butlerSchema: 'relationship', jobSchema: 'relationship_jobs' });
 * if (queue.jobs) console.log(`${queue.totals.running} running, ${queue.totals.waiting} waiting`);
 * ```
 */
export async function readSyncQueue(
  db: ContactsDatabase,
  options: {
    butlerSchema: string;
    jobSchema: string;
    now?: Date;
    /** `full_sync_interval_days` in ms, for the due predicate (default 6 days). */
    fullIntervalMs?: number;
    /** Only this source (a status of one account); default every source. */
    source?: { provider: string; accountId: string };
  },
): Promise<SyncQueueReport> {
  const butlerSchema = assertButlerSchemaName(options.butlerSchema);
  const jobSchema = assertButlerSchemaName(options.jobSchema);
  const totals: SyncQueueReport['totals'] = { running: 0, waiting: 0, due: 0, failed: 0, parked: 0, idle: 0 };
  const jobTable = `${quoteIdent(jobSchema)}.job`;
  const [present] = await queryRows<{ table: string | null }>(
    db,
    sql`select to_regclass(${jobTable})::text as table`,
  );
  if (!present?.table) return { jobs: false, sources: [], totals };
  const jobs = sql.raw(jobTable);
  const [any] = await queryRows<{ found: boolean }>(
    db,
    sql`select exists (select 1 from ${jobs} where name = ${QUEUE}) as found`,
  );
  if (!any?.found) return { jobs: false, sources: [], totals };
  const at = sql`${(options.now ?? new Date()).toISOString()}::timestamptz`;
  const fullIntervalMs = options.fullIntervalMs ?? 6 * 86_400_000;
  const rows = await queryRows<QueueRow>(
    db,
    sql`select s.provider, s.account_id, s.parked_reason,
        (s.parked_reason is null and ${duePredicate(fullIntervalMs, at)}) as due,
        coalesce(j.running, false) as running, coalesce(j.waiting, false) as waiting,
        coalesce(j.last_state = 'failed', false) as failed
      from ${sql.raw(`${quoteIdent(butlerSchema)}.contacts_sync_state`)} s
      left join lateral (
        select bool_or(state = 'active') as running, bool_or(state in ('created', 'retry')) as waiting,
          (array_agg(state::text order by completed_on desc nulls last)
            filter (where state in ('completed', 'failed', 'cancelled')))[1] as last_state
        from ${jobs}
        where name = ${QUEUE} and singleton_key = s.provider || ':' || s.account_id
      ) j on true
      ${options.source ? sql`where s.provider = ${options.source.provider} and s.account_id = ${options.source.accountId}` : sql``}
      order by s.provider, s.account_id`,
  );
  const sources = rows.map((row): SyncQueueEntry => {
    const state: SyncQueueEntry['state'] = row.parked_reason
      ? 'parked'
      : row.running
        ? 'running'
        : row.waiting
          ? 'waiting'
          : row.failed
            ? 'failed'
            : row.due
              ? 'due'
              : 'idle';
    totals[state] += 1;
    return {
      provider: row.provider,
      accountId: row.account_id,
      state,
      running: row.running,
      waiting: row.waiting,
      due: row.due && !row.running && !row.waiting,
      lastJobFailed: row.failed,
      parkedReason: row.parked_reason,
    };
  });
  return { jobs: true, sources, totals };
}
