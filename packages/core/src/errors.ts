/**
 * Codes of the errors `@contacts/core` throws itself (providers use {@link ProviderError}).
 *
 * @example
 * ```ts
 * const usage: CoreErrorCode[] = ['INVALID_CONFIG', 'UNKNOWN_PROVIDER'];
 * if (e instanceof CoreError && usage.includes(e.code)) process.exitCode = 2;
 * ```
 */
export type CoreErrorCode =
  | 'INVALID_CONTACT'
  | 'INVALID_CONFIG'
  | 'INVALID_BATCH'
  | 'UNKNOWN_PROVIDER'
  | 'SYNC_IN_PROGRESS';

/**
 * A typed error of `@contacts/core`: branch on `code`.
 *
 * @example
 * ```ts
 * try { parseCanonicalContact(payload); }
 * catch (e) { if (e instanceof CoreError && e.code === 'INVALID_CONTACT') log.warn(e.message); }
 * ```
 */
export class CoreError extends Error {
  override readonly name = 'CoreError';
  constructor(
    readonly code: CoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
