/**
 * The PostgreSQL settings the embedded database (PGlite in `<dataDir>/pgdata`) starts with,
 * chosen for this workload: one connection, pages of up to 1,000 contacts written in one
 * transaction, and a process whose memory a person notices.
 *
 * PGlite's initdb writes the server's defaults (shared_buffers 128MB, max_connections 100), and
 * every buffer lives in the WebAssembly heap, which grows and never shrinks. Measured on a 2-core
 * machine, first full sync through the installed command (`node dist/cli/bin.js sync`, peak RSS
 * from `/usr/bin/time -f %M`): 5,000 people 498 MB with the defaults, 315-354 MB with these;
 * 25,000 people 605 MB with the defaults, 440-462 MB with these. The WebAssembly heap went from
 * 218 MB to 156-165 MB; shared_buffers 8MB saved nothing more. What still grows with the book is
 * V8's heap collected lazily, not data kept: the same 25,000 sync under
 * `--max-old-space-size=110` peaks at 343 MB.
 *
 * PGlite replaces postgresql.conf with these lines on every start (its `postgresqlconf` option),
 * so the settings initdb wrote there that the database relies on are repeated here.
 *
 * @example
 * ```ts
 * const pg = await PGlite.create({ dataDir, postgresqlconf: [...EMBEDDED_POSTGRES_SETTINGS] });
 * ```
 */
export const EMBEDDED_POSTGRES_SETTINGS: readonly string[] = [
  // What initdb wrote, kept: timestamps and dates are read and written in UTC, ISO style.
  "timezone = 'UTC'",
  "log_timezone = 'UTC'",
  "datestyle = 'iso, mdy'",
  "lc_messages = 'C'",
  "lc_monetary = 'C'",
  "lc_numeric = 'C'",
  "lc_time = 'C'",
  "default_text_search_config = 'pg_catalog.english'",
  // One session: a few backend slots instead of 100 (each has shared-memory state).
  'max_connections = 5',
  // A page's lookups touch a few MB; the operating system's cache holds the rest of the files.
  'shared_buffers = 16MB',
  'wal_buffers = 1MB',
  'temp_buffers = 2MB',
  'work_mem = 4MB',
  'maintenance_work_mem = 16MB',
  // WAL on disk: checkpoints far enough apart for a 25,000-contact first sync, without 1 GB of files.
  'max_wal_size = 256MB',
  'min_wal_size = 32MB',
];
