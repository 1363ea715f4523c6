import {
  type Clock,
  credentialUrlProblem,
  type Logger,
  ProviderError,
  silentLogger,
  systemClock,
} from '@contacts/core';
import { z } from 'zod';
import type { RetryPolicy } from './call-with-retry.js';
import { GOOGLE_ROOT_URL, GOOGLE_TOKEN_URL } from './google-fields.js';

const secret = z.string().trim().min(1, 'must be a non-empty string');
/**
 * A URL that credentials may be sent to (https, or http to a loopback emulator): the token URL
 * receives the client secret and the refresh token, the root URL the access token. The message
 * says what it carries and never quotes the URL (its user info or query may hold a secret).
 */
const credentialUrl = (carries: string) =>
  z.string().superRefine((value, ctx) => {
    const problem = credentialUrlProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `${problem}: it receives ${carries}` });
  });
/**
 * The default cap on one response body. A page of 1,000 people with every field the provider
 * asks for is about 2 MB (the emulator's, measured) and a few MB at Google; 64 MiB is 32 times
 * that, yet bounds what one page can cost (a 200 MB page took 911 MB of memory uncapped).
 *
 * @example
 * ```ts
 * new GoogleContactsProvider({ ...credentials, maxResponseBytes: 2 * DEFAULT_MAX_RESPONSE_BYTES });
 * ```
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const positiveInt = z.number().int().positive();
const fn = <T>(what: string) => z.custom<T>((value) => typeof value === 'function', `must be ${what}`);

const OptionsSchema = z.object({
  clientId: secret,
  clientSecret: secret,
  refreshToken: secret,
  rootUrl: credentialUrl('the access token').default(GOOGLE_ROOT_URL),
  tokenUrl: credentialUrl('the OAuth client secret and refresh token').default(GOOGLE_TOKEN_URL),
  includeOtherContacts: z.boolean().default(false),
  pageSize: positiveInt.max(1000).default(1000),
  requestTimeoutMs: positiveInt.default(60_000),
  maxResponseBytes: positiveInt.max(Number.MAX_SAFE_INTEGER).default(DEFAULT_MAX_RESPONSE_BYTES),
  retry: z
    .object({
      maxAttempts: positiveInt.max(100).default(6),
      baseDelayMs: z.number().int().nonnegative().default(500),
      maxDelayMs: z.number().int().nonnegative().default(60_000),
      maxTotalMs: z.number().int().nonnegative().optional(),
    })
    .prefault({}),
  sleep: fn<(ms: number) => Promise<void>>('a function (ms) => Promise<void>').optional(),
  random: fn<() => number>('a function () => number in [0, 1)').optional(),
  clock: z
    .custom<Clock>((value) => typeof (value as Clock | null)?.now === 'function', 'must have a now() method')
    .optional(),
  logger: z
    .custom<Logger>((value) => typeof (value as Logger | null)?.warn === 'function', 'must be a Logger')
    .optional(),
});

/**
 * Options of {@link GoogleContactsProvider}. The three credentials come from the credential
 * store; everything else has a default. `rootUrl`/`tokenUrl` point the provider at a local
 * emulator; `sleep`, `random` and `clock` let tests drive retries without waiting.
 *
 * @example
 * ```ts
 * const options: GoogleProviderOptions = {
 *   clientId, clientSecret, refreshToken,
 *   includeOtherContacts: true,
 *   retry: { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 60_000 },
 * };
 * ```
 */
export interface GoogleProviderOptions {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /**
   * People API root, with a trailing slash (default `https://people.googleapis.com/`). https, or
   * http to a loopback host (127.0.0.0/8, ::1, localhost): it receives the access token.
   */
  rootUrl?: string;
  /**
   * OAuth token endpoint (default `https://oauth2.googleapis.com/token`). https, or http to a
   * loopback host: it receives the client secret and the refresh token.
   */
  tokenUrl?: string;
  /** Also sync `otherContacts` as a second stream (default false; needs `contacts.other.readonly`). */
  includeOtherContacts?: boolean;
  /** People per page, 1 to 1000 (default 1000). */
  pageSize?: number;
  /**
   * The deadline of one HTTP request, its whole answer included (headers and body, not per byte);
   * a request that misses it is retried like a 5xx (default 60 000).
   */
  requestTimeoutMs?: number;
  /**
   * The largest answer body accepted, in bytes (default 64 MiB, {@link DEFAULT_MAX_RESPONSE_BYTES}).
   * A larger one is cut off as it arrives and fails the call without a retry: it would only be
   * downloaded again.
   */
  maxResponseBytes?: number;
  /** Retries of 429, 5xx, network errors and malformed bodies (defaults 6, 500, 60 000, none). */
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1) for backoff jitter (default `Math.random`). */
  random?: () => number;
  clock?: Clock;
  logger?: Logger;
}

/** {@link GoogleProviderOptions} with every default applied. */
export interface ResolvedGoogleOptions
  extends Required<Omit<GoogleProviderOptions, 'retry' | 'sleep' | 'random' | 'clock' | 'logger'>> {
  retry: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  clock: Clock;
  logger: Logger;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Validates the options and applies defaults. The error names each bad option and why, never
 * its value: the credentials are secrets.
 *
 * @throws ProviderError `PERMANENT` naming the bad options.
 * @example
 * ```ts
 * resolveGoogleOptions({ clientId: 'id', clientSecret: 's', refreshToken: 'r', pageSize: 5000 });
 * // throws: Invalid Google provider options: pageSize: Too big: expected number to be <=1000
 * ```
 */
export function resolveGoogleOptions(options: GoogleProviderOptions): ResolvedGoogleOptions {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(options)'}: ${issue.message}`)
      .join('; ');
    throw new ProviderError('PERMANENT', `Invalid Google provider options: ${issues}.`, {
      provider: 'google',
    });
  }
  const { sleep, random, clock, logger, ...rest } = parsed.data;
  return {
    ...rest,
    rootUrl: rest.rootUrl.endsWith('/') ? rest.rootUrl : `${rest.rootUrl}/`,
    sleep: sleep ?? defaultSleep,
    random: random ?? Math.random,
    clock: clock ?? systemClock,
    logger: logger ?? silentLogger,
  };
}
