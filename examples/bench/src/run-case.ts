import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSyncCycle, type SyncCycleResult } from '@contacts/core';
import { GoogleContactsProvider } from '@contacts/provider-google';
import { queryRows } from '@contacts/schema';
import { type SQL, sql } from 'drizzle-orm';
import {
  type BenchDatabase,
  type BenchDatabaseFactory,
  pgliteFactory,
  postgresFactory,
} from './bench-database.js';
import { type CeilingResult, snapshotSyncedRows, writeCeiling } from './ceiling.js';
import { cpuMeter } from './cpu-meter.js';
import type { EmulatorControl } from './emulator-control.js';
import { type FetchFloorResult, measureFetchFloor } from './fetch-floor.js';
import { formatBytes, formatCount, formatSeconds } from './format-numbers.js';
import { inspectorPhaseProfiler, noPhaseProfiler, type PhaseProfiler } from './phase-profiler.js';
import { processMaxRssBytes, retainedHeapBytes, sampleRss } from './rss-sampler.js';
import {
  type CaseJob,
  type RunResult,
  SCENARIO_TITLES,
  type ScenarioName,
  type ScenarioRun,
} from './run-types.js';
import { checkRun } from './sanity-checks.js';
import { TimedProvider } from './timed-provider.js';

/** What {@link runCase} needs besides the job. */
export interface RunCaseDeps {
  control: EmulatorControl;
  databases: BenchDatabaseFactory;
  /** Receives progress lines (the CLI writes them to stderr). */
  progress: (line: string) => void;
  /** Where the ceiling's row snapshot goes (default the OS temp directory). */
  tmpDir?: string;
}

const ACCOUNT = 'default';

/** A label for progress lines: `pglite N=25,000 run 2/3`. */
export function caseLabel(job: Pick<CaseJob, 'driver' | 'size' | 'run' | 'runs'>): string {
  return `${job.driver} N=${formatCount(job.size)} run ${job.run}/${job.runs}`;
}

/** The databases a job runs on: its PostgreSQL server, or PGlite from the parent's template. */
export function databasesFor(
  job: Pick<CaseJob, 'pgliteTemplate'> & { postgres?: { adminUrl: string } | undefined },
): BenchDatabaseFactory {
  if (job.postgres) return postgresFactory(job.postgres.adminUrl);
  return pgliteFactory(job.pgliteTemplate ? { templateFile: job.pgliteTemplate } : {});
}

async function countOf(t: BenchDatabase, query: SQL): Promise<number> {
  const [row] = await queryRows<{ n: number | string }>(t.db, query);
  return Number(row?.n ?? 0);
}

type SyncPart = Omit<RunResult, 'ceiling' | 'fetchFloor' | 'checks' | 'driver' | 'size' | 'run'>;

/** The provider the syncs and the fetch floor read the emulator with. */
function googleProvider(control: EmulatorControl): GoogleContactsProvider {
  const { connection } = control;
  return new GoogleContactsProvider({
    clientId: connection.clientId,
    clientSecret: connection.clientSecret,
    refreshToken: connection.refreshToken,
    rootUrl: connection.url,
    tokenUrl: connection.tokenUrl,
  });
}

