/**
 * Structured fields of a log line. Never put a secret in one.
 *
 * @example
 * ```ts
 * const fields: LogFields = { provider: 'google', accountId: 'default', page: 3 };
 * logger.info('sync page applied', fields);
 * ```
 */
export type LogFields = Record<string, unknown>;

/**
 * The logger every component takes by injection: a host passes its own (pino, console, a test
 * recorder). Messages are short event names or sentences; details go in `fields`.
 *
 * @example
 * ```ts
 * const logger: Logger = { debug() {}, info: (m, f) => console.error(m, f), warn: console.warn, error: console.error };
 * ```
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/**
 * A logger that drops everything: the default where none is given.
 *
 * @example
 * ```ts
 * const engine = new ContactBackfillEngine({ db, butlerSchema, provider, accountId, logger: silentLogger });
 * ```
 */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
