import type { ProviderErrorCode, RateLimitScope } from '@contacts/core';
import type { GoogleFailure } from './google-failure.js';
import { parseRetryAfter } from './retry-after.js';

/** What the provider makes of a {@link GoogleFailure}: the error code and whether to retry now. */
export interface ClassifiedFailure {
  code: ProviderErrorCode;
  /** A sentence a person can act on, with no secret in it. */
  message: string;
  /** Worth another attempt within this call (429, 5xx, network, malformed body). */
  retryable: boolean;
  /** What `Retry-After` asked for, in milliseconds. */
  retryAfterMs: number | null;
  /** For `RATE_LIMITED`: whose quota ran out, when Google said (see {@link rateLimitScopeOf}). */
  rateLimitScope?: RateLimitScope;
}

// Google names a quota by what it is counted per: `ReadRequestsPerMinutePerUser`,
// `ReadRequestsPerMinutePerProject`, `DefaultRequestsPerMinutePerProject`, ...
const PER_USER_LIMIT = /per ?user/i;
const PER_PROJECT_LIMIT = /per ?project/i;

/**
 * Whose quota a quota failure exhausted: `project` when an `ErrorInfo`'s `quota_limit` is counted
 * per project (the OAuth client's quota, shared by every account of the upstream), `user` when it
 * is counted per user or the legacy reason is `userRateLimitExceeded`, undefined when Google did
 * not say (the engine then treats it as `user`: pausing every account on a guess would be worse).
 *
 * @example
 * ```ts
 * rateLimitScopeOf(readGoogleFailure(error)); // 'project' for quota_limit ReadRequestsPerMinutePerProject
 * ```
 */
export function rateLimitScopeOf(
  failure: Pick<GoogleFailure, 'quotaLimits' | 'reasons'>,
): RateLimitScope | undefined {
  // A per-user limit named alongside a per-project one: the project's is the wider pause.
  if (failure.quotaLimits.some((limit) => PER_PROJECT_LIMIT.test(limit))) return 'project';
  if (failure.quotaLimits.some((limit) => PER_USER_LIMIT.test(limit))) return 'user';
  if (failure.reasons.includes('userRateLimitExceeded')) return 'user';
  return undefined;
}

/** Facts about the call that failed. */
export interface FailureContext {
  /** The API method, for messages: `people.connections.list`. */
  operation: string;
  /** The call carried a sync token (a bare 410 then means it expired). */
  usedSyncToken: boolean;
  /** The call carried a page token: a 400 INVALID_ARGUMENT then most likely refuses that token. */
  usedPageToken?: boolean | undefined;
  now: Date;
  /** Removes secrets from text that came from the server. */
  redact: (text: string) => string;
  /** The per-request timeout, for the message of a request that hit it. */
  timeoutMs?: number | undefined;
}

// The guarded fetch ends a request at its deadline with an HttpGuardError (read into
// `failure.guard`). An AbortError or TimeoutError DOMException is a timeout too: the caller's own
// abort never gets here (`callWithRetry` checks its signal first).
const TIMEOUT_CODES = new Set(['AbortError', 'TimeoutError']);

const EXPIRED_SYNC_TOKEN_MESSAGE = /sync token is expired|expired sync token/i;
const QUOTA_REASONS = new Set([
  'RATE_LIMIT_EXCEEDED',
  'RESOURCE_EXHAUSTED',
  'rateLimitExceeded',
  'userRateLimitExceeded',
  'quotaExceeded',
  'dailyLimitExceeded',
]);
const PERMISSION_REASONS = new Set([
  'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
  'insufficientPermissions',
  'SERVICE_DISABLED',
]);
const REAUTHORISE = 'Re-authorise the Google account through the dashboard OAuth flow.';

function describe(failure: GoogleFailure, redact: (text: string) => string): string {
  const label = [failure.apiStatus, failure.reasons[0]].filter(Boolean).join(' ');
  const detail = redact(failure.message).slice(0, 300);
  return label ? `${label}: ${detail}` : detail;
}

