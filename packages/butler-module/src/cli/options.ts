import { statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { credentialUrlProblem, type ProviderRegistry, type ProviderSettingEnv } from '@contacts/core';
import { assertButlerSchemaName, DEFAULT_BUTLER_SCHEMA, SchemaError } from '@contacts/schema';
import { ContactsModuleError } from '../errors.js';
import { defaultProviderRegistry } from '../module/default-registry.js';
import type { CliIo } from './cli-io.js';

/**
 * Where the command's database is: a PostgreSQL URL, or an embedded PGlite data directory.
 *
 * @example
 * ```ts
 * const server: DatabaseTarget = { kind: 'postgres', url: 'postgres://localhost/crm', connectTimeoutMs: 5_000 };
 * const embedded: DatabaseTarget = { kind: 'pglite', dataDir: '/home/me/.contacts' };
 * const { db, close } = await openDatabase(embedded);
 * ```
 */
export type DatabaseTarget =
  | {
      kind: 'postgres';
      url: string;
      /** How long to wait for the server to answer before the command fails (default 10 s). */
      connectTimeoutMs?: number;
    }
  | { kind: 'pglite'; dataDir: string };

/** The options every subcommand shares, as commander hands them over. */
export interface GlobalFlags {
  databaseUrl?: string;
  dataDir?: string;
  butlerSchema?: string;
  config?: string;
  connectTimeout?: string;
  secretsKeyFile?: string;
  verbose?: boolean;
  /** A provider's setting flags ({@link providerSettingFlags}), by commander's camel-case name. */
  [providerSetting: string]: string | boolean | undefined;
}

/** {@link GlobalFlags} with the environment and defaults applied. */
export interface GlobalOptions {
  database: DatabaseTarget;
  butlerSchema: string;
  /**
   * Absolute path of the butler.toml: `--config`, else the embedded database's `DATA_DIR/butler.toml`
   * when that file exists (`pnpm emulator --data-dir` writes one), else null (the defaults).
   */
  configPath: string | null;
  /** How messages name {@link configPath}: `the --config file` or `the data directory's config file`. */
  configLabel: string;
  /** Provider settings from flags and the environment, by provider: passed to every source of it. */
  settingsOverrides: Record<string, Record<string, string>>;
  /** Each provider setting given, also by its flag's camel-case name (`rootUrl` of `--acme-root-url`). */
  [providerSetting: string]: unknown;
  /** Absolute path of `--secrets-key-file`, when given (read only by the commands that need the key). */
  secretsKeyFile: string | null;
  verbose: boolean;
}

/** The environment variables the command reads (only these, and only when it runs). */
export const ENV = {
  databaseUrl: 'CONTACTS_DATABASE_URL',
  syncLeaseTtlSeconds: 'CONTACTS_SYNC_LEASE_TTL_SECONDS',
  connectTimeoutSeconds: 'CONTACTS_CONNECT_TIMEOUT_SECONDS',
  secretsKey: 'CONTACTS_SECRETS_KEY',
  secretsKeyFile: 'CONTACTS_SECRETS_KEY_FILE',
  secretsNewKey: 'CONTACTS_SECRETS_NEW_KEY',
  secretsNewKeyFile: 'CONTACTS_SECRETS_NEW_KEY_FILE',
} as const;

const nonEmpty = (value: string | undefined): string | undefined =>
  value?.trim() ? value.trim() : undefined;

/** Applies environment variables and defaults; checks the butler schema name before any SQL. */
export function resolveGlobals(
  flags: GlobalFlags,
  io: CliIo,
  registry: ProviderRegistry = defaultProviderRegistry(),
): GlobalOptions {
  const cwd = io.cwd ?? process.cwd();
  const path = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  let butlerSchema: string;
  try {
    butlerSchema = assertButlerSchemaName(flags.butlerSchema ?? DEFAULT_BUTLER_SCHEMA);
  } catch (error) {
    if (error instanceof SchemaError)
      throw new ContactsModuleError('USAGE', `--butler-schema: ${error.message}`, { cause: error });
    throw error;
  }
  // Every value is checked here, before a database is opened or a directory made: a usage error
  // leaves nothing behind.
  const url = checkedUrl(flags.databaseUrl, '--database-url', io.env[ENV.databaseUrl], ENV.databaseUrl, [
    'postgres:',
    'postgresql:',
  ]);
  const urlOf = (flag: string, value: string | undefined, env: string, carries: string) =>
    credentialUrl(checkedUrl(value, flag, io.env[env], env, ['http:', 'https:']), flag, value, env, carries);
  if (flags.dataDir !== undefined && !flags.dataDir.trim()) {
    throw new ContactsModuleError('USAGE', '--data-dir must name a directory, not an empty string.');
  }
  // Checked even for the embedded database, which does not use it: a bad flag is a bad flag.
  const connectTimeout = connectTimeoutMs(flags.connectTimeout, io);
  if (flags.secretsKeyFile !== undefined && !flags.secretsKeyFile.trim()) {
    throw new ContactsModuleError('USAGE', '--secrets-key-file must name a file, not an empty string.');
  }
  // A provider's declared environment settings, each with its flag: the flag wins.
  const settingsOverrides: Record<string, Record<string, string>> = {};
  const byFlag: Record<string, string> = {};
  for (const setting of providerSettingFlags(registry)) {
    const raw = flags[setting.attribute];
    const given = typeof raw === 'string' ? raw : undefined;
    const value = setting.env.carries
      ? urlOf(setting.flag, given, setting.env.name, setting.env.carries)
      : (nonEmpty(given) ?? nonEmpty(io.env[setting.env.name]));
    if (value === undefined) continue;
    settingsOverrides[setting.provider] = {
      ...settingsOverrides[setting.provider],
      [setting.env.setting]: value,
    };
    byFlag[setting.attribute] = value;
  }
  const database: DatabaseTarget = url
    ? { kind: 'postgres', url, connectTimeoutMs: connectTimeout }
    : { kind: 'pglite', dataDir: path(flags.dataDir ?? '.contacts') };
  const dataDirConfig = database.kind === 'pglite' ? dataDirConfigPath(database.dataDir) : null;
  return {
    ...byFlag,
    settingsOverrides,
    database,
    butlerSchema,
    configPath: flags.config !== undefined ? path(checkedConfigPath(flags.config)) : dataDirConfig,
    configLabel: flags.config === undefined && dataDirConfig ? DATA_DIR_CONFIG_LABEL : CONFIG_FLAG_LABEL,
    secretsKeyFile: flags.secretsKeyFile !== undefined ? path(flags.secretsKeyFile) : null,
    verbose: Boolean(flags.verbose),
  };
}

/** The file name of a data directory's own configuration (a butler.toml). */
export const DATA_DIR_CONFIG = 'butler.toml';
const CONFIG_FLAG_LABEL = 'the --config file';
const DATA_DIR_CONFIG_LABEL = "the data directory's config file";

/**
 * `DATA_DIR/butler.toml` when it is a file: an embedded database may carry its own configuration
 * (the emulator's endpoints, written by `pnpm emulator --data-dir`), so `--data-dir` alone says
 * which account and where. `--config` wins over it.
 *
 * @example
 * ```ts
 * dataDirConfigPath('/home/me/.contacts-emulator'); // '/home/me/.contacts-emulator/butler.toml'
 * ```
 */
export function dataDirConfigPath(dataDir: string): string | null {
  const file = join(dataDir, DATA_DIR_CONFIG);
  try {
    return statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

/**
 * A provider setting the command takes as a flag and an environment variable: the descriptor
 * declares the variable (`CONTACTS_ACME_ROOT_URL`), the flag is its tail (`--acme-root-url`).
 *
 * @example
 * ```ts
 * providerSettingFlags(registry).map((s) => s.flag); // ['--google-root-url', '--google-token-url']
 * ```
 */
export interface ProviderSettingFlag {
  provider: string;
  env: ProviderSettingEnv;
  flag: string;
  /** commander's name for the flag's value (`googleRootUrl`). */
  attribute: string;
}

/**
 * Every provider setting flag of the registry's descriptors.
 *
 * @example
 * ```ts
 * for (const s of providerSettingFlags(registry)) program.addOption(new Option(`${s.flag} <value>`, s.env.description));
 * ```
 */
export function providerSettingFlags(registry: ProviderRegistry): ProviderSettingFlag[] {
  return registry.descriptors().flatMap((descriptor) =>
    (descriptor.env ?? []).map((env) => {
      const tail = env.name.replace(/^CONTACTS_/, '').toLowerCase();
      return {
        provider: descriptor.name,
        env,
        flag: `--${tail.replaceAll('_', '-')}`,
        attribute: tail.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()),
      };
    }),
  );
}

/** Bounds of `--connect-timeout` / {@link ENV}.connectTimeoutSeconds, in seconds. */
const CONNECT_TIMEOUT_SECONDS = { min: 0.1, max: 600, default: 10 } as const;

/**
 * The PostgreSQL connect timeout in ms: `--connect-timeout`, else the environment, else 10 s.
 *
 * @throws ContactsModuleError `USAGE` when it is not a number of seconds from 0.1 to 600.
 */
function connectTimeoutMs(flagValue: string | undefined, io: CliIo): number {
  const fromFlag = flagValue !== undefined;
  const raw = fromFlag ? flagValue.trim() : nonEmpty(io.env[ENV.connectTimeoutSeconds]);
  if (raw === undefined) return CONNECT_TIMEOUT_SECONDS.default * 1000;
  const seconds = Number(raw);
  const { min, max } = CONNECT_TIMEOUT_SECONDS;
  if (!/^\d+(\.\d+)?$/.test(raw) || seconds < min || seconds > max) {
    const source = fromFlag ? '--connect-timeout' : ENV.connectTimeoutSeconds;
    throw new ContactsModuleError(
      'USAGE',
      `${source} must be a number of seconds from ${min} to ${max}; got ${JSON.stringify(raw.slice(0, 40))}.`,
    );
  }
  return Math.round(seconds * 1000);
}

function checkedConfigPath(value: string): string {
  if (!value.trim())
    throw new ContactsModuleError('USAGE', '--config must name a butler.toml file, not an empty string.');
  return value;
}

/**
 * A URL that credentials are sent to must be https, or http to a loopback host (an emulator):
 * a usage error otherwise, naming the flag or variable and what the URL would receive, never
 * the URL itself (its user info or query may hold a secret).
 */
function credentialUrl(
  value: string | undefined,
  flag: string,
  flagValue: string | undefined,
  env: string,
  carries: string,
): string | undefined {
  if (value === undefined) return undefined;
  const problem = credentialUrlProblem(value);
  if (problem === null) return value;
  const source = flagValue !== undefined ? flag : `$${env}`;
  throw new ContactsModuleError('USAGE', `${source} ${problem}: it receives ${carries}.`);
}

/**
 * The flag's value, else the environment variable's, checked to be a URL of one of `protocols`.
 * A bad one is a usage error naming the flag or variable; the value is never echoed (a database
 * URL may hold a password, any URL a secret in its user info or query).
 */
function checkedUrl(
  flagValue: string | undefined,
  flag: string,
  envValue: string | undefined,
  env: string,
  protocols: readonly string[],
): string | undefined {
  const fromFlag = flagValue !== undefined;
  if (fromFlag && !flagValue.trim()) {
    throw new ContactsModuleError('USAGE', `${flag} must be a URL, not an empty string.`);
  }
  const value = nonEmpty(flagValue) ?? nonEmpty(envValue);
  if (value === undefined) return undefined;
  const source = fromFlag ? flag : `$${env}`;
  const expected = protocols.map((p) => `${p}//`).join(' or ');
  let protocol: string | null = null;
  try {
    protocol = new URL(value).protocol;
  } catch {
    // A multi-host database URL (`postgres://h1:5432,h2:5432/db`, which postgres.js takes) is no
    // WHATWG URL: its scheme is what can be checked here.
    protocol = /^([a-z][a-z0-9+.-]*:)\/\//i.exec(value)?.[1]?.toLowerCase() ?? null;
    if (protocol && !protocols.includes('postgres:')) protocol = null;
  }
  if (!protocol || !protocols.includes(protocol)) {
    throw new ContactsModuleError('USAGE', `${source} must be a ${expected} URL.`);
  }
  return value;
}

/** Bounds of {@link ENV}.syncLeaseTtlSeconds: at least a second, at most a day. */
const LEASE_TTL_SECONDS = { min: 1, max: 86_400 } as const;

/**
 * The sync lease's lifetime from `CONTACTS_SYNC_LEASE_TTL_SECONDS`, in ms; undefined when unset
 * (the core's default, 10 minutes, applies). The lease is renewed with every committed page; it
 * only bounds how long a process that died mid-sync (kill -9, a lost host) keeps every other
 * process of that butler from syncing the account. It must stay well above the longest page
 * (fetch, a source's retry-after wait, write): a lease that lapses mid-page lets another process
 * take over, and the slow one then stops without committing that page.
 *
 * @throws ContactsModuleError `USAGE` when it is not a whole number of seconds in 1..86400.
 */
export function syncLeaseTtlMs(io: CliIo): number | undefined {
  const raw = nonEmpty(io.env[ENV.syncLeaseTtlSeconds]);
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (!/^\d+$/.test(raw) || seconds < LEASE_TTL_SECONDS.min || seconds > LEASE_TTL_SECONDS.max) {
    throw new ContactsModuleError(
      'USAGE',
      `${ENV.syncLeaseTtlSeconds} must be a whole number of seconds from ${LEASE_TTL_SECONDS.min} to ${LEASE_TTL_SECONDS.max}; got "${raw}".`,
    );
  }
  return seconds * 1000;
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
