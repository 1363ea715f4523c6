/** Codes of the errors `@contacts/schema` throws. */
export type SchemaErrorCode = 'INVALID_SCHEMA_NAME' | 'MIGRATION_FAILED' | 'MIGRATIONS_MISSING';

/**
 * A typed error of `@contacts/schema`: branch on `code`, not on the message.
 *
 * @example
 * ```ts
 * try { await migrate(db, { butlerSchema: 'Bad Name' }); }
 * catch (e) { if (e instanceof SchemaError && e.code === 'INVALID_SCHEMA_NAME') console.error(e.message); }
 * ```
 */
export class SchemaError extends Error {
  override readonly name = 'SchemaError';
  constructor(
    readonly code: SchemaErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
