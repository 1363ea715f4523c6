/**
 * How the sync policy waits after failed syncs: `baseMs` after the first, doubling with every further
 * failure, never more than `maxMs`, plus up to `jitter` (a fraction) so that butlers which failed
 * together do not retry together. A source's own `Retry-After` is honoured on top of this.
 *
 * @example
 * ```ts
 * const policy: BackoffPolicy = { baseMs: 30_000, maxMs: 3_600_000, jitter: 0.2 };
 * ```
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  jitter: number;
}

/**
 * 30 s, 1 min, 2 min, ... capped at one hour, with up to 20% jitter.
 *
 * @example
 * ```ts
 * const backoff: BackoffPolicy = { ...DEFAULT_BACKOFF, maxMs: 15 * 60_000 }; // a runtime's `backoff` option
 * ```
 */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 30_000, maxMs: 60 * 60_000, jitter: 0.2 };

/**
 * The wait before retry number `attempt` (1 after the first failure).
 *
 * @example
 * ```ts
 * backoffDelay(1, DEFAULT_BACKOFF, () => 0); // 30_000
 * backoffDelay(3, DEFAULT_BACKOFF, () => 0); // 120_000
 * backoffDelay(20, DEFAULT_BACKOFF, () => 0); // 3_600_000
 * ```
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const base = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.round(Math.min(policy.maxMs, base * (1 + policy.jitter * random())));
}
