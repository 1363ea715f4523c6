/**
 * The time source every component takes by injection, so tests control time.
 *
 * @example
 * ```ts
 * const fixed: Clock = { now: () => new Date('2026-01-01T00:00:00Z') };
 * ```
 */
export interface Clock {
  now(): Date;
}

/**
 * The wall clock.
 *
 * @example
 * ```ts
 * systemClock.now(); // new Date()
 * ```
 */
export const systemClock: Clock = { now: () => new Date() };