function fromTokenEndpoint(failure: GoogleFailure, context: FailureContext): ClassifiedFailure {
  const description = failure.oauthDescription ? `: ${context.redact(failure.oauthDescription)}` : '';
  if (failure.oauthError === 'invalid_grant') {
    return {
      code: 'AUTH_FAILED',
      message: `Google refused the refresh token (invalid_grant${description}): it was revoked or has expired. ${REAUTHORISE}`,
      retryable: false,
      retryAfterMs: null,
    };
  }
  if (failure.oauthError === 'invalid_client' || failure.oauthError === 'unauthorized_client') {
    return {
      code: 'AUTH_FAILED',
      message: `Google rejected the OAuth client id or secret (${failure.oauthError}${description}). Check the OAuth client credentials, then ${REAUTHORISE[0]?.toLowerCase()}${REAUTHORISE.slice(1)}`,
      retryable: false,
      retryAfterMs: null,
    };
  }
  return {
    code: 'AUTH_FAILED',
    message: `Google's token endpoint refused to refresh the access token (${failure.oauthError}${description}). ${REAUTHORISE}`,
    retryable: false,
    retryAfterMs: null,
  };
}

/**
 * Maps a failed Google call into the provider error taxonomy. Order matters:
 * - an OAuth error of the token endpoint (`invalid_grant`, ...) is `AUTH_FAILED`;
 * - an expired sync token is `CURSOR_EXPIRED`, recognised by the `EXPIRED_SYNC_TOKEN` reason first,
 *   Google's message second, on HTTP 400 and 410 (a bare 410 on a sync-token call too): earlier
 *   systems that only knew 410 never recovered from Google's 400; a sync token refused as invalid
 *   on a 400 is treated the same, since only a full sync replaces it;
 * - 401 is `AUTH_FAILED`; 403 is `RATE_LIMITED` for quota reasons, `AUTH_FAILED` for missing
 *   permission or scopes, else `PERMANENT`: a 403 is not always an auth failure;
 * - 429 is `RATE_LIMITED`, 408/5xx/network errors/timeouts/malformed bodies (a token answer that
 *   is no token too) `TEMPORARY`, all
 *   retryable (a timeout says so, with the limit, rather than "could not reach" and a DOMException name);
 * - a body over `maxResponseBytes` is `TEMPORARY` but not retried within the call (it would be
 *   downloaded again), with the cap and the operation in the message;
 * - a 400 INVALID_ARGUMENT on a call with a page token is `PAGE_TOKEN_REFUSED` (the engine then
 *   starts the listing over, rather than retrying a dead token);
 * - other 4xx are `PERMANENT`; anything unrecognised is `TEMPORARY` (never fatal by surprise).
 *
 * @example
 * ```ts
 * const c = classifyFailure(readGoogleFailure(error), { operation: 'people.connections.list', usedSyncToken: true, now, redact });
 * if (c.code === 'CURSOR_EXPIRED') ...
 * ```
 */
