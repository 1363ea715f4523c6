import type { Readable, Writable } from 'node:stream';
import type { OpenedDatabase } from './open-database.js';
import type { DatabaseTarget } from './options.js';

/**
 * An output stream, with the TTY facts a real terminal has.
 *
 * @example
 * ```ts
 * const stdout: OutputStream = process.stdout; // isTTY and columns when a terminal
 * const captured: OutputStream = new PassThrough(); // no TTY facts: plain output
 * ```
 */
export type OutputStream = Writable & { isTTY?: boolean; columns?: number };

/**
 * Everything the `contacts` command touches outside itself, injected so tests run it in-process:
 * the bin passes the process's streams, environment and a signal aborted on SIGINT/SIGTERM.
 *
 * @example
 * ```ts
 * const code = await main(['status', '--json'], { stdout: process.stdout, stderr: process.stderr, env: process.env });
 * ```
 */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  /** `serve` reads MCP messages here; `secrets set KEY` without VALUE reads the value here. */
  stdin?: Readable & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** Relative paths (`--data-dir`, `--config`) resolve against this (default `process.cwd()`). */
  cwd?: string;
  /**
   * Aborting it stops `serve`, `sync` after the page in flight, and any other command at once
   * (its database closed, its lock released), also while it waits for PostgreSQL.
   */
  signal?: AbortSignal;
  /** Opens the database; tests substitute one (default: postgres.js for a URL, PGlite for a data dir). */
  openDatabase?: (target: DatabaseTarget, options?: { signal?: AbortSignal }) => Promise<OpenedDatabase>;
}
