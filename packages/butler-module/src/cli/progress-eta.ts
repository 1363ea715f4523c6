import type { Clock, SyncProgress } from '@contacts/core';
import { formatAge } from './format.js';

/**
 * How far a listing whose size the source gave has come: `listed` of `total`, the percentage,
 * and the seconds left at this cycle's pace (null until the pace is known).
 *
 * @example
 * ```ts
 * const f: ListingFigures = { listed: 300, total: 1200, percent: 25, etaSeconds: 90 };
 * ```
 */
export interface ListingFigures {
  listed: number;
  total: number;
  percent: number;
  etaSeconds: number | null;
}

/**
 * Measures a sync's pace from when it was made: every later {@link ListingPace.figures} call
 * reads the clock (injected, so tests use fake time).
 *
 * @example
 * ```ts
 * const pace = new ListingPace(systemClock);
 * const f = pace.figures(progress); // null when the source gave no total
 * if (f) console.log(describeFigures(f)); // '300 of 1200 (25%, about 1 min left)'
 * ```
 */
export class ListingPace {
  readonly #clock: Clock;
  readonly #startedAt: number;

  constructor(clock: Clock) {
    this.#clock = clock;
    this.#startedAt = clock.now().getTime();
  }

  /** The figures of `progress`, or null when the source gave no total. */
  figures(progress: SyncProgress): ListingFigures | null {
    const { total } = progress;
    if (total === undefined) return null;
    const listed = progress.listed ?? progress.summary.fetched;
    // A listing can outgrow the total the source gave at its start: never past 100 %, never negative.
    const percent = total > 0 ? Math.min(100, Math.floor((listed / total) * 100)) : 100;
    // The pace is this cycle's: a resumed listing's earlier pages took no time here.
    const elapsedMs = this.#clock.now().getTime() - this.#startedAt;
    const doneHere = progress.summary.fetched;
    const left = Math.max(0, total - listed);
    const etaSeconds =
      left === 0 ? 0 : doneHere > 0 && elapsedMs > 0 ? Math.ceil((left * elapsedMs) / doneHere / 1000) : null;
    return { listed, total, percent, etaSeconds };
  }
}

/**
 * "300 of 1200 (25%, about 1 min left)", or without the time when the pace is not known yet.
 *
 * @example
 * ```ts
 * describeFigures({ listed: 300, total: 1200, percent: 25, etaSeconds: 90 }); // '300 of 1200 (25%, about 1 min left)'
 * ```
 */
export function describeFigures(f: ListingFigures): string {
  return `${f.listed} of ${f.total} (${f.percent}%${f.etaSeconds !== null ? `, ${describeEta(f.etaSeconds)}` : ''})`;
}

/** "about 1 min left", or "finishing" at the end. */
export function describeEta(seconds: number): string {
  return seconds === 0 ? 'finishing' : `about ${formatAge(seconds)} left`;
}
