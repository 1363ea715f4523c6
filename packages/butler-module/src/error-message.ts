import { DrizzleQueryError } from 'drizzle-orm/errors';

/**
 * A message a person can read for any thrown value. Drizzle's query errors carry the whole SQL
 * text and its parameters in their message (a secret being stored, a page of contact data), so
 * only the driver's own message is kept from them.
 *
 * @example
 * ```ts
 * errorMessage(new DrizzleQueryError('insert ...', ['s3cret'], new Error('connection refused')));
 * // 'Database query failed: connection refused'
 * ```
 */
export function errorMessage(error: unknown): string {
  if (
    error instanceof DrizzleQueryError ||
    (error instanceof Error && error.message.startsWith('Failed query:'))
  ) {
    const cause = error.cause;
    return `Database query failed: ${cause instanceof Error ? cause.message : 'the database refused the query'}`;
  }
  return error instanceof Error ? error.message : String(error);
}
