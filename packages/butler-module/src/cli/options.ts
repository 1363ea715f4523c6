import { isAbsolute, resolve } from 'node:path';
import { assertButlerSchemaName, DEFAULT_BUTLER_SCHEMA, SchemaError } from '@contacts/schema';
import { ContactsModuleError } from '../errors.js';
import type { CliIo } from './cli-io.js';

/**
 * Where the command's database is: a PostgreSQL URL, or an embedded PGlite data directory.
 *
 * @example
 * ```ts
 * const server: DatabaseTarget = { kind: 'postgres', url: 'postgres://localhost/crm' };
 * const embedded: DatabaseTarget = { kind: 'pglite', dataDir: '/home/me/.contacts' };
 * const { db, close } = await openDatabase(embedded);
 * ```
 */
export type DatabaseTarget = { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };

/** The options every subcommand shares, as commander hands them over. */
export interface GlobalFlags {
  databaseUrl?: string;
  dataDir?: string;
  butlerSchema?: string;
  config?: string;
  googleRootUrl?: string;
  googleTokenUrl?: string;
  verbose?: boolean;
}

/** {@link GlobalFlags} with the environment and defaults applied. */
export interface GlobalOptions {
  database: DatabaseTarget;
  butlerSchema: string;
  /** Absolute path of the butler.toml, when one was given. */
  configPath: string | null;
  googleRootUrl?: string;
  googleTokenUrl?: string;
  verbose: boolean;
}

/** The environment variables the command reads (only these, and only when it runs). */
export const ENV = {
  databaseUrl: 'CONTACTS_DATABASE_URL',
  googleRootUrl: 'CONTACTS_GOOGLE_ROOT_URL',
  googleTokenUrl: 'CONTACTS_GOOGLE_TOKEN_URL',
} as const;

const nonEmpty = (value: string | undefined): string | undefined =>
  value?.trim() ? value.trim() : undefined;

/** Applies environment variables and defaults; checks the butler schema name before any SQL. */
export function resolveGlobals(flags: GlobalFlags, io: CliIo): GlobalOptions {
  const cwd = io.cwd ?? process.cwd();
  const path = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const url = nonEmpty(flags.databaseUrl) ?? nonEmpty(io.env[ENV.databaseUrl]);
  let butlerSchema: string;
  try {
    butlerSchema = assertButlerSchemaName(flags.butlerSchema ?? DEFAULT_BUTLER_SCHEMA);
  } catch (error) {
    if (error instanceof SchemaError) throw new ContactsModuleError('USAGE', error.message, { cause: error });
    throw error;
  }
  return {
    database: url
      ? { kind: 'postgres', url }
      : { kind: 'pglite', dataDir: path(flags.dataDir ?? '.contacts') },
    butlerSchema,
    configPath: flags.config ? path(flags.config) : null,
    googleRootUrl: nonEmpty(flags.googleRootUrl) ?? nonEmpty(io.env[ENV.googleRootUrl]),
    googleTokenUrl: nonEmpty(flags.googleTokenUrl) ?? nonEmpty(io.env[ENV.googleTokenUrl]),
    verbose: Boolean(flags.verbose),
  };
}

/** A database URL without its password, for messages. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === 'pglite') return `embedded database in ${target.dataDir}`;
  try {
    const url = new URL(target.url);
    url.password = '';
    return `PostgreSQL at ${url.toString()}`;
  } catch {
    return 'PostgreSQL (unparseable URL)';
  }
}
