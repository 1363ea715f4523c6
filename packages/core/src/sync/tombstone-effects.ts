import { type SQL, sql } from 'drizzle-orm';
import { markDeletedInProvenance, sourceKey } from '../backfill/provenance-codec.js';
import type { SeenScope } from './full-sync-seen.js';

/**
 * What tombstoning links means beyond their `deleted_at`, as CTEs to follow a `gone` CTE that
 * returned `external_contact_id, local_contact_id` of the links just tombstoned: the source
 * entry's provenance stops counting (`flagged`), and each kept contact gets one
 * `contact_sync_deleted_source` entry in the feed (`logged`). Shared by the full sync's sweep and
 * a confirmed held deletion, so both mean the same as a tombstone in a page.
 *
 * @example
 * ```ts
 * sql`with gone as (update ... returning l.external_contact_id, l.local_contact_id),
 *   ${tombstoneEffects(scope, at, 'not seen by a full sync')}
 *   select (select count(*) from gone)::int as n`;
 * ```
 */
export function tombstoneEffects(scope: SeenScope, at: string, reason: string): SQL {
  const { provider, accountId } = scope;
  const s = sql.identifier(scope.butlerSchema);
  return sql`flagged as (${markDeletedInProvenance(sql`gone`, sourceKey(provider, accountId))}),
      logged as (
        insert into ${s}.activity_feed (contact_id, type, description, details, created_at)
        select g.local_contact_id, 'contact_sync_deleted_source',
          c.name || ${` was deleted in ${provider} (${accountId}); the contact is kept here.`},
          jsonb_build_object('provider', ${provider}::text, 'account_id', ${accountId}::text, 'external_id', g.external_contact_id, 'reason', ${reason}::text),
          ${at}::timestamptz
        from gone g join shared.contacts c on c.id = g.local_contact_id
        returning 1)`;
}
