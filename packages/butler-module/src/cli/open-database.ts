import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ContactsDatabase } from '@contacts/schema';
import { acquireDataDirLock } from './data-dir-lock.js';
import type { DatabaseTarget } from './options.js';

/**
 * An open database and how to close it (releasing the data-directory lock for PGlite).
 *
 * @example
 * ```ts
 * const opened: OpenedDatabase = await openDatabase({ kind: 'postgres', url: 'postgres://localhost/crm' });
 * try { await migrate(opened.db); } finally { await opened.close(); }
 * ```
 */
export interface OpenedDatabase {
  db: ContactsDatabase;
  close(): Promise<void>;
}

/**
 * Opens the command's database: postgres.js for a URL; otherwise PGlite on disk in
 * `<dataDir>/pgdata`, after taking the data directory's lock (`<dataDir>/contacts.lock`).
 * The drivers are imported only when used.
 *
 * @throws ContactsModuleError `DATA_DIR_LOCKED` when another process holds the data directory.
 * @example
 * ```ts
 * const { db, close } = await openDatabase({ kind: 'pglite', dataDir: '/tmp/contacts' });
 * ```
 */
export async function openDatabase(target: DatabaseTarget): Promise<OpenedDatabase> {
  if (target.kind === 'postgres') {
    const [{ default: postgres }, { drizzle }] = await Promise.all([
      import('postgres'),
      import('drizzle-orm/postgres-js'),
    ]);
    const client = postgres(target.url, { max: 4, onnotice: () => {}, connect_timeout: 10 });
    // Every query has been awaited by the time the command closes; a failed connect would
    // otherwise hold `end()` for its whole timeout.
    return { db: drizzle(client), close: () => client.end({ timeout: 0 }) };
  }
  mkdirSync(target.dataDir, { recursive: true });
  const lock = acquireDataDirLock(target.dataDir);
  try {
    const [{ PGlite }, { drizzle }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('drizzle-orm/pglite'),
    ]);
    const pg = await PGlite.create({ dataDir: join(target.dataDir, 'pgdata') });
    return {
      db: drizzle(pg),
      close: async () => {
        try {
          await pg.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}
