import { mkdir } from 'node:fs/promises';
import type { BenchDriver } from './bench-database.js';
import { describeMachine, describeRevision } from './machine-info.js';
import { RESULTS_FORMAT, type ResultsFile } from './results-file.js';
import { runMatrix } from './run-matrix.js';

/** The share of the book changed before the incremental sync. */
export const CHANGE_FRACTION = 0.01;

/** Cards edited on the server before the CardDAV incremental sync: 1% of the book, at least one. */
export function cardDavEdits(cards: number): number {
  return Math.max(1, Math.round(cards * CHANGE_FRACTION));
}

/** Options of {@link runBenchmark}. */
export interface BenchmarkOptions {
  sizes: readonly number[];
  runs: number;
  drivers: readonly BenchDriver[];
  seed: number;
  /** Recorded in the results: the run was `--quick`. */
  quick: boolean;
  postgresUrl?: string | undefined;
  /**
   * Write a V8 CPU profile of every phase of every Google run (and of every CardDAV child, whole)
   * to this folder.
   */
  cpuProfDir?: string | undefined;
  /** The Google scenarios run unless false. */
  google?: boolean;
  /** Cards in the CardDAV book on Radicale (0: no CardDAV scenarios). */
  carddavCards?: number;
  /** CardDAV runs per driver (default `runs`). */
  carddavRuns?: number;
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
  const carddavCards = options.carddavCards ?? 0;
  const carddavRuns = options.carddavRuns ?? options.runs;
  const { cases, errors, carddav, carddavSkipped } = await runMatrix({
    sizes: options.sizes,
    runs: options.runs,
    drivers: options.drivers,
    seed: options.seed,
    changeFraction: CHANGE_FRACTION,
    ...(options.postgresUrl ? { postgresUrl: options.postgresUrl } : {}),
    ...(cpuProfDir
      ? {
          cpuProfDir,
          childExecArgv: (job) => [
            '--cpu-prof',
            `--cpu-prof-dir=${cpuProfDir}`,
            `--cpu-prof-name=bench-${job.label}-run${job.run}.cpuprofile`,
          ],
        }
      : {}),
    google: options.google !== false,
    carddav: { cards: carddavCards, edits: cardDavEdits(carddavCards), runs: carddavRuns },
    inProcess: options.inProcess === true,
    progress: options.progress,
  });
  return {
    format: RESULTS_FORMAT,
    startedAt,
    finishedAt: new Date().toISOString(),
    ok:
      errors.length === 0 &&
      cases.every((c) => c.checks.failed.length === 0) &&
      (carddav ?? []).every((c) => c.checks.failed.length === 0),
    revision: describeRevision(),
    machine,
    options: {
      sizes: [...options.sizes],
      runs: options.runs,
      drivers: [...options.drivers],
      seed: options.seed,
      changeFraction: CHANGE_FRACTION,
      quick: options.quick,
      carddavCards,
      carddavRuns,
    },
    cases,
    carddav: carddav ?? [],
    carddavSkipped: carddavSkipped ?? null,
    errors,
  };
}
