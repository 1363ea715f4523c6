import { EmulatorError } from './errors.js';
import { Prng } from './generator/prng.js';

/**
 * How long every API and token request waits before it is served (option `latencyMs`): a fixed
 * number of milliseconds, or `[min, max]` for a wait drawn evenly between the two from the seed.
 * The wait goes through the emulator's `sleep`, so tests can pass one that does not wait.
 *
 * @example
 * ```ts
 * const latency: LatencyOption = [20, 80]; // Google's list calls take tens of milliseconds
 * ```
 */
export type LatencyOption = number | readonly [min: number, max: number];

/** The wait before each request, or undefined for none. */
export function latencyOf(option: LatencyOption | undefined, seed: number): (() => number) | undefined {
  if (option === undefined) return undefined;
  const [min, max] = typeof option === 'number' ? [option, option] : option;
  if (!Number.isFinite(min) || !Number.isFinite(max) || min < 0 || max < min) {
    throw new EmulatorError(
      'INVALID_OPTIONS',
      `latencyMs must be a non-negative number or [min, max] with min <= max; got ${JSON.stringify(option)}.`,
    );
  }
  if (max === 0) return undefined;
  if (min === max) return () => min;
  const rng = new Prng(seed * 4 + 6);
  return () => min + rng.next() * (max - min);
}
