import { type Clock, type Logger, ProviderError } from '@contacts/core';
import { classifyFailure } from './classify-failure.js';
import { type GoogleFailure, readGoogleFailure } from './google-failure.js';

/** Bounds of the retries of one call. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** The backoff ceiling of the first retry; it doubles with every retry. */
  baseDelayMs: number;
  /** The largest backoff ceiling, and the longest `Retry-After` waited for inside one call. */
  maxDelayMs: number;
  /** Stop retrying once the next wait would end later than this after the first attempt. */
  maxTotalMs?: number | undefined;
}

/** The injected I/O of {@link callWithRetry}. */
export interface RetryRuntime {
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  clock: Clock;
  logger: Logger;
}

/** One call to retry. */
export interface RetryCall {
  operation: string;
  usedSyncToken: boolean;
  /** The call carried a page token (a 400 then most likely means Google no longer accepts it). */
  usedPageToken?: boolean | undefined;
  signal?: AbortSignal | undefined;
  /** Removes secrets from text that came from the server. */
  redact: (text: string) => string;
  /** The per-request timeout, named in the message when a request hits it. */
  timeoutMs?: number | undefined;
}

function cancelled(signal: AbortSignal, operation: string): ProviderError {
  return new ProviderError('TEMPORARY', `The Google request ${operation} was cancelled.`, {
    cause: signal.reason,
    provider: 'google',
  });
}

/** Waits `ms`, or less when the signal aborts first (the injected sleep knows no signal). */
async function pause(runtime: RetryRuntime, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return runtime.sleep(ms);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([runtime.sleep(ms), aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

/** The failure without anything secret: what travels on as an error's `cause`. */
function sanitized(failure: GoogleFailure, redact: (text: string) => string): GoogleFailure {
  return {
    ...failure,
    // Redacted first, then shortened: a body quoted whole can be large.
    message: redact(failure.message).slice(0, 2000),
    oauthDescription:
      failure.oauthDescription === null ? null : redact(failure.oauthDescription).slice(0, 2000),
  };
}

/**
 * Runs `attempt` until it succeeds, retrying 429, 5xx, network errors and malformed bodies with
 * exponential backoff and full jitter (`random() * min(maxDelayMs, baseDelayMs * 2^(n-1))`),
 * never waiting less than `Retry-After`. Gives up after `maxAttempts`, when `Retry-After` asks for
 * more than `maxDelayMs`, or when the next wait would pass `maxTotalMs`: then a quota failure is
 * `RATE_LIMITED`, with `retryAfterMs` only when Google sent `Retry-After` (never a made-up wait:
 * the runtime reports it as Google's, and backs off on its own anyway), and anything else
 * `TEMPORARY`. Other failures are thrown at once, mapped by
 * {@link classifyFailure}. gaxios' own retries are off: they ignore `Retry-After` and give up
 * within ~2 s, far shorter than a per-minute quota window.
 *
 * @throws ProviderError, never the HTTP client's error (its config holds credentials).
 * @example
 * ```ts
 * const res = await callWithRetry(() => people.people.connections.list(params), policy, runtime, {
 *   operation: 'people.connections.list', usedSyncToken: false, redact: (t) => t,
 * });
 * ```
 */
export async function callWithRetry<T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  runtime: RetryRuntime,
  call: RetryCall,
): Promise<T> {
  const { signal, operation } = call;
  const started = runtime.clock.now().getTime();
  for (let attemptNo = 1; ; attemptNo += 1) {
    if (signal?.aborted) throw cancelled(signal, operation);
    try {
      const result = await attempt();
      // A request that went out un-cancelled (the signal fired during the token refresh, which
      // takes no signal) must not come back as a success.
      if (signal?.aborted) throw cancelled(signal, operation);
      return result;
    } catch (error) {
      if (error instanceof ProviderError) throw error;
      if (signal?.aborted) throw cancelled(signal, operation);
      const failure = readGoogleFailure(error);
      const now = runtime.clock.now();
      const classified = classifyFailure(failure, {
        operation,
        usedSyncToken: call.usedSyncToken,
        usedPageToken: call.usedPageToken,
        now,
        redact: call.redact,
        timeoutMs: call.timeoutMs,
      });
      const cause = sanitized(failure, call.redact);
      if (!classified.retryable) {
        throw new ProviderError(classified.code, classified.message, {
          cause,
          provider: 'google',
          ...(classified.retryAfterMs === null ? {} : { retryAfterMs: classified.retryAfterMs }),
          ...(classified.rateLimitScope === undefined ? {} : { rateLimitScope: classified.rateLimitScope }),
        });
      }

      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attemptNo - 1));
      const asked = classified.retryAfterMs ?? 0;
      const delay = Math.max(asked, Math.floor(runtime.random() * ceiling));
      const elapsed = now.getTime() - started;
      const stop =
        attemptNo >= policy.maxAttempts
          ? `after ${attemptNo} attempts`
          : asked > policy.maxDelayMs
            ? `because Retry-After asks for ${Math.ceil(asked / 1000)} s, more than the ${Math.ceil(policy.maxDelayMs / 1000)} s waited within one call`
            : policy.maxTotalMs !== undefined && elapsed + delay > policy.maxTotalMs
              ? `after ${attemptNo} attempts in ${elapsed} ms (limit ${policy.maxTotalMs} ms)`
              : null;
      if (stop !== null) {
        // Only what Google asked for: a wait made up here would be reported as Google's request
        // ("google asked for no requests before ..."), and the runtime backs off on its own.
        throw new ProviderError(classified.code, `${classified.message} Gave up ${stop}.`, {
          cause,
          provider: 'google',
          ...(classified.retryAfterMs === null ? {} : { retryAfterMs: classified.retryAfterMs }),
          ...(classified.rateLimitScope === undefined ? {} : { rateLimitScope: classified.rateLimitScope }),
        });
      }
      runtime.logger.warn('google request failed; retrying', {
        operation,
        attempt: attemptNo,
        status: failure.status,
        reason: failure.reasons[0] ?? failure.networkCode ?? null,
        code: classified.code,
        delayMs: delay,
      });
      await pause(runtime, delay, signal);
    }
  }
}
