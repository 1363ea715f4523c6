import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { Logger } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { ContactsDatabase } from '../database.js';
import { migrate } from '../migrate.js';
import { DEFAULT_BUTLER_SCHEMA } from '../schema-name.js';

/**
 * The two drivers every database test runs on.
 *
 * @example
 * ```ts
 * const driver: TestDriver = 'pglite';
 * const t = await createTestDatabase(driver);
 * ```
 */
export type TestDriver = 'pglite' | 'postgres';

/**
 * Env variable with a PostgreSQL URL (a database the tests may create databases from).
 *
 * @example
 * ```ts
 * const onPostgres = Boolean(process.env[TEST_DATABASE_URL_ENV]); // CONTACTS_TEST_DATABASE_URL
 * ```
 */
export const TEST_DATABASE_URL_ENV = 'CONTACTS_TEST_DATABASE_URL';

/**
 * The drivers to run on: PGlite always, PostgreSQL when `CONTACTS_TEST_DATABASE_URL` is set.
 *
 * @example
 * ```ts
 * testDrivers(); // ['pglite'] or ['pglite', 'postgres']
 * ```
 */
export function testDrivers(env: NodeJS.ProcessEnv = process.env): TestDriver[] {
  return env[TEST_DATABASE_URL_ENV] ? ['pglite', 'postgres'] : ['pglite'];
}

/**
 * Counts the statements drizzle sends, so tests can bound statements per page.
 *
 * @example
 * ```ts
 * const statements = new StatementCounter();
 * const db = drizzle(new PGlite(), { logger: statements });
 * await db.execute(sql`select 1`);
 * statements.count; // 1
 * ```
 */
export class StatementCounter implements Logger {
  count = 0;
  readonly recent: string[] = [];
  logQuery(query: string): void {
    this.count += 1;
    if (this.recent.length < 200) this.recent.push(query);
  }
  /** Starts counting again from zero. */
  reset(): void {
    this.count = 0;
    this.recent.length = 0;
  }
}

/**
 * A fresh database for a test file, on one driver.
 *
 * @example
 * ```ts
 * const t: TestDatabase = await createTestDatabase('pglite');
 * await t.db.insert(contacts).values({ name: 'Ada' });
 * await t.reset(); // empty again
 * await t.close();
 * ```
 */
export interface TestDatabase {
  driver: TestDriver;
  db: ContactsDatabase;
  /** The butler schema it was migrated into (`relationship` unless asked otherwise). */
  butlerSchema: string;
  /** Statements sent through `db` since the last `statements.reset()`. */
  statements: StatementCounter;
  /** PostgreSQL only: the URL of this throwaway database, for a second connection. */
  url?: string;
  /** Empties every table (keeps the schema): a clean state for the next test, in milliseconds. */
  reset(): Promise<void>;
  /** Closes connections and, on PostgreSQL, drops the throwaway database. */
  close(): Promise<void>;
}

/**
 * Options of {@link createTestDatabase}.
 *
 * @example
 * ```ts
 * const options: CreateTestDatabaseOptions = { butlerSchema: 'crm' };
 * const t = await createTestDatabase('pglite', options); // migrated into schema 'crm'
 * const bare = await createTestDatabase('pglite', { migrate: false }); // no tables at all
 * ```
 */
export interface CreateTestDatabaseOptions {
  /** Apply `migrate()` (default true). */
  migrate?: boolean;
  butlerSchema?: string;
}

// PGlite's initdb plus migrations costs ~2.5 s. vitest isolates test files, so a per-process
// cache alone would pay it once per file: the migrated data directory is also cached on disk
// (node_modules/.cache, keyed by the migrations' SQL), and each database starts from it (~0.7 s).
const pgliteTemplates = new Map<string, Promise<Blob>>();

function templateCacheFile(butlerSchema: string | null): string {
  const hash = createHash('sha256').update(butlerSchema ?? '(none)');
  for (const set of ['shared', 'butler']) {
    const dir = fileURLToPath(new URL(`../../drizzle/${set}/`, import.meta.url));
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      .sort()) {
      hash.update(file).update(readFileSync(join(dir, file)));
    }
  }
  const cacheDir = join(process.cwd(), 'node_modules', '.cache', 'contacts-test');
  return join(cacheDir, `pglite-${hash.digest('hex').slice(0, 16)}.tar`);
}

