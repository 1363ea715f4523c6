import { SchemaError } from './errors.js';

/** The schema name drizzle-kit generates butler migrations for; `migrate()` replaces it. */
export const BUTLER_SCHEMA_PLACEHOLDER = '__contacts_butler_schema__';

/**
 * The butler schema used when a host names none.
 *
 * @example
 * ```ts
 * const t = butlerTables(DEFAULT_BUTLER_SCHEMA); // tables in schema 'relationship'
 * ```
 */
export const DEFAULT_BUTLER_SCHEMA = 'relationship';

// Words Postgres reserves (SQL:2016 reserved and Postgres-reserved key words). A schema with such a
// name works only when quoted everywhere, which hosts' hand-written SQL rarely does.
const RESERVED = new Set(
  `all analyse analyze and any array as asc asymmetric authorization binary both case cast check
  collate collation column concurrently constraint create cross current_catalog current_date
  current_role current_schema current_time current_timestamp current_user default deferrable desc
  distinct do else end except false fetch for foreign freeze from full grant group having ilike in
  initially inner intersect into is isnull join lateral leading left like limit localtime
  localtimestamp natural not notnull null offset on only or order outer overlaps placing primary
  references returning right select session_user similar some symmetric system_user table
  tablesample then to trailing true union unique user using variadic verbose when where window with`.split(
    /\s+/,
  ),
);

/**
 * Checks a butler schema name before any SQL runs, and returns it. Names are lower-case SQL
 * identifiers (`[a-z_][a-z0-9_]*`, at most 63 bytes), not reserved words, not `shared` (the fixed
 * shared schema), not `public` (drizzle cannot name it as a schema), and not in the `pg_`
 * namespace Postgres keeps for itself. `migrate()`, `ContactsModule.onStartup` and the
 * `--butler-schema` flag all check through here.
 *
 * @example
 * ```ts
 * assertButlerSchemaName('relationship'); // 'relationship'
 * assertButlerSchemaName('x; drop table y'); // throws SchemaError (code INVALID_SCHEMA_NAME)
 * ```
 */
export function assertButlerSchemaName(name: unknown): string {
  const fail = (why: string): never => {
    throw new SchemaError(
      'INVALID_SCHEMA_NAME',
      `Invalid butler schema name ${JSON.stringify(name)}: ${why}.`,
    );
  };
  if (typeof name !== 'string' || name.length === 0) return fail('it must be a non-empty string');
  if (name.length > 63) return fail('it is longer than the 63 characters Postgres allows');
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
    return fail('use only lower-case letters, digits and underscores, starting with a letter or underscore');
  }
  if (RESERVED.has(name)) return fail('it is a reserved SQL word');
  if (name.startsWith('pg_') || name === 'information_schema') return fail('Postgres reserves it');
  if (name === 'shared') return fail('"shared" is the fixed shared schema');
  // Raw SQL could create the tables there, but drizzle's pgSchema('public') throws: every command
  // after `migrate` would then fail. The butler's tables need a schema of their own.
  if (name === 'public') {
    return fail(
      '"public" is the database\'s default schema, which the contacts tables cannot be addressed in; give the butler a schema of its own, such as "relationship"',
    );
  }
  if (name === BUTLER_SCHEMA_PLACEHOLDER) return fail('it is the migrations placeholder');
  return name;
}

/**
 * Quotes an identifier that has already passed {@link assertButlerSchemaName}.
 *
 * @example
 * ```ts
 * quoteIdent(assertButlerSchemaName('relationship')); // '"relationship"'
 * ```
 */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
