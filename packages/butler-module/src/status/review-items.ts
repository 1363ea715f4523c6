import { ACTIVITY_TYPES } from '@contacts/core';
import { type ContactsDatabase, queryRows } from '@contacts/schema';
import { sql } from 'drizzle-orm';

/**
 * One thing a person should look at, with the sentence that says what it is and what to do.
 *
 * @example
 * ```ts
 * const item: ReviewItem = { kind: 'failed', contact_id: null, external_id: 'people/c7', sentence: 'people/c7 could not be applied ...', at: '2026-03-01T08:00:00.000Z' };
 * ```
 */
export interface ReviewItem {
  kind: 'conflict' | 'ambiguous_name' | 'failed';
  /** The CRM contact, when there is one (a failed contact never reached the CRM). */
  contact_id: string | null;
  /** The contact's id at the source. */
  external_id: string | null;
  sentence: string;
  /** When it was last seen: the latest feed entry, or the latest failed attempt. */
  at: string;
}

/**
 * What `contacts review` lists for one source: the field conflicts and ambiguous name matches
 * the sync wrote to the activity feed (the latest entry per contact), and the contacts it could
 * not apply (`contacts_sync_failures`), newest first, at most `limit` of each.
 *
 * @example
 * ```ts
 * const review: ReviewReport = await readReviewItems({ db, butlerSchema, provider: 'google', accountId: 'default' });
 * review.failed.length; // 2
 * ```
 */
export interface ReviewReport {
  provider: string;
  account_id: string;
  conflicts: ReviewItem[];
  ambiguous_names: ReviewItem[];
  failed: ReviewItem[];
}

/** What {@link readReviewItems} reads. */
export interface ReadReviewOptions {
  db: ContactsDatabase;
  butlerSchema: string;
  provider: string;
  accountId: string;
  /** The most items of each kind (default 100). */
  limit?: number;
}

interface FeedRow {
  contact_id: string;
  external_id: string | null;
  description: string;
  at: string;
}

interface FailureRow {
  external_id: string;
  error: string;
  attempts: number;
  first_failed_at: string;
  at: string;
}

/**
 * Reads the source's review items: three set-based queries, the same SQL on PGlite and PostgreSQL.
 *
 * @example
 * ```ts
 * const { conflicts } = await readReviewItems({ db, butlerSchema: 'relationship', provider: 'google', accountId: 'default', limit: 20 });
 * for (const c of conflicts) console.log(c.sentence);
 * ```
 */
export async function readReviewItems(options: ReadReviewOptions): Promise<ReviewReport> {
  const { db, provider, accountId } = options;
  const limit = options.limit ?? 100;
  const schema = sql.identifier(options.butlerSchema);
  // A contact's conflicts are written again whenever a sync meets them: its latest entry is the
  // current one. The contact's name was quoted into the sentence when it was written.
  const feed = (type: string) =>
    queryRows<FeedRow>(
      db,
      sql`select contact_id::text as contact_id, external_id, description, at from (
            select distinct on (f.contact_id) f.contact_id, f.details->>'external_id' as external_id,
              f.description, f.created_at as at
            from ${schema}.activity_feed f
            where f.type = ${type} and f.details->>'provider' = ${provider}
              and f.details->>'account_id' = ${accountId}
            order by f.contact_id, f.created_at desc
          ) latest order by at desc, contact_id limit ${limit}`,
    );
  const [conflicts, ambiguous, failures] = await Promise.all([
    feed(ACTIVITY_TYPES.conflict),
    feed(ACTIVITY_TYPES.ambiguous),
    queryRows<FailureRow>(
      db,
      sql`select external_contact_id as external_id, error, attempts, first_failed_at, last_failed_at as at
          from ${schema}.contacts_sync_failures
          where provider = ${provider} and account_id = ${accountId}
          order by last_failed_at desc, external_contact_id limit ${limit}`,
    ),
  ]);
  const fromFeed = (kind: ReviewItem['kind']) => (row: FeedRow) => ({
    kind,
    contact_id: row.contact_id,
    external_id: row.external_id,
    sentence: row.description,
    at: isoOf(row.at),
  });
  return {
    provider,
    account_id: accountId,
    conflicts: conflicts.map(fromFeed('conflict')),
    ambiguous_names: ambiguous.map(fromFeed('ambiguous_name')),
    failed: failures.map((row) => ({
      kind: 'failed' as const,
      contact_id: null,
      external_id: row.external_id,
      sentence: `${row.external_id} at ${provider} (${accountId}) could not be applied (${row.attempts} attempt${row.attempts === 1 ? '' : 's'} since ${isoOf(row.first_failed_at)}): ${row.error.trim().replace(/[.\s]*$/, '')}. It is retried on every sync; fix it at the source if it keeps failing.`,
      at: isoOf(row.at),
    })),
  };
}

/** Drivers hand timestamps back as Date (postgres.js) or string (PGlite via text): one ISO form. */
function isoOf(value: unknown): string {
  const date = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}
