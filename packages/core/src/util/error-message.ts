import { DrizzleQueryError } from 'drizzle-orm/errors';

/**
 * A message a person can read for any thrown value. drizzle wraps driver errors in a
 * DrizzleQueryError whose message is the whole statement with its parameters (a page of contact
 * data, a secret being stored): from those only the database's own reason and SQLSTATE are kept.
 * Used for `last_error`, failure rows, logs and tool results alike.
 *
 * @example
 * ```ts
 * errorMessage(new DrizzleQueryError('insert ...', ['s3cret'], Object.assign(new Error('value too long'), { code: '22001' })));
 * // 'Database query failed: value too long (SQLSTATE 22001)'
 * ```
 */
export function errorMessage(error: unknown): string {
  let cause = error;
  let wrapped = false;
  while (
    cause instanceof DrizzleQueryError ||
    (cause instanceof Error && cause.message.startsWith('Failed query:'))
  ) {
    wrapped = true;
    if (!(cause.cause instanceof Error)) return 'Database query failed: the database refused the query.';
    cause = cause.cause;
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  if (!wrapped) return message;
  const code = (cause as { code?: unknown }).code;
  const state = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? ` (SQLSTATE ${code})` : '';
  return `Database query failed: ${message}${state}`;
}
