/**
 * A V8 CPU profile per phase of a benchmark run (`pnpm bench --cpu-prof DIR`): the inspector of
 * the run's own process samples the main thread from the phase's start to its end, so each file
 * holds one sync (or the fetch floor, or the ceiling) and nothing of the process's start.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

/** Runs a phase, profiled or not. */
export interface PhaseProfiler {
  /** Runs `fn` as the phase `name` (a file name part: letters, digits and dashes). */
  phase<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Ends the inspector session, if one was opened. */
  close(): Promise<void>;
}

/** Runs phases unprofiled. */
export const noPhaseProfiler: PhaseProfiler = {
  phase: (_name, fn) => fn(),
  close: async () => {},
};

/**
 * A profiler writing `DIR/PREFIX-PHASE.cpuprofile` for every phase (open it in Chrome DevTools or
 * speedscope, or summarise the folder: `pnpm --filter @contacts/example-bench profile:summary DIR`).
 * The file is written after the phase's `fn` returned, outside what the phase measures.
 *
 * @example
 * ```ts
 * const profiler = inspectorPhaseProfiler('/tmp/prof', 'pglite-25000-run1');
 * await profiler.phase('full-initial', () => runSyncCycle(options));
 * await profiler.close();
 * ```
 */
export function inspectorPhaseProfiler(dir: string, prefix: string, samplingIntervalUs = 500): PhaseProfiler {
  let session: Session | undefined;
  const open = async (): Promise<Session> => {
    if (session) return session;
    const s = new Session();
    s.connect();
    await s.post('Profiler.enable');
    await s.post('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
    session = s;
    return s;
  };
  return {
    async phase(name, fn) {
      const s = await open();
      await s.post('Profiler.start');
      let profile: unknown;
      try {
        return await fn();
      } finally {
        ({ profile } = await s.post('Profiler.stop'));
        await writeFile(join(dir, `${prefix}-${name}.cpuprofile`), JSON.stringify(profile));
      }
    },
    async close() {
      if (!session) return;
      await session.post('Profiler.disable');
      session.disconnect();
      session = undefined;
    },
  };
}
