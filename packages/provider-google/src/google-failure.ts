import { findHttpGuardError, type HttpGuardErrorCode } from '@contacts/core';
import { record, records, text } from './read-json.js';

/**
 * What a failed call to Google said, read out of the thrown `GaxiosError` (or any other value)
 * into plain data without its request config: that config holds the bearer token and, for the
 * token endpoint, the client secret and refresh token, so the original error never travels on.
 */
export interface GoogleFailure {
  /** HTTP status; null when no response arrived (network error, timeout). */
  status: number | null;
  /** `error.status` of a Google API error body, e.g. `FAILED_PRECONDITION`. */
  apiStatus: string | null;
  /** `ErrorInfo` reasons of `error.details[]`, then legacy `error.errors[].reason`. */
  reasons: string[];
  /**
   * The `metadata.quota_limit` of each `ErrorInfo` (`ReadRequestsPerMinutePerUser`,
   * `ReadRequestsPerMinutePerProject`): which quota a 429 exhausted.
   */
  quotaLimits: string[];
  /** Google's `error.message`, a text body whole, or the error's own message. Not redacted (nor shortened) yet. */
  message: string;
  /** An OAuth token endpoint error code (`invalid_grant`), with its description. */
  oauthError: string | null;
  oauthDescription: string | null;
  /** The raw `Retry-After` header. */
  retryAfter: string | null;
  /** A network-level code: `ECONNRESET`, `TimeoutError`, ... */
  networkCode: string | null;
  /** The 2xx body could not be read as the expected JSON. */
  malformed: boolean;
  /**
   * The token endpoint answered something that is not a token object (google-auth-library then
   * fails with `Cannot create property 'refresh_token' on string ...`).
   */
  malformedToken: boolean;
  /** The HTTP client raised it (a request was made), rather than code of ours. */
  transport: boolean;
  /**
   * The guarded fetch stopped the exchange: its deadline passed (`limit` in ms) or the body
   * passed the cap (`limit` in bytes).
   */
  guard: { code: HttpGuardErrorCode; limit: number } | null;
}

/**
 * Thrown by the provider itself when Google answered 2xx with a body it cannot use (not JSON,
 * wrong shape, a last page without a sync token): retried like a 5xx.
 *
 * @example
 * ```ts
 * throw new MalformedResponseError('connections.list returned a body that is not a JSON object.');
 * ```
 */
export class MalformedResponseError extends Error {
  override readonly name = 'MalformedResponseError';
}

function header(headers: unknown, name: string): string | null {
  if (!headers || typeof headers !== 'object') return null;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  const value =
    (headers as Record<string, unknown>)[name] ?? (headers as Record<string, unknown>)[name.toLowerCase()];
  return typeof value === 'string' ? value : null;
}

function networkCode(error: unknown): string | null {
  // undici wraps socket errors: TypeError('fetch failed') with the ECONNRESET error as its cause.
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    const name = (current as { name?: unknown }).name;
    if (name === 'TimeoutError' || name === 'AbortError') return name;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

/**
 * Reads any thrown value into a {@link GoogleFailure}.
 *
 * @example
 * ```ts
 * const failure = readGoogleFailure(gaxiosError);
 * failure.status; // 400
 * failure.reasons; // ['EXPIRED_SYNC_TOKEN']
 * ```
 */
export function readGoogleFailure(error: unknown): GoogleFailure {
  const response = record((error as { response?: unknown } | null)?.response);
  const status = typeof response?.status === 'number' ? response.status : null;
  const data = response?.data;
  const body = record(data);
  const apiError = record(body?.error);
  const reasons = [
    ...records(apiError?.details).map((detail) => text(detail.reason)),
    ...records(apiError?.errors).map((entry) => text(entry.reason)),
  ].filter((reason): reason is string => reason !== null);
  const quotaLimits = records(apiError?.details)
    .map((detail) => text(record(detail.metadata)?.quota_limit))
    .filter((limit): limit is string => limit !== null);
  const oauthError = typeof body?.error === 'string' ? body.error : null;
  const ownMessage = error instanceof Error ? error.message : String(error);
  const guard = findHttpGuardError(error);
  return {
    status,
    apiStatus: text(apiError?.status),
    reasons,
    quotaLimits,
    message:
      text(apiError?.message) ??
      // Whole: cut before redaction, a secret could be cut in two and no longer recognised
      // (messages are shortened after redaction).
      (typeof data === 'string' && status !== null ? data : ownMessage),
    oauthError,
    oauthDescription: text(body?.error_description),
    retryAfter: header(response?.headers, 'retry-after'),
    networkCode: status === null ? networkCode(error) : null,
    malformed: error instanceof MalformedResponseError,
    malformedToken:
      error instanceof TypeError &&
      /^Cannot create property '\w+' on (string|number|boolean)\b/.test(error.message),
    transport: record((error as { config?: unknown } | null)?.config) !== null,
    guard: guard === null ? null : { code: guard.code, limit: guard.limit },
  };
}
