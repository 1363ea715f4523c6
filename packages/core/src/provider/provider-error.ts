/**
 * The closed set of failures a provider maps its own errors into, so the engine decides what to
 * do without knowing the provider:
 * - `CURSOR_EXPIRED`: the server no longer accepts the sync cursor: drop it and run a full sync at once;
 * - `PAGE_TOKEN_REFUSED`: the server refused a page token mid-listing: start the listing over (once
 *   per cycle; a second refusal backs off like `TEMPORARY`);
 * - `AUTH_FAILED`: stop and wait for new credentials (a person must act);
 * - `RATE_LIMITED`: back off, at least `retryAfterMs` when given;
 * - `TEMPORARY`: back off and retry later (also the default for anything unrecognised);
 * - `PERMANENT`: this request will never work as made (a bug or bad configuration): the error is
 *   recorded and the account retried only after the longest backoff;
 * - `NOT_SUPPORTED`: the provider does not offer this operation.
 *
 * @example
 * ```ts
 * PROVIDER_ERROR_CODES.includes('RATE_LIMITED'); // true
 * ```
 */
export const PROVIDER_ERROR_CODES = [
  'CURSOR_EXPIRED',
  'PAGE_TOKEN_REFUSED',
  'AUTH_FAILED',
  'RATE_LIMITED',
  'TEMPORARY',
  'PERMANENT',
  'NOT_SUPPORTED',
] as const;
/**
 * One of {@link PROVIDER_ERROR_CODES}.
 *
 * @example
 * ```ts
 * const code: ProviderErrorCode = status === 401 ? 'AUTH_FAILED' : 'TEMPORARY';
 * throw new ProviderError(code, `The source answered ${status}.`);
 * ```
 */
export type ProviderErrorCode = (typeof PROVIDER_ERROR_CODES)[number];

// Kept here rather than read from the sync policy's table: the policy imports this module.
// sync-policy.test.ts holds the two equal.
const RETRYABLE_CODES: ReadonlySet<ProviderErrorCode> = new Set([
  'RATE_LIMITED',
  'TEMPORARY',
  'CURSOR_EXPIRED',
  'PAGE_TOKEN_REFUSED',
]);

/**
 * Options of a {@link ProviderError}.
 *
 * @example
 * ```ts
 * const options: ProviderErrorOptions = { retryAfterMs: 30_000, provider: 'google', cause: response };
 * throw new ProviderError('RATE_LIMITED', 'Google asked to wait 30 seconds.', options);
 * ```
 */
export interface ProviderErrorOptions {
  cause?: unknown;
  /** For `RATE_LIMITED`: how long the source asked to wait. */
  retryAfterMs?: number;
  /** The provider's name, for messages and status. */
  provider?: string;
  /**
   * For `RATE_LIMITED`: whose quota ran out. `user`: this account's (only its syncs wait);
   * `project`: the whole upstream's (an OAuth client's per-project quota), so a fleet pauses every
   * account behind that upstream. Absent: unknown, treated as `user`.
   */
  rateLimitScope?: RateLimitScope;
}

/**
 * Whose quota a `RATE_LIMITED` error exhausted (see {@link ProviderErrorOptions.rateLimitScope}).
 *
 * @example
 * ```ts
 * const scope: RateLimitScope = reason === 'RATE_LIMIT_EXCEEDED' ? 'project' : 'user';
 * ```
 */
export type RateLimitScope = 'user' | 'project';

/**
 * The error every provider throws across the SDK boundary. Messages are sentences a person can
 * act on and never contain a secret.
 *
 * @example
 * ```ts
 * throw new ProviderError('AUTH_FAILED', 'Google refused the refresh token: re-authorise in the dashboard OAuth flow.');
 * if (error instanceof ProviderError && error.code === 'CURSOR_EXPIRED') { ... }
 * ```
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly retryAfterMs: number | undefined;
  readonly provider: string | undefined;
  readonly rateLimitScope: RateLimitScope | undefined;
  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    options: ProviderErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
    this.provider = options.provider;
    this.rateLimitScope = options.rateLimitScope;
  }

  /** Whether a later attempt may succeed without a person acting (the sync policy's table says). */
  get retryable(): boolean {
    return RETRYABLE_CODES.has(this.code);
  }
}

/**
 * Any thrown value as a {@link ProviderError}. Unknown errors become `TEMPORARY`, so a surprise
 * never stops syncing for good.
 *
 * @example
 * ```ts
 * catch (e) { const err = toProviderError(e, 'google'); if (err.code === 'AUTH_FAILED') ... }
 * ```
 */
export function toProviderError(error: unknown, provider?: string): ProviderError {
  if (error instanceof ProviderError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderError('TEMPORARY', `Unexpected provider failure: ${message}`, {
    cause: error,
    provider,
  });
}
