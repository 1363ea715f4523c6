import { randomBytes } from 'node:crypto';
import { RADICALE_MISSING, radicaleAvailable } from '@contacts/provider-carddav/testing';
import { type BenchDriver, dropBenchDatabase } from '../bench-database.js';
import { databasesFor } from '../run-case.js';
import { runCardDavInChild } from '../run-child.js';
import { cardDavLabel, runCardDavCase } from './carddav-case.js';
import { type CardDavCaseSummary, summarizeCardDavCase } from './carddav-summary.js';
import type { CardDavJob, CardDavRunResult } from './carddav-types.js';
import { prepareRadicaleStorage, startRadicaleBook, storageDir } from './radicale-book.js';

/** What to run: every driver, `runs` times, on a fresh Radicale book of `cards`. */
export interface CardDavMatrixOptions {
  cards: number;
  /** Cards edited before the incremental sync (1% of the book, at least one). */
  edits: number;
  runs: number;
  drivers: readonly BenchDriver[];
  postgresUrl?: string;
  pgliteTemplate?: string;
  childExecArgv?: (job: CardDavJob) => readonly string[];
  inProcess?: boolean;
  progress: (line: string) => void;
  /** Called with each job before it starts (the matrix's Ctrl-C handler drops its database). */
  starting?: (job: CardDavJob) => void;
}

/** The CardDAV results, failures, and why nothing ran (Radicale missing), if so. */
export interface CardDavMatrixResult {
  cases: CardDavCaseSummary[];
  errors: { driver: string; size: number; run: number; message: string }[];
  skipped: string | null;
}

/**
 * Runs the CardDAV scenarios: for every driver and run, the parent starts Radicale on loopback
 * with a freshly written book and the counting proxy in front, forks a child that syncs it
 * through the contacts module (and answers its calls), then stops Radicale and removes its
 * storage; on PostgreSQL it drops the run's throwaway database whatever happened. Without
 * Radicale installed nothing runs and `skipped` says how to install it.
 */
export async function runCardDavMatrix(options: CardDavMatrixOptions): Promise<CardDavMatrixResult> {
  if (!radicaleAvailable()) {
    options.progress(`bench: CardDAV scenarios skipped: ${RADICALE_MISSING}`);
    return { cases: [], errors: [], skipped: RADICALE_MISSING };
  }
  const { dir, remove } = await storageDir();
  try {
    options.progress(
      `bench: writing ${options.cards} cards into a Radicale book and letting Radicale read them once (not measured)`,
    );
    const started = performance.now();
    await prepareRadicaleStorage(options.cards, dir);
    options.progress(
      `bench: the Radicale book is ready (${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );
    return await runJobs(options, dir);
  } finally {
    await remove();
  }
}

async function runJobs(options: CardDavMatrixOptions, storage: string): Promise<CardDavMatrixResult> {
  const cases: CardDavCaseSummary[] = [];
  const errors: CardDavMatrixResult['errors'] = [];
  for (const driver of options.drivers) {
    const runs: CardDavRunResult[] = [];
    for (let run = 1; run <= options.runs; run += 1) {
      const job = makeJob(options, driver, run);
      options.starting?.(job);
      const label = cardDavLabel(job);
      options.progress(`${label}: starting Radicale on a copy of the book`);
      let book: Awaited<ReturnType<typeof startRadicaleBook>> | undefined;
      try {
        book = await startRadicaleBook(storage, options.cards);
        runs.push(
          options.inProcess
            ? await runCardDavCase(job, {
                control: book.control,
                databases: databasesFor(job),
                progress: options.progress,
              })
            : await runCardDavInChild(job, book.control, { execArgv: options.childExecArgv?.(job) ?? [] }),
        );
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        options.progress(`${label}: FAILED: ${message}`);
        errors.push({ driver: `carddav ${driver}`, size: options.cards, run, message });
        break;
      } finally {
        await book?.stop();
        await dropCardDavDatabase(job, options.progress);
      }
    }
    if (runs.length > 0) cases.push(summarizeCardDavCase(runs));
  }
  return { cases, errors, skipped: null };
}

/** Drops a CardDAV run's throwaway PostgreSQL database, if it had one; a failure is only reported. */
export async function dropCardDavDatabase(job: CardDavJob, progress: (line: string) => void): Promise<void> {
  if (!job.postgres) return;
  const { adminUrl, syncDatabase } = job.postgres;
  await dropBenchDatabase(adminUrl, syncDatabase).catch((error: unknown) => {
    progress(
      `bench: could not drop database ${syncDatabase}: ${error instanceof Error ? error.message : String(error)}`,
    );
  });
}

function makeJob(options: CardDavMatrixOptions, driver: BenchDriver, run: number): CardDavJob {
  const job: CardDavJob = { driver, cards: options.cards, edits: options.edits, run, runs: options.runs };
  if (driver === 'pglite')
    return options.pgliteTemplate ? { ...job, pgliteTemplate: options.pgliteTemplate } : job;
  if (!options.postgresUrl) throw new Error('The postgres driver needs a PostgreSQL URL.');
  const name = `contacts_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  return { ...job, postgres: { adminUrl: options.postgresUrl, syncDatabase: `${name}_dav` } };
}
