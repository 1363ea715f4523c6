import { mkdir } from 'node:fs/promises';
import type { BenchDriver } from './bench-database.js';
import { describeMachine, describeRevision } from './machine-info.js';
import { RESULTS_FORMAT, type ResultsFile } from './results-file.js';
import { runMatrix } from './run-matrix.js';

/** The share of the book changed before the incremental sync. */
export const CHANGE_FRACTION = 0.01;

/** Options of {@link runBenchmark}. */
export interface BenchmarkOptions {
  sizes: readonly number[];
  runs: number;
  drivers: readonly BenchDriver[];
  seed: number;
  /** Recorded in the results: the run was `--quick`. */
  quick: boolean;
  postgresUrl?: string | undefined;
  /** Write a V8 CPU profile of every child to this folder. */
  cpuProfDir?: string | undefined;
  /** Run every job in this process (the test does; the CLI never does). */
  inProcess?: boolean;
  progress: (line: string) => void;
}

/**
 * Runs the benchmark matrix and returns the results file's content; `ok` is false when a sync
 * failed or a sanity check did not hold (timings never make it false).
 *
 * @example
 * ```ts
 * const results = await runBenchmark({ sizes: [1000], runs: 1, drivers: ['pglite'], seed: 1, quick: true, progress: console.error });
 * results.cases[0]?.scenarios['full-initial'].contactsPerSecond;
 * ```
 */
export async function runBenchmark(options: BenchmarkOptions): Promise<ResultsFile> {
  const startedAt = new Date().toISOString();
  const machine = await describeMachine(options.postgresUrl);
  const { cpuProfDir } = options;
  if (cpuProfDir) await mkdir(cpuProfDir, { recursive: true });
  const { cases, errors } = await runMatrix({
    sizes: options.sizes,
    runs: options.runs,
    drivers: options.drivers,
    seed: options.seed,
    changeFraction: CHANGE_FRACTION,
    ...(options.postgresUrl ? { postgresUrl: options.postgresUrl } : {}),
    ...(cpuProfDir
      ? {
          childExecArgv: (job) => [
            '--cpu-prof',
            `--cpu-prof-dir=${cpuProfDir}`,
            `--cpu-prof-name=bench-${job.driver}-${job.size}-run${job.run}.cpuprofile`,
          ],
        }
      : {}),
    inProcess: options.inProcess === true,
    progress: options.progress,
  });
  return {
    format: RESULTS_FORMAT,
    startedAt,
    finishedAt: new Date().toISOString(),
    ok: errors.length === 0 && cases.every((c) => c.checks.failed.length === 0),
    revision: describeRevision(),
    machine,
    options: {
      sizes: [...options.sizes],
      runs: options.runs,
      drivers: [...options.drivers],
      seed: options.seed,
      changeFraction: CHANGE_FRACTION,
      quick: options.quick,
    },
    cases,
    errors,
  };
}
