/**
 * Deletions the deletion guard held, kept in `contacts_sync_state.deletion_hold` until a person
 * confirms them or a full listing judges the account again, and the deletions an incremental
 * listing was told about, which wait for its end to be judged all at once.
 */
import type { ContactsDatabase } from '@contacts/schema';
import { queryRows } from '@contacts/schema';
import { sql } from 'drizzle-orm';
import { storableText } from '../backfill/desired-contact.js';
import { toJsonText } from '../backfill/json-rows.js';
import { CanonicalContact } from '../model/canonical-contact.js';
import { type DeletionGuard, type DeletionHold, holdsDeletions } from './deletion-guard.js';
import { clearListingIds, recordListingIds, type SeenScope } from './full-sync-seen.js';
import { tombstoneEffects } from './tombstone-effects.js';

/**
 * Takes the deletions out of an incremental page: they wait for the listing's end, where the
 * deletion guard judges them all at once (a page's transaction commits before the next page is
 * known). `deleted` holds each tombstone's id and its former ids (a renamed contact's link may
 * still be under one), as links store them; `rest` goes to the engine now, in page order.
 *
 * @example
 * ```ts
 * const { rest, deleted } = takeDeletions(batch.contacts);
 * ```
 */
export function takeDeletions(contacts: readonly unknown[]): { rest: unknown[]; deleted: string[] } {
  const rest: unknown[] = [];
  const deleted: string[] = [];
  for (const input of contacts) {
    const tombstone =
      (input as { deleted?: unknown } | null)?.deleted === true ? CanonicalContact.safeParse(input) : null;
    if (tombstone?.success && tombstone.data.deleted) {
      deleted.push(storableText(tombstone.data.external_id));
      for (const previous of tombstone.data.previous_external_ids) deleted.push(storableText(previous));
    } else {
      rest.push(input);
    }
  }
  return { rest, deleted };
}

/**
 * What an incremental listing was told was deleted, by the end of it: every id its pages
 * recorded (`listed`), and those still linked live here (`live`: the deletions the guard judges),
 * of the account's `of` live links.
 */
export interface ListedDeletions {
  listed: string[];
  live: string[];
  of: number;
}

/**
 * What an incremental listing was told was deleted, at its last page: what its earlier pages
 * recorded (`recordListingIds`) and the last page's own `deleted`, in one statement.
 */
export async function listedDeletions(
  tx: ContactsDatabase,
  scope: SeenScope,
  deleted: readonly string[],
): Promise<ListedDeletions> {
  const { provider, accountId } = scope;
  const s = sql.identifier(scope.butlerSchema);
  const rows = await queryRows<{ listed: string; live: string; total: number }>(
    tx,
    sql`with listed as materialized (
        select unnest(r.external_ids) as id from ${s}.contacts_sync_seen r
        where r.provider = ${provider} and r.account_id = ${accountId}
        union select jsonb_array_elements_text(${toJsonText(deleted)}::text::jsonb))
      select (select coalesce(jsonb_agg(id), '[]'::jsonb) from listed)::text as listed,
        (select coalesce(jsonb_agg(l.external_contact_id), '[]'::jsonb) from ${s}.contacts_source_links l
          where l.provider = ${provider} and l.account_id = ${accountId} and l.deleted_at is null
            and l.external_contact_id in (select id from listed))::text as live,
        (select count(*) from ${s}.contacts_source_links l
          where l.provider = ${provider} and l.account_id = ${accountId} and l.deleted_at is null)::int as total`,
  );
  const row = rows[0];
  return {
    listed: JSON.parse(row?.listed ?? '[]') as string[],
    live: JSON.parse(row?.live ?? '[]') as string[],
    of: Number(row?.total ?? 0),
  };
}

/**
 * A hold to store: the listing's `mode`, the ids it would have tombstoned, the account's live
 * links `of` and when it was listed.
 */
export interface NewDeletionHold {
  mode: 'full' | 'incremental';
  ids: readonly string[];
  of: number;
  listedAt: Date;
}

/**
 * Stores a hold. A full listing judged every link and replaces any earlier hold; an incremental
 * one adds its ids to a standing hold (`merge`), so one confirmation covers what the status shows.
 */
export async function saveDeletionHold(
  tx: ContactsDatabase,
  scope: SeenScope,
  hold: NewDeletionHold,
  merge: boolean,
): Promise<number> {
  const { provider, accountId } = scope;
  const s = sql.identifier(scope.butlerSchema);
  const rows = await queryRows<{ count: number }>(
    tx,
    sql`update ${s}.contacts_sync_state st set deletion_hold = jsonb_build_object(
        'mode', ${hold.mode}::text, 'of', ${hold.of}::int, 'listed_at', ${hold.listedAt.toISOString()}::text,
        'count', jsonb_array_length(u.ids), 'ids', u.ids)
      from (select coalesce(jsonb_agg(distinct x.id), '[]'::jsonb) as ids from (
          select jsonb_array_elements_text(${toJsonText(hold.ids)}::text::jsonb) as id
          union select jsonb_array_elements_text(coalesce(h.deletion_hold -> 'ids', '[]'::jsonb))
            from ${s}.contacts_sync_state h
            where ${merge ? 1 : 0}::int = 1 and h.provider = ${provider} and h.account_id = ${accountId}) x) u
      where st.provider = ${provider} and st.account_id = ${accountId}
      returning jsonb_array_length(u.ids) as count`,
  );
  return Number(rows[0]?.count ?? 0);
}

