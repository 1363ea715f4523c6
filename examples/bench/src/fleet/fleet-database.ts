import { type ContactsDatabase, migrate } from '@contacts/schema';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { databaseUrl, dropBenchDatabase, isBenchDatabaseName } from '../bench-database.js';

/**
 * A connection to the fleet benchmark's database that counts every statement it sends, pg-boss's
 * included (postgres.js's `debug` hook sees each query; drizzle's logger would miss pg-boss's).
 *
 * @example
 * ```ts
 * const conn = fleetConnection(url, 4);
 * const before = conn.statements();
 * ```
 */
export interface FleetConnection {
  db: ContactsDatabase;
  /** Statements sent so far. */
  statements(): number;
  end(): Promise<void>;
}

/**
 * Opens a counted connection pool of `max` connections on `url`.
 *
 * @example
 * ```ts
 * const conn = fleetConnection('postgres://postgres@127.0.0.1:5432/contacts_bench_fleet_1', 4);
 * ```
 */
export function fleetConnection(url: string, max: number): FleetConnection {
  let count = 0;
  const client = postgres(url, {
    max,
    onnotice: () => {},
    connect_timeout: 10,
    debug: () => {
      count += 1;
    },
  });
  return { db: drizzle(client), statements: () => count, end: () => client.end({ timeout: 5 }) };
}

/**
 * Creates the throwaway database `name` next to `adminUrl`, migrated; its URL and its drop.
 *
 * @example
 * ```ts
 * const fleetDb = await createFleetDatabase(adminUrl, 'contacts_bench_fleet_queue');
 * try { ... } finally { await fleetDb.drop(); }
 * ```
 */
export async function createFleetDatabase(
  adminUrl: string,
  name: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  if (!isBenchDatabaseName(name)) throw new Error(`Invalid bench database name ${JSON.stringify(name)}.`);
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = databaseUrl(adminUrl, name);
  const conn = fleetConnection(url, 1);
  try {
    await migrate(conn.db);
  } finally {
    await conn.end();
  }
  return { url, drop: () => dropBenchDatabase(adminUrl, name) };
}
