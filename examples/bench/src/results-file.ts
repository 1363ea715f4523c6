import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { BENCH_DRIVERS } from './bench-database.js';
import { CardDavCaseSummary } from './carddav/carddav-summary.js';
import { CaseCpuSummary } from './cpu-summary.js';
import { FetchFloorSummary } from './fetch-floor.js';
import { SCENARIOS } from './run-types.js';

/** The `format` every results file carries; bump it when the shape changes incompatibly. */
export const RESULTS_FORMAT = 'contacts-sync-bench/1';

const count = z.number().int().nonnegative();
const ms = z.number().nonnegative();
const rate = z.number().nonnegative().nullable();

const Summary = z.object({
  fetched: count,
  applied: count,
  skipped: count,
  unchanged: count.default(0),
  deleted: count,
  created: count,
  updated: count,
  conflicts: count,
  failed: count,
});

const Check = z.object({
  scenario: z.string(),
  name: z.string(),
  ok: z.boolean(),
  expected: z.union([z.number(), z.string(), z.boolean()]),
  actual: z.union([z.number(), z.string(), z.boolean()]),
});

/** One scenario of one driver and size, over its runs. */
export const ScenarioSummary = z.object({
  title: z.string(),
  /** Median wall time of the runs, and each run's. */
  wallMs: ms,
  wallMsRuns: z.array(ms),
  /** Median time inside the provider (HTTP, client parsing, normalisation). */
  providerMs: ms,
  /** Contacts the sync listed: fetched, plus those the provider reported unchanged (the same in every run). */
  contacts: count,
  /** contacts / median wall time; null when nothing was fetched. */
  contactsPerSecond: rate,
  /** contactsPerSecond / the ceiling's contactsPerSecond. */
  fractionOfCeiling: rate,
  statements: count,
  statementsPerContact: rate,
  httpRequests: count,
  httpRequestsByEndpoint: z.record(z.string(), count),
  /** Highest sampled RSS during the sync, over the runs. */
  peakRssBytes: count,
  /** V8 heap in use after a full GC once the sync ended, max over the runs; absent from older files. */
  heapAfterGcBytes: count.nullable().optional(),
  pages: count,
  summary: Summary,
});

/** The database ceiling of one driver and size. */
export const CeilingSummary = z.object({
  wallMs: ms,
  wallMsRuns: z.array(ms),
  /** CRM contacts written (the first full sync's, duplicates merged). */
  contacts: count,
  /** People of the address book those rows stand for: the rate's numerator, as for the syncs. */
  sourceContacts: count,
  contactsPerSecond: rate,
  rows: z.record(z.string(), count),
  totalRows: count,
  rowsPerSecond: rate,
  statements: count,
  pages: count,
});

/** One driver and size: its scenarios, ceiling, peak memory and checks. */
export const CaseSummary = z.object({
  driver: z.enum(BENCH_DRIVERS as [string, ...string[]]),
  size: count,
  runs: count,
  bookPeople: count,
  changes: z.object({ edited: count, deleted: count, added: count }),
  scenarios: z.object(
    Object.fromEntries(SCENARIOS.map((s) => [s, ScenarioSummary])) as Record<
      (typeof SCENARIOS)[number],
      typeof ScenarioSummary
    >,
  ),
  ceiling: CeilingSummary,
  /** Absent from files written before the bench measured it. */
  fetchFloor: FetchFloorSummary.optional(),
  /** CPU of the first full sync, the ceiling and the fetch floor; absent from older files. */
  cpu: CaseCpuSummary.optional(),
  /** `process.resourceUsage().maxRSS` of the child after the syncs, max over the runs. */
  processMaxRssBytes: count,
  checks: z.object({ passed: count, failed: z.array(Check.extend({ run: count })) }),
});

/** A results file: what `pnpm bench` writes and `--compare` reads. */
export const ResultsFile = z.object({
  format: z.literal(RESULTS_FORMAT),
  startedAt: z.string(),
  finishedAt: z.string(),
  ok: z.boolean(),
  /** The commit measured; `dirty` when the working tree had uncommitted changes to tracked files. */
  revision: z.object({ commit: z.string().nullable(), dirty: z.boolean().nullable() }),
  machine: z.object({
    cpus: count,
    cpuModel: z.string(),
    totalMemoryBytes: count,
    node: z.string(),
    platform: z.string(),
    postgres: z.string().nullable(),
    note: z.string(),
  }),
  options: z.object({
    sizes: z.array(count),
    runs: count,
    drivers: z.array(z.string()),
    seed: z.number().int(),
    changeFraction: z.number(),
    quick: z.boolean(),
    /** Cards in the CardDAV book (absent in files from before the CardDAV scenarios; 0: skipped). */
    carddavCards: count.optional(),
    carddavRuns: count.optional(),
  }),
  cases: z.array(CaseSummary),
  /** The CardDAV runs on Radicale, one per driver (absent in older files). */
  carddav: z.array(CardDavCaseSummary).optional(),
  /** Why the CardDAV scenarios did not run (Radicale missing), or null. */
  carddavSkipped: z.string().nullable().optional(),
  errors: z.array(z.object({ driver: z.string(), size: count, run: count, message: z.string() })),
});

export type ScenarioSummary = z.infer<typeof ScenarioSummary>;
export type CeilingSummary = z.infer<typeof CeilingSummary>;
export type CaseSummary = z.infer<typeof CaseSummary>;
export type ResultsFile = z.infer<typeof ResultsFile>;

/** A results file that cannot be read or is not one. */
export class ResultsFileError extends Error {
  override name = 'ResultsFileError';
}

/** Writes `results` as pretty JSON, creating the folder. */
export async function writeResultsFile(file: string, results: ResultsFile): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
}

/**
 * Reads and checks a results file.
 *
 * @throws ResultsFileError naming the file and what is wrong with it.
 * @example
 * ```ts
 * const old = await readResultsFile('examples/bench/results/baseline.json');
 * ```
 */
export async function readResultsFile(file: string): Promise<ResultsFile> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new ResultsFileError(`Cannot read results file ${file}: ${(cause as Error).message}`, { cause });
  }
  const parsed = ResultsFile.safeParse(value);
  if (!parsed.success) {
    throw new ResultsFileError(
      `${file} is not a ${RESULTS_FORMAT} results file:\n${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}