/** Forgets a hold: a full listing that judged the account again found nothing to hold. */
export async function clearDeletionHold(tx: ContactsDatabase, scope: SeenScope): Promise<void> {
  const s = sql.identifier(scope.butlerSchema);
  await tx.execute(
    sql`update ${s}.contacts_sync_state set deletion_hold = null
      where provider = ${scope.provider} and account_id = ${scope.accountId} and deletion_hold is not null`,
  );
}

/**
 * A person's confirmation: tombstones the held links (logged as `contact_sync_deleted_source`,
 * their failures dropped) and clears the hold, in one statement. A link seen since the hold's
 * listing (written by a later page, so it still exists at the source) is left alone. Only this
 * hold: later listings are guarded as before. Returns how many links it tombstoned.
 */
export async function applyHeldDeletions(tx: ContactsDatabase, scope: SeenScope, now: Date): Promise<number> {
  const { provider, accountId } = scope;
  const s = sql.identifier(scope.butlerSchema);
  const at = now.toISOString();
  const rows = await queryRows<{ n: number }>(
    tx,
    sql`with hold as materialized (
        select deletion_hold as h from ${s}.contacts_sync_state
        where provider = ${provider} and account_id = ${accountId} and deletion_hold is not null),
      ids as materialized (select jsonb_array_elements_text(h -> 'ids') as id from hold),
      gone as (
        update ${s}.contacts_source_links l set deleted_at = ${at}::timestamptz
        where l.provider = ${provider} and l.account_id = ${accountId} and l.deleted_at is null
          and l.external_contact_id in (select id from ids)
          and l.last_seen_at <= (select (h ->> 'listed_at')::timestamptz from hold)
        returning l.external_contact_id, l.local_contact_id),
      dropped as (
        delete from ${s}.contacts_sync_failures f
        where f.provider = ${provider} and f.account_id = ${accountId} and f.external_contact_id in (select id from ids)
        returning 1),
      cleared as (
        update ${s}.contacts_sync_state set deletion_hold = null
        where provider = ${provider} and account_id = ${accountId}
        returning 1),
      ${tombstoneEffects(scope, at, 'held by the deletion guard, then confirmed')}
      select (select count(*) from gone)::int as n`,
  );
  return Number(rows[0]?.n ?? 0);
}

/** One page of an incremental listing, as {@link planIncrementalPage} takes it. */
export interface IncrementalPage {
  contacts: readonly unknown[];
  last: boolean;
  /** Earlier pages of the listing recorded deletions. */
  recorded: boolean;
  now: Date;
  guard: DeletionGuard;
}

/**
 * What to apply of an incremental page: the contacts for the engine, the ids the source said
 * were deleted (for the cycle's retry to skip), whether the listing has recorded deletions after
 * it, and the hold it made (`undefined`: none judged here).
 */
export interface IncrementalPagePlan {
  contacts: readonly unknown[];
  deleted: string[];
  recorded: boolean;
  held: DeletionHold | undefined;
}

/**
 * Deletions are judged per listing, at its end: a page's commit cannot wait for the next page.
 * Before the last page they are only recorded (one insert, and only on pages that have some); at
 * the last page every one of them is applied with it, or, past the deletion guard, held (stored
 * for a person's confirmation) while the rest of the page applies. A one-page listing without
 * deletions costs nothing here.
 */
export async function planIncrementalPage(
  tx: ContactsDatabase,
  scope: SeenScope,
  page: IncrementalPage,
): Promise<IncrementalPagePlan> {
  const { rest, deleted } = takeDeletions(page.contacts);
  if (!page.last) {
    if (deleted.length === 0)
      return { contacts: page.contacts, deleted, recorded: page.recorded, held: undefined };
    await recordListingIds(tx, scope, deleted);
    return { contacts: rest, deleted, recorded: true, held: undefined };
  }
  if (deleted.length === 0 && !page.recorded)
    return { contacts: page.contacts, deleted, recorded: false, held: undefined };
  const told = await listedDeletions(tx, scope, deleted);
  if (page.recorded) await clearListingIds(tx, scope);
  const tombstones = (ids: readonly string[]) => ids.map((id) => ({ external_id: id, deleted: true }));
  if (!holdsDeletions(page.guard, told.live.length, told.of)) {
    const onThisPage = new Set(deleted);
    const earlier = told.listed.filter((id) => !onThisPage.has(id));
    return {
      contacts: [...page.contacts, ...tombstones(earlier)],
      deleted: told.listed,
      recorded: false,
      held: undefined,
    };
  }
  // A deletion of a contact linked to nothing deletes nothing here: it only drops that contact's
  // failure (never to be retried back), held or not.
  const live = new Set(told.live);
  const listedAt = page.now;
  const count = await saveDeletionHold(
    tx,
    scope,
    { mode: 'incremental', ids: told.live, of: told.of, listedAt },
    true,
  );
  return {
    contacts: [...rest, ...tombstones(told.listed.filter((id) => !live.has(id)))],
    deleted: told.listed,
    recorded: false,
    held: { mode: 'incremental', count, of: told.of, listedAt },
  };
}
