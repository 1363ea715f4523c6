import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@contacts/core';
import { type ContactsDatabase, migrate } from '@contacts/schema';
import { ContactsModuleError } from '../errors.js';
import { redactingLogger, SecretRedactor } from '../redact.js';
import type { CliIo } from './cli-io.js';
import { interruptedError, untilAborted } from './interrupt.js';
import { openDatabase } from './open-database.js';
import { describeTarget, type GlobalOptions } from './options.js';
import { type LogLevel, streamLogger } from './stream-logger.js';
import { type TextOutput, terminalText } from './terminal-text.js';

/** The command's stdout and stderr for text a person reads, control characters neutralised. */
export interface CommandText {
  stdout: TextOutput;
  stderr: TextOutput;
}

/** What every subcommand runs with. */
export interface CommandContext {
  /**
   * The raw streams: only for what must pass byte for byte (`serve`'s MCP protocol, the progress
   * bar's own cursor codes). Text for a person goes through `out`, `err` and `logger`.
   */
  io: CliIo;
  globals: GlobalOptions;
  redactor: SecretRedactor;
  /** Writes a line to stdout. */
  out(line: string): void;
  /** Writes a line to stderr. */
  err(line: string): void;
  /** A redacting logger on stderr at `level` (debug with `--verbose`). */
  logger(level: LogLevel): Logger;
}

/**
 * The command's text streams: every log line, message, table and error of the command passes
 * here, so upstream text (a contact's name, a server's error) never reaches a terminal as control
 * codes.
 */
export function commandText(io: CliIo): CommandText {
  return { stdout: terminalText(io.stdout), stderr: terminalText(io.stderr) };
}

/** Builds the context of one command run. */
export function commandContext(io: CliIo, globals: GlobalOptions, text: CommandText): CommandContext {
  const redactor = new SecretRedactor();
  return {
    io,
    globals,
    redactor,
    out: (line) => text.stdout.write(`${line}\n`),
    err: (line) => text.stderr.write(`${line}\n`),
    logger: (level) =>
      redactingLogger(streamLogger(text.stderr, globals.verbose ? 'debug' : level), redactor),
  };
}

/**
 * Runs `fn` on the command's database (migrated first when `migrateFirst`), then closes it. A
 * `readOnly` command refuses an embedded database that does not exist yet instead of creating it.
 *
 * A signal (the bin aborts `io.signal` on SIGINT, SIGTERM, SIGHUP) ends the wait for the database
 * at once, and ends the command's work with an `INTERRUPTED` error: the database is closed (a
 * PostgreSQL connection is cut, so an open transaction rolls back; PGlite lets its statement in
 * flight finish) and the data directory's lock is released. A command that stops gracefully on
 * the signal itself (`sync` after its page in flight, `serve`) says `handlesSignal`: only its wait
 * for PostgreSQL is cut short.
 */
export async function withDatabase<T>(
  ctx: CommandContext,
  options: { migrateFirst: boolean; handlesSignal?: boolean; readOnly?: boolean },
  fn: (db: ContactsDatabase) => Promise<T>,
): Promise<T> {
  // An injected opener (a host's, a test's) knows its own database.
  if (options.readOnly && !ctx.io.openDatabase) assertEmbeddedDatabaseExists(ctx.globals);
  const { signal } = ctx.io;
  // A command that stops on the signal itself decides what a signal before it started means; the
  // wait for PostgreSQL is cut short for every command.
  const interrupts = !options.handlesSignal;
  if (interrupts && signal?.aborted) throw interruptedError();
  const open = ctx.io.openDatabase ?? openDatabase;
  const { db, close } = await open(ctx.globals.database, { signal });
  try {
    // PGlite's start cannot be cut short: a signal that came meanwhile is honoured now.
    if (interrupts && signal?.aborted) throw interruptedError();
    const run = <R>(work: Promise<R>) => (interrupts ? untilAborted(work, signal) : work);
    if (options.migrateFirst) await run(migrate(db, { butlerSchema: ctx.globals.butlerSchema }));
    return await run(fn(db));
  } catch (error) {
    if (isMissingTable(error)) {
      throw new ContactsModuleError(
        'USAGE',
        `The ${describeTarget(ctx.globals.database)} has no contacts tables for butler schema "${ctx.globals.butlerSchema}" yet: run \`contacts migrate\` first.`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    await close();
  }
}

/**
 * A command that only reads (`status`, `secrets list`, `review`) says there is no embedded
 * database yet instead of making one: opening a data directory creates it and runs initdb, which
 * takes seconds and leaves a directory behind for a mistyped `--data-dir`.
 *
 * @throws ContactsModuleError `USAGE` naming the directory and the command that makes it.
 * @example
 * ```ts
 * assertEmbeddedDatabaseExists(ctx.globals); // throws for --data-dir ./nowhere
 * ```
 */
export function assertEmbeddedDatabaseExists(globals: Pick<GlobalOptions, 'database'>): void {
  const { database } = globals;
  if (database.kind !== 'pglite') return;
  if (existsSync(join(database.dataDir, 'pgdata', 'PG_VERSION'))) return;
  const what = existsSync(database.dataDir)
    ? `${database.dataDir} holds no contacts database yet`
    : `There is no data directory ${database.dataDir}`;
  throw new ContactsModuleError(
    'USAGE',
    `${what} (nothing was created): run \`contacts migrate\` to make one there, or give the --data-dir that holds yours.`,
  );
}

/** Postgres `undefined_table` (42P01) or `invalid_schema_name` (3F000), anywhere in the cause chain. */
function isMissingTable(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (code === '42P01' || code === '3F000') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
