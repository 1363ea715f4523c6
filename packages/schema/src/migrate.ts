import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { sql } from 'drizzle-orm';
import { type ContactsDatabase, queryRows } from './database.js';
import { SchemaError } from './errors.js';
import {
  assertButlerSchemaName,
  BUTLER_SCHEMA_PLACEHOLDER,
  DEFAULT_BUTLER_SCHEMA,
  quoteIdent,
} from './schema-name.js';

/**
 * Options of {@link migrate}.
 *
 * @example
 * ```ts
 * const options: MigrateOptions = { butlerSchema: 'relationship' };
 * await migrate(db, options);
 * ```
 */
export interface MigrateOptions {
  /** The Postgres schema for the butler's tables. Default `relationship`. */
  butlerSchema?: string;
}

/**
 * What {@link migrate} did: the migrations it applied now, as `set/tag` (empty when up to date).
 *
 * @example
 * ```ts
 * const result: MigrateResult = await migrate(db);
 * // first run: { butlerSchema: 'relationship', applied: ['shared/0000_init', 'butler/0000_init', 'butler/0001_full_sync_seen'] }
 * if (result.applied.length === 0) console.log('schema is up to date');
 * ```
 */
export interface MigrateResult {
  butlerSchema: string;
  applied: string[];
}

interface Migration {
  set: 'shared' | 'butler';
  tag: string;
  statements: string[];
  hash: string;
}

/** The journal of this package's migrations: its own table, so it never meets a host's drizzle journal. */
const JOURNAL = 'shared.contacts_schema_migrations';
/** Serialises concurrent migrate() calls across processes (any 64-bit constant unique to us). */
const MIGRATE_LOCK_KEY = 7_316_029_114_228_310n;

async function loadMigrations(set: Migration['set'], butlerSchema: string): Promise<Migration[]> {
  const dir = new URL(`../drizzle/${set}/`, import.meta.url);
  let journal: { entries: { tag: string }[] };
  try {
    journal = JSON.parse(await readFile(new URL('meta/_journal.json', dir), 'utf8'));
  } catch (cause) {
    throw new SchemaError('MIGRATIONS_MISSING', `The ${set} migrations of @contacts/schema are missing.`, {
      cause,
    });
  }
  return Promise.all(
    journal.entries.map(async ({ tag }) => {
      const text = await readFile(new URL(`${tag}.sql`, dir), 'utf8');
      const statements = text
        .split('--> statement-breakpoint')
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
        .map((s) =>
          s
            .replaceAll(`"${BUTLER_SCHEMA_PLACEHOLDER}"`, quoteIdent(butlerSchema))
            // The host may own the schema already (a butler's schema holds its other tables too).
            .replace(/^CREATE SCHEMA "/, 'CREATE SCHEMA IF NOT EXISTS "'),
        );
      return { set, tag, statements, hash: createHash('sha256').update(text).digest('hex') };
    }),
  );
}

/**
 * Creates or upgrades the contacts tables: `shared.contacts`, `shared.contact_info`, and the
 * butler tables in `butlerSchema`. Idempotent and safe to run from several processes at once
 * (an advisory lock serialises them); every table is schema-qualified, so neither `public` nor
 * the connection's `search_path` matters. Several butler schemas can share one database.
 *
 * @throws SchemaError `INVALID_SCHEMA_NAME` before any SQL runs; `MIGRATION_FAILED` with the
 *   failing statement's migration as message and the driver error as `cause`.
 * @example
 * ```ts
 * import { PGlite } from '@electric-sql/pglite';
 * import { drizzle } from 'drizzle-orm/pglite';
 * import { migrate } from '@contacts/schema';
 * const db = drizzle(new PGlite());
 * await migrate(db, { butlerSchema: 'relationship' }); // { applied: ['shared/0000_init', 'butler/0000_init', 'butler/0001_full_sync_seen'] }
 * ```
 */
export async function migrate(db: ContactsDatabase, options: MigrateOptions = {}): Promise<MigrateResult> {
  const butlerSchema = assertButlerSchemaName(options.butlerSchema ?? DEFAULT_BUTLER_SCHEMA);
  const migrations = [
    ...(await loadMigrations('shared', butlerSchema)),
    ...(await loadMigrations('butler', butlerSchema)),
  ];
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATE_LOCK_KEY.toString()}::bigint)`);
    await tx.execute(sql.raw('create schema if not exists shared'));
    await tx.execute(
      sql.raw(`create table if not exists ${JOURNAL} (
        scope text not null, tag text not null, hash text not null,
        applied_at timestamptz not null default now(), primary key (scope, tag))`),
    );
    const done = await queryRows<{ scope: string; tag: string; hash: string }>(
      tx,
      sql`select scope, tag, hash from shared.contacts_schema_migrations where scope in ('shared', ${butlerSchema})`,
    );
    const appliedHashes = new Map(done.map((r) => [`${r.scope}/${r.tag}`, r.hash]));
    for (const m of migrations) {
      const scope = m.set === 'shared' ? 'shared' : butlerSchema;
      const appliedHash = appliedHashes.get(`${scope}/${m.tag}`);
      // An applied migration whose SQL has since changed would leave this database unlike every
      // other: refuse rather than guess (add a new migration instead of editing an old one).
      if (appliedHash !== undefined && appliedHash !== m.hash) {
        throw new SchemaError(
          'MIGRATION_CHANGED',
          `Migration ${m.set}/${m.tag} was applied to "${scope}" from different SQL than @contacts/schema ships now; a released migration must never be edited.`,
        );
      }
      if (appliedHash !== undefined) continue;
      for (const statement of m.statements) {
        try {
          await tx.execute(sql.raw(statement));
        } catch (cause) {
          throw new SchemaError(
            'MIGRATION_FAILED',
            `Migration ${m.set}/${m.tag} failed for butler schema "${butlerSchema}": ${(cause as Error).message}`,
            { cause },
          );
        }
      }
      await tx.execute(
        sql`insert into shared.contacts_schema_migrations (scope, tag, hash) values (${scope}, ${m.tag}, ${m.hash})`,
      );
      applied.push(`${m.set}/${m.tag}`);
    }
  });
  return { butlerSchema, applied };
}
