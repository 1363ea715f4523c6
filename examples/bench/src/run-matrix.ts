import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGoogleEmulator } from '@contacts/google-emulator';
import { summarizeCase } from './aggregate.js';
import { type BenchDriver, dropBenchDatabase, writePgliteTemplate } from './bench-database.js';
import { dropCardDavDatabase, runCardDavMatrix } from './carddav/carddav-matrix.js';
import type { CardDavJob } from './carddav/carddav-types.js';
import { localControl } from './emulator-control.js';
import { formatCount } from './format-numbers.js';
import type { CaseSummary, ResultsFile } from './results-file.js';
import { caseLabel, databasesFor, runCase } from './run-case.js';
import { runInChild } from './run-child.js';
import type { CaseJob, RunResult } from './run-types.js';

/** What to run: every driver for every size, `runs` times, each run in its own process. */
export interface MatrixOptions {
  sizes: readonly number[];
  runs: number;
  drivers: readonly BenchDriver[];
  seed: number;
  changeFraction: number;
  /** Required when `drivers` has postgres. */
  postgresUrl?: string;
  /** Extra node flags for every CardDAV child (`--cpu-prof`). */
  childExecArgv?: (job: { driver: BenchDriver; run: number; label: string }) => readonly string[];
  /** A V8 CPU profile of every phase of every Google run goes here (`phase-profiler.ts`). */
  cpuProfDir?: string;
  /** The Google scenarios run unless false. */
  google?: boolean;
  /** The CardDAV scenarios on Radicale: cards in the book (0 or absent: none), edits, runs. */
  carddav?: { cards: number; edits: number; runs: number };
  /**
   * Runs the jobs in this process instead of a child each (tests: fast, but the peak RSS is
   * then the test runner's).
   */
  inProcess?: boolean;
  progress: (line: string) => void;
}

/** The cases and errors of a matrix; the caller adds machine, options and times. */
export type MatrixResult = Pick<ResultsFile, 'cases' | 'errors' | 'carddav' | 'carddavSkipped'>;

/**
 * Runs the benchmark matrix. For every run the parent starts a fresh emulator with the same
 * generated book, forks a child that syncs it (and answers its admin calls), then stops the
 * emulator; on PostgreSQL it drops the run's throwaway databases afterwards whatever happened.
 * A failed run ends its driver and size (later runs would fail the same way); the others go on.
 */
export async function runMatrix(options: MatrixOptions): Promise<MatrixResult> {
  const needsTemplate = options.google !== false || (options.carddav?.cards ?? 0) > 0;
  const pgliteTemplate =
    needsTemplate && options.drivers.includes('pglite')
      ? join(tmpdir(), `contacts-bench-template-${process.pid}-${randomBytes(4).toString('hex')}.tar`)
      : undefined;
  try {
    if (pgliteTemplate) {
      options.progress('bench: migrating a PGlite template database (initdb; not measured)');
      await writePgliteTemplate(pgliteTemplate);
    }
    return await runAll(options, pgliteTemplate);
  } finally {
    if (pgliteTemplate) await rm(pgliteTemplate, { force: true });
  }
}

/** Drops a run's throwaway PostgreSQL databases, if it had any; a failure to is only reported. */
async function dropDatabases(job: CaseJob, progress: (line: string) => void): Promise<void> {
  if (!job.postgres) return;
  const { adminUrl, syncDatabase, ceilingDatabase } = job.postgres;
  for (const name of [syncDatabase, ceilingDatabase]) {
    await dropBenchDatabase(adminUrl, name).catch((error: unknown) => {
      progress(
        `bench: could not drop database ${name}: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }
}

async function runAll(options: MatrixOptions, pgliteTemplate: string | undefined): Promise<MatrixResult> {
  // Ctrl-C stops the child too (same process group): drop its databases before leaving.
  let current: { kind: 'google'; job: CaseJob } | { kind: 'carddav'; job: CardDavJob } | undefined;
  const onInterrupt = () => {
    options.progress("bench: interrupted; dropping the run's databases");
    const now = current;
    if (pgliteTemplate) rmSync(pgliteTemplate, { force: true });
    const drop =
      now?.kind === 'google'
        ? dropDatabases(now.job, options.progress)
        : now?.kind === 'carddav'
          ? dropCardDavDatabase(now.job, options.progress)
          : Promise.resolve();
    void drop.finally(() => process.exit(130));
  };
  process.once('SIGINT', onInterrupt);
  try {
    const google =
      options.google === false
        ? { cases: [], errors: [] }
        : await runJobs(options, pgliteTemplate, (job) => {
            current = { kind: 'google', job };
          });
    const { carddav } = options;
    if (!carddav || carddav.cards <= 0) return google;
    const dav = await runCardDavMatrix({
      ...carddav,
      drivers: options.drivers,
      ...(options.postgresUrl ? { postgresUrl: options.postgresUrl } : {}),
      ...(pgliteTemplate ? { pgliteTemplate } : {}),
      ...(options.childExecArgv
        ? {
            childExecArgv: (job: CardDavJob) =>
              options.childExecArgv!({
                driver: job.driver,
                run: job.run,
                label: `carddav-${job.driver}-${job.cards}`,
              }),
          }
        : {}),
      inProcess: options.inProcess === true,
      progress: options.progress,
      starting: (job) => {
        current = { kind: 'carddav', job };
      },
    });
    return {
      cases: google.cases,
      errors: [...google.errors, ...dav.errors],
      carddav: dav.cases,
      carddavSkipped: dav.skipped,
    };
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

async function runJobs(
  options: MatrixOptions,
  pgliteTemplate: string | undefined,
  starting: (job: CaseJob) => void,
): Promise<MatrixResult> {
  const cases: CaseSummary[] = [];
  const errors: ResultsFile['errors'] = [];
  for (const driver of options.drivers) {
    for (const size of options.sizes) {
      const runs: RunResult[] = [];
      for (let run = 1; run <= options.runs; run += 1) {
        const job = makeJob(options, driver, size, run, pgliteTemplate);
        starting(job);
        const label = caseLabel(job);
        options.progress(`${label}: starting the emulator with ${formatCount(size)} generated people`);
        const emulator = await startGoogleEmulator({ seed: options.seed, people: size, otherContacts: 0 });
        try {
          const control = localControl(emulator);
          runs.push(
            options.inProcess
              ? await runCase(job, { control, databases: databasesFor(job), progress: options.progress })
              : await runInChild(job, control),
          );
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          options.progress(`${label}: FAILED: ${message}`);
          errors.push({ driver, size, run, message });
          break;
        } finally {
          await emulator.close();
          await dropDatabases(job, options.progress);
        }
      }
      if (runs.length > 0) cases.push(summarizeCase(runs));
    }
  }
  return { cases, errors };
}

function makeJob(
  options: MatrixOptions,
  driver: BenchDriver,
  size: number,
  run: number,
  pgliteTemplate: string | undefined,
): CaseJob {
  const job: CaseJob = {
    driver,
    size,
    run,
    runs: options.runs,
    changeFraction: options.changeFraction,
    ...(options.cpuProfDir ? { cpuProfDir: options.cpuProfDir } : {}),
  };
  if (driver === 'pglite') return pgliteTemplate ? { ...job, pgliteTemplate } : job;
  if (!options.postgresUrl) throw new Error('The postgres driver needs a PostgreSQL URL.');
  const name = `contacts_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  return {
    ...job,
    postgres: {
      adminUrl: options.postgresUrl,
      syncDatabase: `${name}_sync`,
      ceilingDatabase: `${name}_ceiling`,
    },
  };
}
