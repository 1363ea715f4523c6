import { EmulatorError } from './errors.js';
import { flat } from './flat.js';

/**
 * A source of the current time in epoch milliseconds. The emulator reads time only through one,
 * so tests can make tokens expire without waiting.
 *
 * @example
 * ```ts
 * const wallClock: Clock = { now: () => Date.now() };
 * ```
 */
export interface Clock {
  now(): number;
}

/**
 * A clock that moves only when told to.
 *
 * @example
 * ```ts
 * const clock = createManualClock(Date.parse('2025-01-01T00:00:00Z'));
 * clock.advance(60_000);
 * new Date(clock.now()).toISOString(); // '2025-01-01T00:01:00.000Z'
 * ```
 */
export interface ManualClock extends Clock {
  /** Moves the clock forward by `ms` (>= 0) and returns the new time. */
  advance(ms: number): number;
}

/**
 * Creates a {@link ManualClock} standing at `startMs` (default 2025-01-01T00:00:00Z).
 *
 * @example
 * ```ts
 * const emulator = await startGoogleEmulator({ clock: createManualClock() });
 * ```
 */
export function createManualClock(startMs = Date.UTC(2025, 0, 1)): ManualClock {
  let now = startMs;
  return {
    now: () => now,
    advance(ms) {
      now += checkedAdvance(ms);
      return now;
    },
  };
}

function checkedAdvance(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new EmulatorError('INVALID_INPUT', `A clock only moves forward: got ${ms} ms.`);
  }
  return ms;
}

/**
 * The emulator's own clock: the configured base clock plus whatever `advanceClock` added, so a
 * wall-clock-based emulator can still jump seven days ahead.
 */
export class OffsetClock implements Clock {
  private offset = 0;
  constructor(private readonly base: Clock) {}

  now(): number {
    return this.base.now() + this.offset;
  }

  advance(ms: number): number {
    this.offset += checkedAdvance(ms);
    return this.now();
  }
}

/** Google's timestamp form: RFC 3339 in UTC with microseconds (`2023-01-30T14:35:18.142565Z`). */
export function googleTimestamp(ms: number, micros = 0): string {
  const iso = new Date(ms).toISOString();
  return flat(iso.slice(0, -1), String(micros % 1000).padStart(3, '0'), 'Z');
}