export function classifyFailure(failure: GoogleFailure, context: FailureContext): ClassifiedFailure {
  const { status, reasons } = failure;
  const retryAfterMs = parseRetryAfter(failure.retryAfter, context.now);
  const detail = describe(failure, context.redact);
  const result = (code: ProviderErrorCode, message: string, retryable: boolean): ClassifiedFailure => ({
    code,
    message,
    retryable,
    retryAfterMs,
  });

  if (failure.guard?.code === 'RESPONSE_TOO_LARGE') {
    return result(
      'TEMPORARY',
      `Google's answer to ${context.operation} was larger than the ${failure.guard.limit} bytes allowed (maxResponseBytes): it was cut off, and is not asked for again within this call.`,
      false,
    );
  }
  if (failure.guard?.code === 'DEADLINE_EXCEEDED') {
    return result(
      'TEMPORARY',
      `Google did not answer ${context.operation} within ${failure.guard.limit} ms: the request timed out.`,
      true,
    );
  }
  if (failure.malformed) {
    return result(
      'TEMPORARY',
      `Google answered ${context.operation} with a malformed body (${detail}).`,
      true,
    );
  }
  if (failure.malformedToken) {
    // Not the body: it may be a token response in a shape the client did not take for one.
    return result(
      'TEMPORARY',
      `Google's token endpoint answered something that is not a token response (during ${context.operation}).`,
      true,
    );
  }
  if (status === null && failure.networkCode !== null && TIMEOUT_CODES.has(failure.networkCode)) {
    const within = context.timeoutMs === undefined ? '' : ` within ${context.timeoutMs} ms`;
    return result(
      'TEMPORARY',
      `Google did not answer ${context.operation}${within}: the request timed out.`,
      true,
    );
  }
  if (status === null && (failure.networkCode !== null || failure.transport)) {
    const why = failure.networkCode ?? context.redact(failure.message).slice(0, 200);
    return result('TEMPORARY', `Could not reach Google for ${context.operation} (${why}).`, true);
  }
  if (status === null) {
    return result('TEMPORARY', `Unexpected failure during ${context.operation}: ${detail}`, false);
  }
  if (failure.oauthError && status >= 400 && status < 500) return fromTokenEndpoint(failure, context);

  const expired =
    reasons.includes('EXPIRED_SYNC_TOKEN') ||
    ((status === 400 || status === 410) && EXPIRED_SYNC_TOKEN_MESSAGE.test(failure.message)) ||
    (status === 410 && context.usedSyncToken);
  // A sync token Google refuses for another reason (say, personFields changed in an upgrade since
  // it was issued) can only be replaced by a full sync, exactly like an expired one.
  const refusedSyncToken =
    status === 400 &&
    context.usedSyncToken &&
    /sync ?token/i.test(failure.message) &&
    !/page ?token/i.test(failure.message);
  if (refusedSyncToken && !expired) {
    return result(
      'CURSOR_EXPIRED',
      `Google refused the sync token (HTTP 400, ${detail}): the cursor must be dropped and a full sync run.`,
      false,
    );
  }
  if (expired) {
    return result(
      'CURSOR_EXPIRED',
      `Google's sync token has expired (HTTP ${status}, ${detail}): the cursor must be dropped and a full sync run.`,
      false,
    );
  }
  if (
    status === 400 &&
    context.usedPageToken &&
    (failure.apiStatus === null || failure.apiStatus === 'INVALID_ARGUMENT')
  ) {
    // Every page repeats the first page's parameters, so a 400 that only a later page gets is
    // about its page token: expired, or issued for other parameters (an upgrade in between).
    return result(
      'PAGE_TOKEN_REFUSED',
      `Google no longer accepts the page token of ${context.operation} (HTTP 400, ${detail}): the listing must start over from its first page.`,
      false,
    );
  }
  if (status === 401)
    return result(
      'AUTH_FAILED',
      `Google rejected the access token (HTTP 401, ${detail}). ${REAUTHORISE}`,
      false,
    );
  if (
    status === 429 ||
    (status === 403 &&
      (reasons.some((r) => QUOTA_REASONS.has(r)) || failure.apiStatus === 'RESOURCE_EXHAUSTED'))
  ) {
    const scope = rateLimitScopeOf(failure);
    // A project's quota is every account's: retrying within this call spends it for the others
    // while a fleet should pause the whole upstream, so a project-wide refusal returns at once.
    return {
      ...result(
        'RATE_LIMITED',
        `Google's People API ${scope === 'project' ? "project-wide (OAuth client's) " : ''}quota is exhausted (HTTP ${status}, ${detail}).`,
        scope !== 'project',
      ),
      ...(scope === undefined ? {} : { rateLimitScope: scope }),
    };
  }
  if (
    status === 403 &&
    (failure.apiStatus === 'PERMISSION_DENIED' || reasons.some((r) => PERMISSION_REASONS.has(r)))
  ) {
    return result(
      'AUTH_FAILED',
      `Google denied ${context.operation} (HTTP 403, ${detail}). ${REAUTHORISE.slice(0, -1)} and grant access to contacts.`,
      false,
    );
  }
  if (status === 408 || status >= 500) {
    return result('TEMPORARY', `Google's People API failed with HTTP ${status} (${detail}).`, true);
  }
  if (status >= 400) {
    return result(
      'PERMANENT',
      `Google rejected ${context.operation} with HTTP ${status} (${detail}).`,
      false,
    );
  }
  return result(
    'TEMPORARY',
    `Unexpected answer from Google for ${context.operation} (HTTP ${status}).`,
    false,
  );
}
