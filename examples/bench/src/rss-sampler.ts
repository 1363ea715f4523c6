/** The highest resident set size seen while a sampler ran. */
export interface RssPeak {
  /** Max of `process.memoryUsage.rss()` samples, in bytes. */
  peakRssBytes: number;
  samples: number;
}

/**
 * Samples `process.memoryUsage.rss()` every `intervalMs` until stopped. Samples are taken on the
 * event loop, so a long synchronous stretch (PGlite runs its WASM on this thread) delays them:
 * the true lifetime peak is `process.resourceUsage().maxRSS`, which the run reports as well.
 *
 * @example
 * ```ts
 * const stop = sampleRss();
 * await work();
 * stop(); // { peakRssBytes: 412_000_000, samples: 80 }
 * ```
 */
export function sampleRss(intervalMs = 50): () => RssPeak {
  // `memoryUsage.rss()`, not `memoryUsage().rss`: the latter also gathers V8's heap statistics,
  // which showed in the CPU profile of a 25,000 sync (0.2 ms a sample, 160 ms a sync).
  let peak = process.memoryUsage.rss();
  let samples = 1;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
    samples += 1;
  }, intervalMs);
  // A sampler must never keep a finished benchmark alive.
  timer.unref();
  return () => {
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage.rss());
    return { peakRssBytes: peak, samples: samples + 1 };
  };
}

/** The process's lifetime peak RSS in bytes (`maxRSS` is in kilobytes). */
export function processMaxRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * The V8 heap still in use after a full garbage collection: what the process holds, as opposed
 * to the high-water mark of a lazily collected heap that RSS shows. Needs `--expose-gc` (the
 * bench's children have it); null without it.
 *
 * @example
 * ```ts
 * await runSyncCycle(...);
 * retainedHeapBytes(); // 31_000_000: the same after 5,000 and 25,000 people if nothing is kept per contact
 * ```
 */
export function retainedHeapBytes(): number | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return null;
  gc();
  return process.memoryUsage().heapUsed;
}