/** The four syncs on one database; the first one's rows are snapshotted to `snapshot`. */
async function measureSyncs(
  job: CaseJob,
  deps: RunCaseDeps,
  snapshot: string,
  profiler: PhaseProfiler,
): Promise<SyncPart> {
  const { control, progress } = deps;
  const label = caseLabel(job);
  const provider = new TimedProvider(googleProvider(control));
  const target = await deps.databases.create(job.postgres?.syncDatabase ?? 'sync');
  try {
    const scenarios: ScenarioRun[] = [];
    const measure = (scenario: ScenarioName, mode: 'full' | 'incremental'): Promise<void> =>
      profiler.phase(scenario, () => measureOne(scenario, mode));
    const measureOne = async (scenario: ScenarioName, mode: 'full' | 'incremental'): Promise<void> => {
      progress(`${label}: ${SCENARIO_TITLES[scenario]}...`);
      await control.resetRequests();
      target.statements.reset();
      provider.reset();
      const stopCpu = await cpuMeter({
        serverCpu: target.serverCpu,
        emulatorCpu: () => control.emulatorCpu(),
      });
      const stop = sampleRss();
      const started = performance.now();
      let result: SyncCycleResult;
      let wallMs: number;
      let peakRssBytes: number;
      try {
        result = await runSyncCycle({
          db: target.db,
          butlerSchema: target.butlerSchema,
          provider,
          accountId: ACCOUNT,
          mode,
        });
      } finally {
        wallMs = performance.now() - started;
        peakRssBytes = stop().peakRssBytes;
      }
      const cpu = await stopCpu();
      const heapAfterGcBytes = retainedHeapBytes();
      const run: ScenarioRun = {
        scenario,
        mode: result.mode,
        completed: result.completed,
        pages: result.pages,
        wallMs,
        providerMs: provider.elapsedMs,
        summary: result.summary,
        tombstonedUnseen: result.tombstonedUnseen,
        statements: target.statements.count,
        requests: await control.requestCounts(),
        peakRssBytes,
        cpu,
        heapAfterGcBytes,
      };
      scenarios.push(run);
      progress(
        `${label}: ${SCENARIO_TITLES[scenario]}: ${formatSeconds(wallMs)} s, fetched ${formatCount(run.summary.fetched)}` +
          `${run.summary.unchanged > 0 ? ` (+${formatCount(run.summary.unchanged)} unchanged)` : ''}, ` +
          `${formatCount(run.statements)} statements, ${run.requests.total} HTTP requests, peak RSS ${formatBytes(run.peakRssBytes)}`,
      );
    };

    const bookPeople = await control.livePeople();
    await measure('full-initial', 'full');
    const synced = await snapshotSyncedRows(target.db, target.butlerSchema, snapshot);
    const s = sql.identifier(target.butlerSchema);
    const afterFirstSync = {
      contacts: await countOf(target, sql`select count(*) as n from shared.contacts`),
      liveLinks: await countOf(
        target,
        sql`select count(*) as n from ${s}.contacts_source_links where deleted_at is null`,
      ),
      rows: Object.values(synced.rows).reduce((a, b) => a + b, 0),
    };
    await measure('full-unchanged', 'full');
    const changes = await control.applyChanges(job.changeFraction);
    await measure('incremental-changed', 'incremental');
    await measure('incremental-quiet', 'incremental');
    return { bookPeople, afterFirstSync, changes, scenarios, processMaxRssBytes: processMaxRssBytes() };
  } finally {
    await provider.close();
    await target.close();
  }
}

/**
 * One run of one driver and size, through the real provider, engine and database: the first
 * full sync into an empty CRM, a second full sync with nothing changed, an incremental sync after
 * the emulator changed 1% of the book, a quiet incremental poll; then, with the sync database
 * closed, the database ceiling for the rows the first sync wrote, in a fresh database. A failed
 * sync throws; wrong counts show in `checks`.
 *
 * @example
 * ```ts
 * const result = await runCase(job, { control: localControl(emulator), databases: pgliteFactory(), progress: console.error });
 * result.checks.every((c) => c.ok);
 * ```
 */
export async function runCase(job: CaseJob, deps: RunCaseDeps): Promise<RunResult> {
  const label = caseLabel(job);
  const snapshot = join(
    deps.tmpDir ?? tmpdir(),
    `contacts-bench-${process.pid}-${randomBytes(4).toString('hex')}.jsonl`,
  );
  const profiler = job.cpuProfDir
    ? inspectorPhaseProfiler(job.cpuProfDir, `${job.driver}-${job.size}-run${job.run}`)
    : noPhaseProfiler;
  try {
    const syncs = await measureSyncs(job, deps, snapshot, profiler);
    deps.progress(`${label}: fetch floor (the provider alone, nothing written)...`);
    const reader = googleProvider(deps.control);
    let fetchFloor: FetchFloorResult;
    try {
      fetchFloor = await profiler.phase('fetch-floor', () => measureFetchFloor(reader, deps.control));
    } finally {
      await reader.close();
    }
    deps.progress(
      `${label}: fetch floor: ${formatSeconds(fetchFloor.wallMs)} s for ${formatCount(fetchFloor.contacts)} contacts, ` +
        `${fetchFloor.pages} pages, ${fetchFloor.requests.total} HTTP requests`,
    );
    deps.progress(`${label}: database ceiling (set-based insert of the same rows)...`);
    const target = await deps.databases.create(job.postgres?.ceilingDatabase ?? 'ceiling');
    let ceiling: CeilingResult;
    try {
      ceiling = await profiler.phase('ceiling', () => writeCeiling(target, snapshot));
    } finally {
      await target.close();
    }
    deps.progress(
      `${label}: database ceiling: ${formatSeconds(ceiling.wallMs)} s for ${formatCount(ceiling.contacts)} contacts, ` +
        `${formatCount(ceiling.totalRows)} rows, ${ceiling.statements} statements`,
    );
    const result = { driver: job.driver, size: job.size, run: job.run, ...syncs, ceiling, fetchFloor };
    return { ...result, checks: checkRun(result) };
  } finally {
    await profiler.close();
    await rm(snapshot, { force: true });
  }
}
