/**
 * What the retry at the end of a cycle must skip, held without a set of every id the cycle saw:
 * a failure row is the retry's only input, and at the end of a cycle (under its lease) such a row
 * is either one that existed when the cycle began or one this cycle wrote. So the ids kept are
 * the ones seen that had a row at the start, and the ones that failed here: memory in proportion
 * to the failures, not to the book. The full sync's sweep reads what it saw from the database
 * (`contacts_sync_seen`), never from here.
 */
import { type ContactsDatabase, queryRows } from '@contacts/schema';
import { sql } from 'drizzle-orm';
import type { SeenScope } from './full-sync-seen.js';

/**
 * The ids the retry of earlier failures skips: failures of earlier cycles this one saw again
 * (applied, unchanged, or deleted at the source) and the contacts that failed in this one.
 *
 * @example
 * ```ts
 * const skips = new RetrySkips(['people/c1']);
 * skips.page(['people/c1', 'people/c2', 'people/c3'], ['people/c3']);
 * skips.has('people/c1'); // true: an earlier failure seen again
 * skips.has('people/c2'); // false: never had a failure row, so nothing to skip
 * skips.has('people/c3'); // true: failed in this cycle
 * ```
 */
export class RetrySkips {
  readonly #earlier: ReadonlySet<string>;
  readonly #skip = new Set<string>();

  /** `earlier`: the account's failure ids when the cycle began. */
  constructor(earlier: Iterable<string>) {
    this.#earlier = new Set(earlier);
  }

  /** What one page saw (ids as the links store them) and which of them failed. */
  page(seen: Iterable<string>, failed: Iterable<string> = []): void {
    for (const id of failed) this.#skip.add(id);
    if (this.#earlier.size === 0) return;
    for (const id of seen) if (this.#earlier.has(id)) this.#skip.add(id);
  }

  has(id: string): boolean {
    return this.#skip.has(id);
  }

  /** Ids held (what the retry skips so far): as many as the failures, at most. */
  get size(): number {
    return this.#skip.size;
  }
}

/**
 * The retry skips of a cycle whose account had `failedContacts` failure rows at its start: their
 * ids are read (one query) only when there are some, so a cycle without failures costs nothing.
 *
 * @example
 * ```ts
 * const skips = await retrySkipsFor(db, scope, state.failedContacts);
 * ```
 */
export async function retrySkipsFor(
  db: ContactsDatabase,
  scope: SeenScope,
  failedContacts: number,
): Promise<RetrySkips> {
  if (failedContacts <= 0) return new RetrySkips([]);
  const s = sql.identifier(scope.butlerSchema);
  const rows = await queryRows<{ id: string }>(
    db,
    sql`select external_contact_id as id from ${s}.contacts_sync_failures
      where provider = ${scope.provider} and account_id = ${scope.accountId}`,
  );
  return new RetrySkips(rows.map((r) => r.id));
}
