/**
 * What an unfinished listing recorded, kept in `contacts_sync_seen` (one row per committed page,
 * written in the page's transaction): the ids a FULL sync saw, or those an INCREMENTAL one was told
 * were deleted (applied, or held, when the listing ends). A listing killed after some pages and
 * resumed later can then still prove which links its earlier pages saw, and tombstone the others
 * when it completes. Unchanged contacts still cost no write to their rows: a page costs one small
 * insert here.
 */
import type { ContactsDatabase } from '@contacts/schema';
import { queryRows } from '@contacts/schema';
import { sql } from 'drizzle-orm';
import { toJsonText } from '../backfill/json-rows.js';
import type { DeletionGuard } from './deletion-guard.js';
import { tombstoneEffects } from './tombstone-effects.js';

/** Which account's seen ids, in which butler schema. */
export interface SeenScope {
  butlerSchema: string;
  provider: string;
  accountId: string;
}

/** Forgets what an earlier, abandoned listing of the account recorded (a listing starting over). */
export async function clearListingIds(tx: ContactsDatabase, scope: SeenScope): Promise<void> {
  const s = sql.identifier(scope.butlerSchema);
  await tx.execute(
    sql`delete from ${s}.contacts_sync_seen where provider = ${scope.provider} and account_id = ${scope.accountId}`,
  );
}

/**
 * Records the external ids one page of a listing saw (full) or was told were deleted
 * (incremental): one statement, whatever the page size.
 */
export async function recordListingIds(
  tx: ContactsDatabase,
  scope: SeenScope,
  ids: Iterable<string>,
): Promise<void> {
  const s = sql.identifier(scope.butlerSchema);
  // A json array, not a text[] literal: ids may hold commas, quotes and braces; toJsonText
  // writes them as jsonb stores them (no NUL, no lone surrogate).
  await tx.execute(
    sql`insert into ${s}.contacts_sync_seen (provider, account_id, external_ids)
      select ${scope.provider}, ${scope.accountId}, coalesce(array_agg(x.id), '{}')
      from jsonb_array_elements_text(${toJsonText([...ids])}::text::jsonb) as x(id)`,
  );
}

/**
 * What the sweep of a completed full sync did: `tombstoned` links, or, when the deletion guard
 * held them, the `held` ones (`count` of the account's `of` live links, and their ids).
 */
export interface SweepResult {
  tombstoned: number;
  held: { count: number; of: number; ids: string[] } | null;
}

/**
 * Ends a completed full sync that saw every live contact: links of the account that no page saw
 * were deleted at the source and get `deleted_at` (logged as `contact_sync_deleted_source`); failed
 * contacts no page saw are dropped too (retrying their old payload would bring back a person the
 * source deleted); the seen rows are emptied. Unless the deletion guard holds them (every link, or
 * too large a share, unseen: more often a listing gone wrong than a wish): then nothing is
 * tombstoned, logged or dropped, and their ids are returned for the hold. One statement, in the
 * last page's transaction, so a crash never leaves a full sync marked done with its sweep undone.
 */
export async function sweepUnseen(
  tx: ContactsDatabase,
  scope: SeenScope,
  now: Date,
  guard: DeletionGuard,
): Promise<SweepResult> {
  const { provider, accountId } = scope;
  const s = sql.identifier(scope.butlerSchema);
  const at = now.toISOString();
  // NOT IN over the materialized set is a hashed subplan (one hash of the seen ids, one probe per
  // link). NOT EXISTS against the CTE was planned as a nested loop: 73 s instead of 2 s at 25,000.
  // The guard is judged in the statement (the same rule as holdsDeletions), so the fast path
  // stays one statement; the unseen ids travel back only when held.
  const rows = await queryRows<{ n: number; total: number; go: boolean; ids: string | null }>(
    tx,
    sql`with seen as materialized (
        select distinct unnest(r.external_ids) as id from ${s}.contacts_sync_seen r
        where r.provider = ${provider} and r.account_id = ${accountId}),
      live as materialized (
        select l.external_contact_id as id from ${s}.contacts_source_links l
        where l.provider = ${provider} and l.account_id = ${accountId} and l.deleted_at is null),
      unseen as materialized (select id from live where id not in (select id from seen)),
      verdict as materialized (
        select n, total, not (n > 0 and (n >= total
          or (total >= ${guard.minContacts}::int and n * 100 > ${guard.maxPercent}::int * total))) as go
        from (select (select count(*) from unseen)::int as n, (select count(*) from live)::int as total) c),
      gone as (
        update ${s}.contacts_source_links l set deleted_at = ${at}::timestamptz
        where l.provider = ${provider} and l.account_id = ${accountId} and l.deleted_at is null
          and l.external_contact_id in (select id from unseen) and (select go from verdict)
        returning l.external_contact_id, l.local_contact_id),
      dropped as (
        delete from ${s}.contacts_sync_failures f
        where f.provider = ${provider} and f.account_id = ${accountId}
          and f.external_contact_id not in (select id from seen) and (select go from verdict)
        returning 1),
      cleared as (
        delete from ${s}.contacts_sync_seen r where r.provider = ${provider} and r.account_id = ${accountId}
        returning 1),
      ${tombstoneEffects(scope, at, 'not seen by a full sync')}
      select v.n, v.total, v.go,
        case when v.go then null else (select coalesce(jsonb_agg(id), '[]'::jsonb)::text from unseen) end as ids
      from verdict v`,
  );
  const row = rows[0];
  const n = Number(row?.n ?? 0);
  if (!row || row.go === true || String(row.go) === 'true') return { tombstoned: n, held: null };
  return {
    tombstoned: 0,
    held: { count: n, of: Number(row.total), ids: JSON.parse(row.ids ?? '[]') as string[] },
  };
}