async function buildTemplate(butlerSchema: string | null): Promise<Blob> {
  const pg = await PGlite.create();
  if (butlerSchema) await migrate(drizzlePglite(pg), { butlerSchema });
  const dump = await pg.dumpDataDir('none');
  await pg.close();
  return dump;
}

async function loadOrBuildTemplate(butlerSchema: string | null): Promise<Blob> {
  const file = templateCacheFile(butlerSchema);
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  const dump = await buildTemplate(butlerSchema);
  try {
    mkdirSync(dirname(file), { recursive: true });
    // Written aside and renamed: parallel workers never read half a file.
    const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
  } catch {
    // A read-only tree only loses the cache, not the test.
  }
  return dump;
}

function pgliteTemplate(butlerSchema: string | null): Promise<Blob> {
  const key = butlerSchema ?? '';
  let template = pgliteTemplates.get(key);
  if (!template) {
    template = loadOrBuildTemplate(butlerSchema);
    pgliteTemplates.set(key, template);
  }
  return template;
}

async function truncateAll(raw: (text: string) => Promise<unknown>): Promise<void> {
  await raw(`do $$ declare tables text; begin
    select string_agg(format('%I.%I', schemaname, tablename), ', ') into tables from pg_tables
      where schemaname not in ('pg_catalog', 'information_schema') and tablename <> 'contacts_schema_migrations';
    if tables is not null then execute 'truncate ' || tables || ' cascade'; end if;
  end $$`);
}

async function createPglite(options: CreateTestDatabaseOptions): Promise<TestDatabase> {
  const butlerSchema = options.butlerSchema ?? DEFAULT_BUTLER_SCHEMA;
  const schema = options.migrate === false ? null : butlerSchema;
  let pg: PGlite;
  try {
    pg = await PGlite.create({ loadDataDir: await pgliteTemplate(schema) });
  } catch {
    // A cached data directory another PGlite version wrote: build it afresh.
    rmSync(templateCacheFile(schema), { force: true });
    pgliteTemplates.delete(schema ?? '');
    pg = await PGlite.create({ loadDataDir: await pgliteTemplate(schema) });
  }
  const statements = new StatementCounter();
  const db = drizzlePglite(pg, { logger: statements });
  return {
    driver: 'pglite',
    db,
    butlerSchema,
    statements,
    reset: () => truncateAll((text) => pg.exec(text)),
    close: () => pg.close(),
  };
}

async function createPostgres(options: CreateTestDatabaseOptions): Promise<TestDatabase> {
  const adminUrl = process.env[TEST_DATABASE_URL_ENV];
  if (!adminUrl) throw new Error(`${TEST_DATABASE_URL_ENV} is not set: no PostgreSQL to test on.`);
  const butlerSchema = options.butlerSchema ?? DEFAULT_BUTLER_SCHEMA;
  const name = `contacts_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const client = postgres(url.toString(), { max: 4, onnotice: () => {} });
  const statements = new StatementCounter();
  const db = drizzlePostgres(client, { logger: statements });
  if (options.migrate !== false) await migrate(db, { butlerSchema });
  return {
    driver: 'postgres',
    db,
    butlerSchema,
    statements,
    url: url.toString(),
    reset: () => truncateAll((text) => client.unsafe(text)),
    close: async () => {
      await client.end({ timeout: 5 });
      const dropper = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await dropper.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/**
 * A fresh database on one driver, migrated into `butlerSchema` unless `migrate: false`. PGlite
 * databases start from a per-worker template; PostgreSQL ones are throwaway databases created
 * next to `CONTACTS_TEST_DATABASE_URL` and dropped by `close()`.
 *
 * @example
 * ```ts
 * const t = await createTestDatabase('pglite');
 * await t.db.execute(sql`select 1`);
 * await t.close();
 * ```
 */
export function createTestDatabase(
  driver: TestDriver,
  options: CreateTestDatabaseOptions = {},
): Promise<TestDatabase> {
  return driver === 'pglite' ? createPglite(options) : createPostgres(options);
}
