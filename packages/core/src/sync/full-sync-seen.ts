/**
 * What an unfinished FULL sync has seen, kept in `contacts_sync_seen` (one row per committed page,
 * written in the page's transaction). A full sync killed after some pages and resumed later can
 * then still prove which links its earlier pages saw, and tombstone the others when it completes.
 * Unchanged contacts still cost no write to their rows: a page costs one small insert here.
 */
import type { ContactsDatabase } from '@contacts/schema';
import { queryRows } from '@contacts/schema';
import { sql } from 'drizzle-orm';
import { toJsonText } from '../backfill/json-rows.js';
import { markDeletedInProvenance, sourceKey } from '../backfill/provenance-codec.js';

/** Which account's seen ids, in which butler schema. */
export interface SeenScope {
  butlerSchema: string;
  provider: string;
  accountId: string;
}

/** Forgets what an earlier, abandoned full sync of the account saw (a full sync starting over). */
export async function clearFullSyncSeen(tx: ContactsDatabase, scope: SeenScope): Promise<void> {
  const s = sql.identifier(scope.butlerSchema);
  await tx.execute(
    sql`delete from ${s}.contacts_sync_seen where provider = ${scope.provider} and account_id = ${scope.accountId}`,
  );
}

/** Records the external ids one page of a full sync saw (one statement, whatever the page size). */
export async function recordFullSyncSeen(
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
 * Ends a completed full sync that saw every live contact: links of the account that no page saw
 * were deleted at the source and get `deleted_at` (logged as `contact_sync_deleted_source`); failed
 * contacts no page saw are dropped too (retrying their old payload would bring back a person the
 * source deleted); the seen rows are emptied. One statement, in the last page's transaction, so a
 * crash never leaves a full sync marked done with its sweep undone. Returns the tombstoned count.
 */
export async function tombstoneUnseen(tx: ContactsDatabase, scope: SeenScope, now: Date): Promise<number> {
  const { provider, accountId } = scope;
  const s = sql.identifier(scope.butlerSchema);
  const at = now.toISOString();
  const where = `${provider} (${accountId})`;
  // NOT IN over the materialized set is a hashed subplan (one hash of the seen ids, one probe per
  // link). NOT EXISTS against the CTE was planned as a nested loop: 73 s instead of 2 s at 25,000.
  const rows = await queryRows<{ n: number }>(
    tx,
    sql`with seen as materialized (
        select distinct unnest(r.external_ids) as id from ${s}.contacts_sync_seen r
        where r.provider = ${provider} and r.account_id = ${accountId}),
      gone as (
        update ${s}.contacts_source_links l set deleted_at = ${at}::timestamptz
        where l.provider = ${provider} and l.account_id = ${accountId} and l.deleted_at is null
          and l.external_contact_id not in (select id from seen)
        returning l.external_contact_id, l.local_contact_id),
      flagged as (${markDeletedInProvenance(sql`gone`, sourceKey(provider, accountId))}),
      dropped as (
        delete from ${s}.contacts_sync_failures f
        where f.provider = ${provider} and f.account_id = ${accountId}
          and f.external_contact_id not in (select id from seen)
        returning 1),
      cleared as (
        delete from ${s}.contacts_sync_seen r where r.provider = ${provider} and r.account_id = ${accountId}
        returning 1),
      logged as (
        insert into ${s}.activity_feed (contact_id, type, description, details, created_at)
        select g.local_contact_id, 'contact_sync_deleted_source',
          c.name || ${` was deleted in ${where}; the contact is kept here.`},
          jsonb_build_object('provider', ${provider}::text, 'account_id', ${accountId}::text, 'external_id', g.external_contact_id, 'reason', 'not seen by a full sync'),
          ${at}::timestamptz
        from gone g join shared.contacts c on c.id = g.local_contact_id
        returning 1)
      select (select count(*) from gone)::int as n`,
  );
  return Number(rows[0]?.n ?? 0);
}
