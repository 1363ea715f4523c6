/**
 * The engine's side of {@link KnownEtags}: the versions the account's live links hold, read in
 * one statement per call (a primary-key probe per id, as the resolver reads links).
 */
import type { ContactsDatabase } from '@contacts/schema';
import { queryRows } from '@contacts/schema';
import { sql } from 'drizzle-orm';
import { storableText } from '../backfill/desired-contact.js';
import { toJsonText } from '../backfill/json-rows.js';
import { CoreError } from '../errors.js';
import { type KnownEtags, MAX_KNOWN_ETAG_IDS } from '../provider/known-etags.js';
import type { SeenScope } from './full-sync-seen.js';

/**
 * A {@link KnownEtags} over the account's links: for each id asked, the `source_etag` of its live
 * link that still has a CRM contact; exactly the links whose contact the engine would skip as
 * unchanged when sent again with that etag. Ids are matched as the links store them.
 *
 * The first call also asks, in the same statement, whether the account holds any such link at
 * all; when it holds none (a first sync), every later call of the cycle answers empty without a
 * statement. That is
 * always safe (an id not answered is fetched and sent, and the engine still skips it by its etag)
 * and saves a statement a page on a first full sync, where every answer would be empty.
 *
 * @example
 * ```ts
 * const knownEtags = knownEtagsLookup(db, { butlerSchema: 'relationship', provider: 'carddav', accountId: 'default' });
 * const held = await knownEtags(['/ada/book/1.vcf', '/ada/book/2.vcf']); // Map { '/ada/book/1.vcf' => '"v1"' }
 * ```
 */
export function knownEtagsLookup(db: ContactsDatabase, scope: SeenScope): KnownEtags {
  const s = sql.identifier(scope.butlerSchema);
  const live = sql`l.deleted_at is null and l.local_contact_id is not null and l.source_etag is not null`;
  let accountHoldsNone = false;
  let probed = false;
  return async (ids) => {
    if (ids.length > MAX_KNOWN_ETAG_IDS) {
      throw new CoreError(
        'INVALID_BATCH',
        `Provider ${scope.provider} asked for the versions of ${ids.length} contacts at once; one page asks for at most ${MAX_KNOWN_ETAG_IDS}.`,
      );
    }
    const asked = [...new Set(ids.map(storableText))];
    if (asked.length === 0 || accountHoldsNone) return new Map();
    // The first call also asks whether the account holds any live link (one probe of the
    // links' index), in the same statement.
    const probe = probed
      ? sql`true`
      : sql`exists (select 1 from ${s}.contacts_source_links l
          where l.provider = ${scope.provider} and l.account_id = ${scope.accountId} and ${live})`;
    probed = true;
    const [row] = await queryRows<{ held: string | null; any: boolean }>(
      db,
      // LATERAL with `limit 1`: one primary-key probe per id. Without the limit the planner
      // flattens the subquery into a hash join over every link of the account (the resolver's
      // `pageLinks` measured 72 ms a page at 25,000 that way), and this lookup is asked for a
      // whole book at once.
      sql`select (select jsonb_agg(jsonb_build_array(l.external_contact_id, l.source_etag))
          from jsonb_array_elements_text(${toJsonText(asked)}::text::jsonb) as x(id)
          cross join lateral (
            select * from ${s}.contacts_source_links l
            where l.provider = ${scope.provider} and l.account_id = ${scope.accountId} and l.external_contact_id = x.id
            limit 1
          ) l
          where ${live})::text as held, ${probe} as any`,
    );
    if (row?.any === false) accountHoldsNone = true;
    return new Map(JSON.parse(row?.held ?? '[]') as [string, string][]);
  };
}
