import type { ContactsDatabase } from '@contacts/schema';
import { type SQL, sql } from 'drizzle-orm';
import { type Db, fromDrizzle, fromPglite, type PGliteLike } from 'pg-boss';

/**
 * pg-boss's `db` option and `backend` for a host's database: pg-boss runs its statements on the
 * connection the host already has (the PGlite instance, or the postgres.js pool) instead of
 * opening a `pg` pool of its own.
 *
 * @example
 * ```ts
 * const { db: bossDb, backend } = bossDatabase(db);
 * const boss = new PgBoss({ db: bossDb, backend, schema: 'relationship_jobs' });
 * ```
 */
export interface BossDatabase {
  db: Db;
  backend: 'pglite' | 'postgres';
}

/** What drizzle keeps as `$client` for postgres.js: only `unsafe` and `reserve` are used. */
interface PostgresJsLike {
  unsafe(text: string, values?: unknown[]): Promise<unknown>;
  reserve(): Promise<PostgresJsLike & { release(): void }>;
}

const isPglite = (client: unknown): client is PGliteLike =>
  typeof client === 'object' &&
  client !== null &&
  typeof (client as PGliteLike).exec === 'function' &&
  typeof (client as PGliteLike).query === 'function';

const isPostgresJs = (client: unknown): client is PostgresJsLike =>
  typeof client === 'function' && typeof (client as unknown as PostgresJsLike).unsafe === 'function';

/**
 * Adapts a `ContactsDatabase` (drizzle on PGlite or postgres.js, not a transaction: pg-boss needs
 * the whole connection) to pg-boss's `db` option. On PGlite it is pg-boss's own `fromPglite` with
 * `backend: 'pglite'`; on postgres.js every statement goes through `unsafe`, which runs a
 * statement without parameters with the simple protocol: pg-boss's schema creation and its
 * `BEGIN ... COMMIT` blocks are several statements in one string.
 *
 * @example
 * ```ts
 * const boss = new PgBoss({ ...bossDatabase(db), schema: 'relationship_jobs' });
 * await boss.start();
 * ```
 */
export function bossDatabase(db: ContactsDatabase): BossDatabase {
  const client: unknown = (db as unknown as { $client?: unknown }).$client;
  if (isPglite(client)) return { db: fromPglite(client), backend: 'pglite' };
  if (isPostgresJs(client)) return { db: postgresJsDatabase(client), backend: 'postgres' };
  throw new TypeError(
    'bossDatabase needs the database itself (drizzle on PGlite or postgres.js), not a transaction or another driver.',
  );
}

// Several statements (the simple protocol) answer one row list each: pg-boss reads the rows of
// all of them, as node-postgres's array of results gives them.
const rowsOf = (result: unknown): unknown[] => {
  const rows = Array.isArray(result) ? result : [];
  return rows.length > 0 && rows.every(Array.isArray) ? rows.flat() : rows;
};

// node-postgres turns a Date into text on the client; postgres.js binds by the type the server
// describes and cannot send a Date where it describes text (a `$n` pg-boss compares to text).
// node-postgres also sends an object (a job's output: `fail(name, id, { message })`) as JSON
// text, where postgres.js refuses an object for a text parameter.
const bindable = (value: unknown): unknown => {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value)) {
    return JSON.stringify(value);
  }
  return value;
};

function postgresJsDatabase(client: PostgresJsLike): Db {
  return {
    async executeSql(text: string, values?: unknown[]) {
      if (values && values.length > 0)
        return { rows: rowsOf(await client.unsafe(text, values.map(bindable))) };
      // Without parameters it may be a `BEGIN; ...; COMMIT` block (schema creation, migrations,
      // locked maintenance). postgres.js refuses BEGIN on a pool (UNSAFE_TRANSACTION) but not on a
      // reserved connection; a block that failed halfway leaves that connection in an aborted
      // transaction, rolled back before it goes back to the pool.
      const connection = await client.reserve();
      try {
        return { rows: rowsOf(await connection.unsafe(text, [])) };
      } catch (error) {
        await connection.unsafe('rollback', []).catch(() => {});
        throw error;
      } finally {
        connection.release();
      }
    },
  };
}

/**
 * pg-boss's `db` option for one call inside a drizzle transaction (either driver): the job is
 * written in the caller's transaction, so it exists exactly when the transaction commits.
 *
 * @example
 * ```ts
 * await db.transaction(async (tx) => {
 *   await boss.insert(SYNC_QUEUE, jobs, { db: bossTransaction(tx) });
 * });
 * ```
 */
export function bossTransaction(tx: ContactsDatabase): Db {
  type Rows = Awaited<ReturnType<Parameters<typeof fromDrizzle>[0]['execute']>>;
  return fromDrizzle({ execute: async (query) => (await tx.execute(query as SQL)) as Rows }, sql);
}
