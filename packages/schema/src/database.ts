import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

/**
 * A drizzle database on `drizzle-orm/pglite` or `drizzle-orm/postgres-js`, or a transaction of
 * one: what every package of this project takes as its `db`.
 *
 * @example
 * ```ts
 * import { drizzle } from 'drizzle-orm/pglite';
 * const db: ContactsDatabase = drizzle(new PGlite());
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: the table-schema parameter differs per host and is not used here.
export type ContactsDatabase = PgDatabase<PgQueryResultHKT, any>;

/**
 * Runs raw SQL and returns its rows on either driver: PGlite answers `{ rows }`, postgres.js an
 * array. Use for set-based statements built with drizzle's `sql` tag.
 *
 * @example
 * ```ts
 * const rows = await queryRows<{ n: number }>(db, sql`select 1 as n`);
 * ```
 */
export async function queryRows<T = Record<string, unknown>>(db: ContactsDatabase, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
