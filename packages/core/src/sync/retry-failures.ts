/**
 * The retry, at the end of a completed cycle, of contacts that failed in earlier ones: their
 * stored payloads are applied again, so a contact fixed by a later release (or by a page that
 * failed for a passing reason) arrives without waiting for the source to change it.
 */
import { type ContactsDatabase, queryRows } from '@contacts/schema';
import { sql } from 'drizzle-orm';
import type { ContactBackfillEngine } from '../backfill/engine.js';
import { type BackfillSummary, emptySummary } from '../backfill/summary.js';
import type { SeenScope } from './full-sync-seen.js';

/** At most this many failures a cycle, the oldest first. */
const RETRY_FAILURES_LIMIT = 1000;

/**
 * Applies again the contacts that failed in earlier cycles and were not seen in this one.
 *
 * @example
 * ```ts
 * summary = addSummaries(summary, await retryFailures(db, scope, engine, outcome.skips));
 * ```
 */
export async function retryFailures(
  db: ContactsDatabase,
  scope: SeenScope,
  engine: ContactBackfillEngine,
  /** The ids this cycle saw again or failed itself (`RetrySkips`). */
  seen: { has(id: string): boolean },
  /** Called with the payloads before they are applied (the cycle lists groups they name). */
  beforeApply?: (payloads: readonly unknown[]) => Promise<void>,
): Promise<BackfillSummary> {
  const s = sql.identifier(scope.butlerSchema);
  const rows = await queryRows<{ id: string; raw: string | null }>(
    db,
    sql`select external_contact_id as id, raw::text as raw from ${s}.contacts_sync_failures
      where provider = ${scope.provider} and account_id = ${scope.accountId} and raw is not null
      order by last_failed_at limit ${RETRY_FAILURES_LIMIT}`,
  );
  const payloads = rows.filter((r) => !seen.has(r.id) && r.raw).map((r) => JSON.parse(r.raw!) as unknown);
  if (payloads.length === 0) return emptySummary();
  await beforeApply?.(payloads);
  const result = await engine.applyBatch(payloads);
  // Retries are not new fetches.
  return { ...result, fetched: 0 };
}
