import { join } from 'node:path';
import type { ContactsDatabase } from '@contacts/schema';
import { acquireDataDirLock } from './data-dir-lock.js';
import { EMBEDDED_POSTGRES_SETTINGS } from './embedded-settings.js';
import { interruptedError } from './interrupt.js';
import type { DatabaseTarget } from './options.js';
import { connectPostgres } from './postgres-connect.js';
import { makePrivateDir, repairPrivateTree } from './private-files.js';

/** What a data directory holds of ours: the database, the lock's files and its own butler.toml. */
const OUR_ENTRY = /^(pgdata|butler\.toml|\.?contacts\.lock(\..*)?)$/;

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
 * Opens the command's database: postgres.js for a URL, its connection proved within the target's
 * connect timeout; otherwise PGlite on disk in `<dataDir>/pgdata`, after taking the data
 * directory's lock (`<dataDir>/contacts.lock`). The embedded database is private to its owner:
 * the directories are made 0700 and, before PGlite opens it, every file 0600 (an earlier version
 * left them 0666), and PGlite creates every later file 0600 (see {@link PrivateNodeFS}). The
 * drivers are imported only when used. An abort of `signal` stops a wait for PostgreSQL at once.
 *
 * @throws ContactsModuleError `DATA_DIR_LOCKED` when another process holds the data directory,
 *   `DATABASE_UNREACHABLE` when PostgreSQL refuses or does not answer, `INTERRUPTED` on abort.
 * @example
 * ```ts
 * const { db, close } = await openDatabase({ kind: 'pglite', dataDir: '/tmp/contacts' });
 * ```
 */
export async function openDatabase(
  target: DatabaseTarget,
  options: { signal?: AbortSignal } = {},
): Promise<OpenedDatabase> {
  if (target.kind === 'postgres') {
    return connectPostgres(target.url, { connectTimeoutMs: target.connectTimeoutMs, signal: options.signal });
  }
  if (options.signal?.aborted) throw interruptedError();
  const pgdata = join(target.dataDir, 'pgdata');
  // The data directory is tightened when it holds nothing but the database and its lock; pgdata,
  // always ours, is private in any case.
  makePrivateDir(target.dataDir, (names) => names.every((name) => OUR_ENTRY.test(name)));
  const lock = await acquireDataDirLock(target.dataDir);
  try {
    makePrivateDir(pgdata);
    repairPrivateTree(pgdata);
    const [{ PGlite }, { drizzle }, { PrivateNodeFS }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('drizzle-orm/pglite'),
      import('./private-node-fs.js'),
    ]);
    const pg = await PGlite.create({
      fs: new PrivateNodeFS(pgdata),
      postgresqlconf: [...EMBEDDED_POSTGRES_SETTINGS],
    });
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
