import { readFile, writeFile } from 'node:fs/promises';
import { type ContactsDatabase, DEFAULT_BUTLER_SCHEMA, migrate } from '@contacts/schema';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { processesCpuMs } from './cpu-meter.js';
import { StatementCounter } from './statement-counter.js';

/** The drivers the benchmark runs on. */
export type BenchDriver = 'pglite' | 'postgres';

/** Every driver, in the order the matrix runs them. */
export const BENCH_DRIVERS: readonly BenchDriver[] = ['pglite', 'postgres'];

/** The env variable naming a PostgreSQL server the benchmark may create databases on. */
export const BENCH_DATABASE_URL_ENV = 'CONTACTS_BENCH_DATABASE_URL';

/** A migrated, empty database with a statement counter on its drizzle logger. */
export interface BenchDatabase {
  driver: BenchDriver;
  db: ContactsDatabase;
  butlerSchema: string;
  /** Statements drizzle sent through `db` since the last `statements.reset()`. */
  statements: StatementCounter;
  /**
   * The CPU so far of the server's backends serving this database, per pid (PostgreSQL on this
   * machine, read from `/proc`); absent for PGlite, which runs in the client's own process.
   */
  serverCpu?: () => Promise<Map<number, number> | null>;
  /** Closes it; a PostgreSQL database is dropped too. */
  close(): Promise<void>;
}

/** Makes fresh databases on one driver. */
export interface BenchDatabaseFactory {
  /** A fresh migrated database; `name` names the throwaway PostgreSQL database (ignored by PGlite). */
  create(name: string): Promise<BenchDatabase>;
}

/** A migrated PGlite data directory (`dumpDataDir`), which every PGlite database starts from. */
export async function dumpPgliteTemplate(butlerSchema = DEFAULT_BUTLER_SCHEMA): Promise<Blob> {
  const pg = await PGlite.create();
  try {
    await migrate(drizzlePglite(pg), { butlerSchema });
    return await pg.dumpDataDir('none');
  } finally {
    await pg.close();
  }
}

/** Writes {@link dumpPgliteTemplate} to `file`, for child processes to start from. */
export async function writePgliteTemplate(file: string, butlerSchema = DEFAULT_BUTLER_SCHEMA): Promise<void> {
  const blob = await dumpPgliteTemplate(butlerSchema);
  await writeFile(file, Buffer.from(await blob.arrayBuffer()));
}

/**
 * Fresh in-memory PGlite databases, each started from a migrated data directory (~0.7 s): from
 * `templateFile` when given (the parent process writes it once, so a child's peak RSS is not
 * initdb's ~730 MB), else dumped here once per factory (initdb, ~2.5 s). Either way no measured
 * scenario pays for it.
 *
 * @example
 * ```ts
 * const factory = pgliteFactory();
 * const t = await factory.create('sync');
 * await t.close();
 * ```
 */
export function pgliteFactory(
  options: { templateFile?: string; butlerSchema?: string } = {},
): BenchDatabaseFactory {
  const butlerSchema = options.butlerSchema ?? DEFAULT_BUTLER_SCHEMA;
  const { templateFile } = options;
  let template: Promise<Blob> | undefined;
  return {
    async create() {
      template ??= templateFile
        ? readFile(templateFile).then((bytes) => new Blob([bytes]))
        : dumpPgliteTemplate(butlerSchema);
      const pg = await PGlite.create({ loadDataDir: await template });
      const statements = new StatementCounter();
      return {
        driver: 'pglite',
        db: drizzlePglite(pg, { logger: statements }),
        butlerSchema,
        statements,
        close: () => pg.close(),
      };
    },
  };
}

/** The URL of database `name` on the server of `adminUrl`. */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Whether `name` is a database name the benchmark may create and drop (no quoting needed). */
export function isBenchDatabaseName(name: string): boolean {
  return /^contacts_bench_[a-z0-9_]{1,40}$/.test(name);
}

async function onAdmin(adminUrl: string, statement: string): Promise<void> {
  // Its own short-lived client: drizzle replaces the serializers of a client it is given.
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await admin.unsafe(statement);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/**
 * Drops a throwaway database if it is still there: the parent calls it after each child exits,
 * so a crashed child leaves nothing behind.
 */
export function dropBenchDatabase(adminUrl: string, name: string): Promise<void> {
  if (!isBenchDatabaseName(name))
    throw new Error(`Refusing to drop ${JSON.stringify(name)}: not a bench database.`);
  return onAdmin(adminUrl, `drop database if exists "${name}" with (force)`);
}

/**
 * Throwaway PostgreSQL databases created next to `adminUrl` (the server's `create database`
 * privilege is all it needs), migrated, and dropped by `close()`.
 *
 * @example
 * ```ts
 * const factory = postgresFactory(process.env.CONTACTS_BENCH_DATABASE_URL!);
 * const t = await factory.create('contacts_bench_1234_sync');
 * await t.close(); // drops it
 * ```
 */
export function postgresFactory(
  adminUrl: string,
  butlerSchema = DEFAULT_BUTLER_SCHEMA,
): BenchDatabaseFactory {
  return {
    async create(name) {
      if (!isBenchDatabaseName(name)) throw new Error(`Invalid bench database name ${JSON.stringify(name)}.`);
      await onAdmin(adminUrl, `create database "${name}"`);
      const client = postgres(databaseUrl(adminUrl, name), {
        max: 4,
        onnotice: () => {},
        connect_timeout: 10,
      });
      const statements = new StatementCounter();
      const db = drizzlePostgres(client, { logger: statements });
      const close = async () => {
        await client.end({ timeout: 5 });
        await dropBenchDatabase(adminUrl, name);
      };
      try {
        await migrate(db, { butlerSchema });
      } catch (error) {
        await close();
        throw error;
      }
      statements.reset();
      // Outside drizzle, so that it is not counted as one of the sync's statements.
      const serverCpu = async () => {
        const rows = await client.unsafe<{ pid: number }[]>(
          'select pid from pg_stat_activity where datname = current_database()',
        );
        const cpu = await processesCpuMs(rows.map((r) => Number(r.pid)));
        return cpu.size > 0 ? cpu : null;
      };
      return { driver: 'postgres', db, butlerSchema, statements, serverCpu, close };
    },
  };
}
