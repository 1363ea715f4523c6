/**
 * What stopped a guarded HTTP exchange (see `createGuardedFetch`):
 * - `DEADLINE_EXCEEDED`: the response (headers and the whole body) had not arrived within the
 *   deadline; worth another attempt later;
 * - `RESPONSE_TOO_LARGE`: the body was larger than the cap (declared by `Content-Length`, or
 *   counted as it streamed); another attempt would download it again.
 *
 * @example
 * ```ts
 * const retry = (code: HttpGuardErrorCode) => code === 'DEADLINE_EXCEEDED';
 * ```
 */
export type HttpGuardErrorCode = 'DEADLINE_EXCEEDED' | 'RESPONSE_TOO_LARGE';

/**
 * The typed failure of a guarded fetch. Providers branch on `code` and build their own sentence
 * from `limit`; the message holds no URL (a query can carry tokens).
 *
 * @example
 * ```ts
 * try { await guardedFetch(url); }
 * catch (e) {
 *   if (e instanceof HttpGuardError && e.code === 'RESPONSE_TOO_LARGE')
 *     throw new ProviderError('TEMPORARY', `The answer was over ${e.limit} bytes.`, { cause: e });
 * }
 * ```
 */
export class HttpGuardError extends Error {
  override readonly name = 'HttpGuardError';
  constructor(
    readonly code: HttpGuardErrorCode,
    /** The limit that was hit: milliseconds for `DEADLINE_EXCEEDED`, bytes for `RESPONSE_TOO_LARGE`. */
    readonly limit: number,
    /** Body bytes received before the exchange was stopped (0 when the headers had not arrived). */
    readonly receivedBytes: number,
    message: string,
  ) {
    super(message);
  }

  /** The exchange took longer than `timeoutMs`, headers and body together. */
  static deadline(timeoutMs: number, receivedBytes: number, headersArrived: boolean): HttpGuardError {
    const where = headersArrived
      ? `the body was still arriving after ${receivedBytes} bytes`
      : 'no response headers had arrived';
    return new HttpGuardError(
      'DEADLINE_EXCEEDED',
      timeoutMs,
      receivedBytes,
      `The HTTP exchange did not complete within ${timeoutMs} ms (${where}).`,
    );
  }

  /** The body is, or was declared to be, over `maxBytes`. */
  static tooLarge(maxBytes: number, receivedBytes: number, declaredBytes: number | null): HttpGuardError {
    const what =
      declaredBytes === null
        ? `it was cut off after ${receivedBytes} bytes`
        : `its Content-Length is ${declaredBytes} bytes`;
    return new HttpGuardError(
      'RESPONSE_TOO_LARGE',
      maxBytes,
      receivedBytes,
      `The HTTP response body is larger than the ${maxBytes}-byte limit (${what}).`,
    );
  }
}

/**
 * The {@link HttpGuardError} in an error's `cause` chain (HTTP clients wrap what fetch threw), or
 * null.
 *
 * @example
 * ```ts
 * const guard = findHttpGuardError(gaxiosError);
 * if (guard?.code === 'DEADLINE_EXCEEDED') retryLater();
 * ```
 */
export function findHttpGuardError(error: unknown): HttpGuardError | null {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== null && typeof current === 'object'; depth += 1) {
    if (current instanceof HttpGuardError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}
