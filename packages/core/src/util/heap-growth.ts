import { setFlagsFromString } from 'node:v8';

/**
 * How much V8 lets its heap grow past what survived the last full collection, in percent, in a
 * process that runs syncs: 100 (a factor of 2). V8 picks the factor itself otherwise, up to 4 on
 * a machine with memory to spare, and a long sync then reaches a higher mark than a short one
 * though it keeps no more (the heap retained after a sync is 42-47 MB whatever the book).
 */
export const SYNC_HEAP_GROWING_PERCENT = 100;

/**
 * Caps V8's heap growth factor for this process (`--heap-growing-percent`, read at every full
 * collection, so it takes effect when set at run time). Measured on the installed command's first
 * full sync on the embedded database (docs/benchmarks.md, "The embedded database's memory"): peak
 * RSS 458-482 MB for 25,000 people and 363-370 MB for 5,000 without it, 349-372 MB and 350 MB with
 * it, for the same CPU. The `contacts` command calls it at start; a host that runs syncs in a
 * process of its own may too. It changes the whole process's garbage collection: a library does
 * not call it for its host.
 *
 * @example
 * ```ts
 * import { limitHeapGrowth } from '@contacts/core';
 * limitHeapGrowth(); // first thing in a worker process that runs syncs
 * ```
 */
export function limitHeapGrowth(percent: number = SYNC_HEAP_GROWING_PERCENT): void {
  setFlagsFromString(heapGrowthFlag(percent));
}

/**
 * The V8 flag {@link limitHeapGrowth} sets, for a process started with it instead
 * (`node --heap-growing-percent=100 ...`; `NODE_OPTIONS` does not take it).
 *
 * @throws RangeError for a percent that is not an integer from 1 to 1000.
 * @example
 * ```ts
 * heapGrowthFlag(); // '--heap-growing-percent=100'
 * ```
 */
export function heapGrowthFlag(percent: number = SYNC_HEAP_GROWING_PERCENT): string {
  if (!Number.isInteger(percent) || percent < 1 || percent > 1000) {
    throw new RangeError(`limitHeapGrowth: percent must be an integer from 1 to 1000, not ${percent}`);
  }
  return `--heap-growing-percent=${percent}`;
}
