/**
 * Codes of the errors `@contacts/schema` throws.
 *
 * @example
 * ```ts
 * const code: SchemaErrorCode = 'MIGRATION_FAILED';
 * if (error instanceof SchemaError && error.code === code) console.error(error.cause);
 * ```
 */
export type SchemaErrorCode =
  | 'INVALID_SCHEMA_NAME'
  | 'MIGRATION_FAILED'
  | 'MIGRATION_CHANGED'
  | 'MIGRATIONS_MISSING';

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
