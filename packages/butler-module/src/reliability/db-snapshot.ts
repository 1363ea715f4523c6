// Test support for bad-input.test.ts: the whole database as data, to assert "changes nothing".
import { type ContactsDatabase, queryRows } from '@contacts/schema';
import { sql } from 'drizzle-orm';

/** Every table of every user schema, each as its rows' JSON text, sorted. */
export type DatabaseSnapshot = Record<string, string[]>;

/**
 * Every row of every table of every user schema (`shared`, the butler's, migration bookkeeping,
 * `butler_secrets` included), in one round trip: compare two snapshots to prove that a refused
 * call wrote nothing.
 */
export async function snapshotDatabase(db: ContactsDatabase): Promise<DatabaseSnapshot> {
  const tables = await queryRows<{ schemaname: string; tablename: string }>(
    db,
    sql`select schemaname, tablename from pg_tables
      where schemaname not in ('pg_catalog', 'information_schema') order by 1, 2`,
  );
  if (tables.length === 0) return {};
  const parts = tables.map(
    ({ schemaname, tablename }) =>
      sql`select ${`${schemaname}.${tablename}`}::text as name,
        coalesce((select json_agg(r order by r) from (select row_to_json(t)::text as r
          from ${sql.identifier(schemaname)}.${sql.identifier(tablename)} t) rows), '[]')::text as rows`,
  );
  const rows = await queryRows<{ name: string; rows: string }>(db, sql.join(parts, sql` union all `));
  return Object.fromEntries(rows.map((r) => [r.name, JSON.parse(r.rows) as string[]]));
}
